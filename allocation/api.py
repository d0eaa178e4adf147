"""Solve a problem document: parse, check the rules, pick the method, explain, report."""
from __future__ import annotations

import gc
import json
import sys
import time
from dataclasses import dataclass, replace

import numpy as np

from allocation.domain import Objective, Problem, Reason, Result, Stats
from allocation.eligibility import Eligibility, build_eligibility
from allocation.envy import count_justified_envy
from allocation.errors import ProblemError
from allocation.explain import explain
from allocation.flow import CoverageNetwork, FlowOutcome, lexicographic_flow, solve_coverage
from allocation.io import parse_problem, result_to_document
from allocation.merit import solve_merit
from allocation.mip import DEFAULT_TIME_LIMIT, _largest_total, objective_levels, solve_coverage_program
from allocation.rules import LinearRule, locked_pairs, send_bounds, side_rules


def _objective(elig: Eligibility, chosen: np.ndarray) -> Objective:
    return Objective(
        weight=int(elig.arrays.post_weight[elig.post[chosen]].sum()),
        rank_sum=int(elig.rank[chosen].sum()),
        distance_km=int(elig.objective_distance()[chosen].sum()),
        justified_envy=count_justified_envy(elig, chosen),
    )


def _levels(elig: Eligibility, chosen: np.ndarray) -> tuple[int, int, int]:
    """Return the coverage levels (weight, rank sum, distance) of an assignment."""
    return (int(elig.arrays.post_weight[elig.post[chosen]].sum()), int(elig.rank[chosen].sum()),
            int(elig.objective_distance()[chosen].sum()))


def _infeasible(reasons: list[Reason], method: str, build: float, solve: float) -> Result:
    lead = Reason("the rules contradict each other", "rules_contradict", {})
    return Result("infeasible", Objective(), (), (), (), Stats(method, build, solve, None, None), (lead, *reasons))


def _gap(bound: float | None, value: float) -> float | None:
    if bound is None:
        return None
    return round(abs(bound - value) / max(1.0, abs(bound)), 6)


def _bounded_flow(problem: Problem, elig: Eligibility, locked: np.ndarray) -> tuple[CoverageNetwork | None,
                                                                                      FlowOutcome | None]:
    """Build the coverage network with the source-school caps and floors as arcs, and solve it lexicographically.

    Return (network, outcome). The network is None when the locks alone break a cap; the
    outcome is None when its costs would overflow, and "infeasible" when the network has no
    assignment. The network lacks only the key-teacher share, so its optimum is the
    lexicographic optimum of a relaxation: when it also meets the share it is the optimum.
    """
    bounds = send_bounds(problem, elig, locked)
    if bounds is None:
        return None, None
    network = CoverageNetwork(elig, locked, *bounds)
    return network, lexicographic_flow(network)


@dataclass(frozen=True)
class _Covered:
    chosen: np.ndarray
    method: str
    status: str
    bound: float | None                   # on the weight
    rank_distance_bound: int | None = None  # on rank x scale + distance, at that weight
    rank_distance_scale: int | None = None


def _coverage_under_rules(elig: Eligibility, network: CoverageNetwork, flow: FlowOutcome | None,
                          side: list[LinearRule], time_limit: float | None) -> _Covered:
    """Solve coverage under side rules: the bounded flow, then the priced share, then the integer program."""
    if flow is not None and _meets(elig, side, flow.chosen):
        return _Covered(flow.chosen, "min_cost_flow", "optimal", None)
    limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    started = time.perf_counter()
    # Imported here: with the compiled flow kernels and the linear programming it brings, about
    # 0.4 s that coverage without a binding share never needs.
    from allocation.keyshare import solve_key_share
    priced = solve_key_share(elig, network, side, flow.arc_flow, limit) if flow is not None else None
    if priced is not None and priced.status == "infeasible":
        return _Covered(np.zeros(0, dtype=np.int64), "lagrangian_flow", "infeasible", None)
    scale = _largest_total(elig, elig.objective_distance()) + 1
    if priced is not None and priced.status == "optimal":
        return _Covered(priced.best.chosen, "lagrangian_flow", "optimal", float(priced.weight_bound),
                        priced.low_bound, scale)
    hint = flow.chosen if flow is not None else solve_merit(elig, network.locked)
    bounds = None
    if priced is not None:
        hint, bounds = priced.best.chosen, (priced.weight_bound, priced.low_bound)
    remaining = max(1.0, limit - (time.perf_counter() - started))
    program = solve_coverage_program(elig, side, hint, remaining, bounds=bounds)
    bound = program.bound
    if flow is not None and program.status == "feasible" and _levels(elig, program.chosen) == _levels(
            elig, flow.chosen):
        # The bounded flow optimises over more assignments, so reaching its levels proves optimality.
        program = replace(program, status="optimal")
    if priced is None:
        return _Covered(program.chosen, program.method, program.status, bound)
    bound = float(priced.weight_bound) if bound is None else min(bound, float(priced.weight_bound))
    chosen, status = program.chosen, program.status
    levels = objective_levels(elig)
    fold = levels[1][1] if len(levels) == 2 else None
    if program.status in ("error", "infeasible") or (fold is not None and _better_levels(
            elig, fold, priced.best.chosen, program.chosen)):
        # The integer program ended with less than the assignment it started from: that one stands,
        # and any optimal claim of the program on a worse assignment was wrong.
        chosen, status = priced.best.chosen, "feasible"
    return _Covered(chosen, program.method, status, bound, priced.low_bound, scale)


def _better_levels(elig: Eligibility, fold: np.ndarray, first: np.ndarray, second: np.ndarray) -> bool:
    """Tell whether the first assignment has more weight, or as much and a lower folded rank and distance."""
    weight = elig.arrays.post_weight[elig.post]
    return (int(weight[first].sum()), -int(fold[first].sum())) > (int(weight[second].sum()), -int(fold[second].sum()))


def _meets(elig: Eligibility, side: list[LinearRule], chosen: np.ndarray) -> bool:
    is_chosen = np.zeros(elig.n_pairs, dtype=bool)
    is_chosen[chosen] = True
    return all(rule.holds(is_chosen) for rule in side)


def solve_problem(problem: Problem, time_limit: float | None = None) -> Result:
    """Solve a parsed problem and return the explained result."""
    started = time.perf_counter()
    elig = build_eligibility(problem)
    locked, lock_conflicts = locked_pairs(problem, elig)
    side = side_rules(problem, elig, locked)
    built = time.perf_counter()
    build_seconds = built - started
    if lock_conflicts:
        return _infeasible(lock_conflicts, "rule_check", build_seconds, 0.0)

    coupled = problem.rules.has_count_rules
    mechanism = problem.mechanism
    status, bound, tie_break = "optimal", None, (None, None)
    if mechanism == "merit" and not coupled:
        chosen, method = solve_merit(elig, locked), "serial_dictatorship"
    elif mechanism == "coverage" and not coupled:
        outcome = solve_coverage(elig, locked)
        if outcome is not None:
            chosen, method = outcome.chosen, "min_cost_flow"
        else:
            program = solve_coverage_program(elig, side, None, time_limit)
            chosen, method, status, bound = program.chosen, program.method, program.status, program.bound
    else:
        network, flow = _bounded_flow(problem, elig, locked)
        if network is None or (flow is not None and flow.status == "infeasible"):
            # The network holds every rule but the share: without an assignment the rules contradict.
            chosen, method, status = np.zeros(0, dtype=np.int64), "min_cost_flow", "infeasible"
        elif mechanism == "coverage":
            covered = _coverage_under_rules(elig, network, flow, side, time_limit)
            chosen, method, status, bound = covered.chosen, covered.method, covered.status, covered.bound
            tie_break = (covered.rank_distance_bound, covered.rank_distance_scale)
        else:
            # Merit's assignment (no envy without side rules) and the coverage flow (most weight)
            # are both assignments of this problem when they meet the rules; the search starts from the better.
            hints = [solve_merit(elig, locked)] + ([flow.chosen] if flow is not None else [])
            penalty = problem.weights.envy_penalty if mechanism == "balanced" else None
            weight_bound = None
            if flow is not None and mechanism == "balanced":
                # The flow maximises weight over more assignments, and envy costs are never negative.
                weight_bound = float(elig.arrays.post_weight[elig.post[flow.chosen]].sum())
            # CP-SAT is imported where it is used: with the table library it brings that takes about
            # 0.35 s, a tenth of a province-scale coverage solve, which never needs it.
            from allocation.cpsat import solve_envy_program
            program = solve_envy_program(elig, side, hints, time_limit, penalty, weight_bound)
            chosen, method, status, bound = program.chosen, program.method, program.status, program.bound
    solve_seconds = time.perf_counter() - built

    if status == "infeasible":
        from allocation.cpsat import minimal_conflict
        conflict = minimal_conflict(elig, side, time_limit)
        return _infeasible([rule.reason for rule in conflict], method, build_seconds, solve_seconds)
    if status == "error":
        reason = Reason("no solution found within the time limit", "time_limit_no_solution", {})
        return Result("error", Objective(), (), (), (), Stats(method, build_seconds, solve_seconds, bound, None),
                      (reason,))

    objective = _objective(elig, chosen)
    if bound is None:
        bound = float(objective.weight) if method in ("min_cost_flow", "mip_cbc", "mip_scip") else None
    if method == "serial_dictatorship":
        bound = float(objective.justified_envy)
    primary = objective.weight
    if method in ("cpsat_balanced", "mip_highs_balanced"):
        primary = objective.weight - problem.weights.envy_penalty * objective.justified_envy
    elif method == "cpsat_min_envy":
        primary = objective.weight - (int(elig.arrays.post_weight[elig.post].sum()) + 1) * objective.justified_envy
    gap = 0.0 if method == "serial_dictatorship" else _gap(bound, primary)
    explained = explain(problem, elig, chosen, locked)
    stats = Stats(method, build_seconds, solve_seconds, bound, gap, *tie_break)
    return Result(status, objective, explained.assignments, explained.unfilled, explained.unassigned, stats)


def solve_document(doc: dict, time_limit: float | None = None) -> dict:
    """Parse a problem document, solve it and return the result document."""
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and time_limit > 0):
        raise ProblemError(f"time limit: must be a positive number of seconds, got {time_limit!r}")
    started = time.perf_counter()
    problem = parse_problem(doc)
    parse_seconds = time.perf_counter() - started
    result = solve_problem(problem, time_limit)
    document = result_to_document(result)
    document["stats"]["build_seconds"] = round(document["stats"]["build_seconds"] + parse_seconds, 4)
    return document


def _read(path: str) -> dict:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ProblemError(f"problem file {path}: cannot be read ({error.__class__.__name__})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProblemError(f"problem file {path}: not JSON (line {error.lineno}, column {error.colno})") from None
    except ValueError:
        raise ProblemError(f"problem file {path}: holds a number too long to read") from None
    except RecursionError:
        raise ProblemError(f"problem file {path}: nested too deeply to read") from None


def run_solve_command(path: str, time_limit: float | None, out: str | None) -> int:
    """Run `python -m allocation solve`; return the exit status."""
    # The command keeps the document and the problem, about a million objects at province scale,
    # to its end and makes no garbage cycles worth collecting, so the cyclic collector would only walk
    # them over and over: about 0.5 s of every such solve. It is paused while the command runs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = solve_document(_read(path), time_limit)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    finally:
        if collecting:
            gc.enable()
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        try:
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as error:
            raise ProblemError(f"result file {out}: cannot be written ({error.__class__.__name__})") from None
    return 0
