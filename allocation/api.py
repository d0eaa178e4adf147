"""Solve a problem document: parse, check the rules, pick the method, explain, report."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace

import numpy as np

from allocation.cpsat import minimal_conflict, solve_envy_program
from allocation.domain import Objective, Problem, Reason, Result, Stats
from allocation.eligibility import Eligibility, build_eligibility
from allocation.envy import count_justified_envy
from allocation.errors import ProblemError
from allocation.explain import explain
from allocation.flow import solve_coverage
from allocation.io import parse_problem, result_to_document
from allocation.merit import solve_merit
from allocation.mip import solve_coverage_program
from allocation.rules import LinearRule, locked_pairs, send_caps, side_rules


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


def _capped_flow(problem: Problem, elig: Eligibility, locked: np.ndarray, side: list[LinearRule]):
    """Solve coverage as a flow with the source-school caps in the network, the rules the network lacks dropped.

    Return (chosen, meets_every_rule), or None when the flow cannot be built. The flow is the
    lexicographic optimum over a larger set of assignments (minimum sends and the key-teacher
    share left out), so when it also meets those rules it is the optimum of the whole problem.
    """
    caps = send_caps(problem, elig, locked)
    if caps is None:
        return None
    outcome = solve_coverage(elig, locked, caps)
    if outcome is None:
        return None
    is_chosen = np.zeros(elig.n_pairs, dtype=bool)
    is_chosen[outcome.chosen] = True
    return outcome.chosen, all(rule.holds(is_chosen) for rule in side)


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
    status, bound = "optimal", None
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
        flow = _capped_flow(problem, elig, locked, side)
        if mechanism == "coverage" and flow is not None and flow[1]:
            chosen, method = flow[0], "min_cost_flow"
        else:
            if mechanism == "coverage":
                hint = flow[0] if flow is not None else solve_merit(elig, locked)
                program = solve_coverage_program(elig, side, hint, time_limit)
                if program.status == "feasible" and flow is not None and _levels(elig, program.chosen) == _levels(
                        elig, flow[0]):
                    # The capped flow optimises over more assignments, so reaching its levels proves optimality.
                    program = replace(program, status="optimal")
            else:
                # Merit's assignment (no envy without side rules) and the coverage flow (most weight)
                # are both assignments of this problem; the search starts from the better one.
                hints = [solve_merit(elig, locked)] + ([flow[0]] if flow is not None else [])
                penalty = problem.weights.envy_penalty if mechanism == "balanced" else None
                weight_bound = None
                if flow is not None and mechanism == "balanced":
                    # The flow maximises weight over more assignments, and envy costs are never negative.
                    weight_bound = float(elig.arrays.post_weight[elig.post[flow[0]]].sum())
                program = solve_envy_program(elig, side, hints, time_limit, penalty, weight_bound)
            chosen, method, status, bound = program.chosen, program.method, program.status, program.bound
    solve_seconds = time.perf_counter() - built

    if status == "infeasible":
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
    stats = Stats(method, build_seconds, solve_seconds, bound, gap)
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


def run_solve_command(path: str, time_limit: float | None, out: str | None) -> int:
    """Run `python -m allocation solve`; return the exit status."""
    document = solve_document(_read(path), time_limit)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        try:
            with open(out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as error:
            raise ProblemError(f"result file {out}: cannot be written ({error.__class__.__name__})") from None
    return 0
