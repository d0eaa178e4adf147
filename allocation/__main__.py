"""Command line: python -m allocation {solve,gap,bench} ..."""
import argparse
import sys

from allocation.errors import ProblemError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m allocation", description="TrainHub allocation engine")
    sub = parser.add_subparsers(dest="command", required=True)

    solve = sub.add_parser("solve", help="solve a problem document")
    solve.add_argument("problem", help="problem JSON file, or - for standard input")
    solve.add_argument("--time-limit", type=float, default=None, help="seconds")
    solve.add_argument("--out", default=None, help="write the result here instead of standard output")

    gap = sub.add_parser("gap", help="solve a generalized-assignment instance (OR-Library layout)")
    gap.add_argument("instance")
    gap.add_argument("--time-limit", type=float, default=20.0)

    bench = sub.add_parser("bench", help="generate and solve a reproducible instance")
    bench.add_argument("--scale", choices=["county", "prefecture", "province", "national"], default="county")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--baselines", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "solve":
            from allocation.api import run_solve_command
            return run_solve_command(args.problem, args.time_limit, args.out)
        if args.command == "gap":
            from allocation.itinerant import run_gap_command
            return run_gap_command(args.instance, args.time_limit)
        from allocation.bench import run_bench_command
        return run_bench_command(args.scale, args.seed, args.baselines)
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
