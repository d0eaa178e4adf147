"""Coverage under coupling rules: a staged integer program on the sparse eligible-pair model.

The MIP backends prove these rotation-style models (source-school caps, key-teacher share)
optimal much faster than constraint programming, so coverage with side rules uses them.
Rank and distance are folded into one exact integer level when its range is small enough
for the backend's floating point, so the program is solved twice instead of three times.
"""
from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from allocation.eligibility import Eligibility
from allocation.rules import LinearRule

DEFAULT_BACKEND = "CBC"
DEFAULT_TIME_LIMIT = 60.0
SOLVER_THREADS = 2
# Largest folded rank-and-distance total solved as one level: far below 2**53, so every
# objective value and every difference of one unit stays exact in double precision.
FOLD_LIMIT = 2**40


@dataclass(frozen=True)
class ProgramOutcome:
    chosen: np.ndarray
    status: str            # optimal, feasible, infeasible or error
    bound: float | None    # bound on the first objective level
    method: str


def _groups(keys: np.ndarray, size: int) -> list[np.ndarray]:
    """Split pair indices by key (candidate or post) in one sort."""
    order = np.argsort(keys, kind="stable")
    cuts = np.searchsorted(keys[order], np.arange(size + 1))
    return [order[cuts[i]:cuts[i + 1]] for i in range(size)]


@contextlib.contextmanager
def _quiet_stdout():
    """Send anything the backend writes to file descriptor 1 to the null device (the JSON goes there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _largest_total(elig: Eligibility, values: np.ndarray) -> int:
    """Return the largest possible sum of values over an assignment (each candidate at most once)."""
    per_candidate = np.zeros(elig.arrays.n_candidates, dtype=np.int64)
    np.maximum.at(per_candidate, elig.cand, values)
    return int(per_candidate.sum())


def objective_levels(elig: Eligibility, fold: bool = True) -> list[tuple[str, np.ndarray, bool]]:
    """Return the levels (name, per-pair coefficients, maximise) solved one after the other.

    Any assignment has total distance between 0 and the sum of each candidate's longest
    eligible distance, D. So rank * (D + 1) + distance orders assignments exactly as
    (rank, then distance) does, and it is used as one level when it stays below FOLD_LIMIT.
    """
    weight = elig.arrays.post_weight[elig.post]
    rank, dist = elig.rank, elig.objective_distance()
    most_rank, most_dist = _largest_total(elig, rank), _largest_total(elig, dist)
    if fold and most_rank * (most_dist + 1) + most_dist < FOLD_LIMIT:
        return [("weight", weight, True), ("rank_distance", rank * (most_dist + 1) + dist, False)]
    return [("weight", weight, True), ("rank", rank, False), ("distance", dist, False)]


def solve_coverage_program(elig: Eligibility, side: list[LinearRule], hint: np.ndarray | None,
                           time_limit: float | None, backend: str = DEFAULT_BACKEND,
                           fold: bool = True, bounds: tuple[int, int | None] | None = None) -> ProgramOutcome:
    """Maximise weight, then minimise rank sum, then distance, each level fixed before the next.

    fold=False solves rank and distance as two levels even when they fit into one. bounds,
    when known, are (most weight, least folded rank and distance at that weight) proven
    elsewhere: both become rows, and a level that reaches its bound is proven even when the
    time limit stops the search.
    """
    arrays = elig.arrays
    method = f"mip_{backend.lower()}"
    solver = pywraplp.Solver.CreateSolver(backend)
    if solver is None:
        raise RuntimeError(f"the {backend} backend is not available in this OR-Tools build")
    if backend != "CBC":  # CBC reads threads from its own options and would echo an error
        solver.SetNumThreads(SOLVER_THREADS)
    x = [solver.BoolVar(f"x{i}") for i in range(elig.n_pairs)]

    # Each candidate takes at most one post.
    for pairs in _groups(elig.cand, arrays.n_candidates):
        if len(pairs) > 1:
            row = solver.Constraint(0, 1)
            for i in pairs.tolist():
                row.SetCoefficient(x[i], 1)
    # Each post takes at most its seats.
    for p, pairs in enumerate(_groups(elig.post, arrays.n_posts)):
        if len(pairs) > arrays.post_seats[p]:
            row = solver.Constraint(0, int(arrays.post_seats[p]))
            for i in pairs.tolist():
                row.SetCoefficient(x[i], 1)
    # Side rules: locked pairs, source-school bounds, key-teacher share.
    for rule in side:
        lower = -solver.infinity() if rule.lower is None else rule.lower
        upper = solver.infinity() if rule.upper is None else rule.upper
        row = solver.Constraint(lower, upper)
        for i, coef in zip(rule.pairs.tolist(), rule.coefs.tolist()):
            row.SetCoefficient(x[i], coef)

    if hint is not None and len(x):
        values = np.zeros(elig.n_pairs)
        values[hint] = 1.0
        solver.SetHint(x, values.tolist())

    levels = objective_levels(elig, fold)
    weight_bound, low_bound = bounds if bounds is not None else (None, None)
    if weight_bound is not None:
        # No assignment meeting the rules has more weight than the proven bound.
        row = solver.Constraint(-solver.infinity(), weight_bound)
        for i, coef in enumerate(levels[0][1].tolist()):
            row.SetCoefficient(x[i], coef)
    params = pywraplp.MPSolverParameters()
    # Every level is integral: a zero relative gap leaves the proof to the backend's integrality of the objective.
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)
    limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    # The limit counts from the solver's creation, so building the model uses it too.
    deadline = limit
    status, bound, chosen = "optimal", None, None
    for level, coefs, maximise in levels:
        if level != "weight" and not np.any(coefs):
            continue
        objective = solver.Objective()
        objective.Clear()
        for i, coef in enumerate(coefs.tolist()):
            if coef:
                objective.SetCoefficient(x[i], coef)
        objective.SetMaximization() if maximise else objective.SetMinimization()
        solver.SetTimeLimit(max(1, int((deadline - solver.WallTime() / 1000.0) * 1000)))
        with _quiet_stdout():
            result = solver.Solve(params)
        if result == pywraplp.Solver.INFEASIBLE:
            return ProgramOutcome(np.zeros(0, dtype=np.int64), "infeasible", None, method)
        if result not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            if chosen is None:
                return ProgramOutcome(np.zeros(0, dtype=np.int64), "error", None, method)
            status = "feasible"
            break
        values = np.array([v.solution_value() for v in x]) if x else np.zeros(0)
        chosen = np.nonzero(values > 0.5)[0].astype(np.int64)
        achieved = int(round(float(coefs[chosen].sum())))
        proven = level == "weight" and achieved == weight_bound
        if level == "weight":
            bound = float(objective.BestBound()) if result == pywraplp.Solver.FEASIBLE else float(achieved)
            if weight_bound is not None:
                bound = min(bound, float(weight_bound))
            if weight_bound is not None and achieved == weight_bound and low_bound is not None and len(levels) == 2:
                # The folded level's proven bound holds at this weight.
                row = solver.Constraint(low_bound, solver.infinity())
                for i, coef in enumerate(levels[1][1].tolist()):
                    if coef:
                        row.SetCoefficient(x[i], coef)
        elif level == "rank_distance":
            proven = weight_bound is not None and achieved == low_bound and bound == float(weight_bound)
        if result == pywraplp.Solver.FEASIBLE and not proven:
            status = "feasible"
            break
        # Keep this level at its optimum while the next level is optimised.
        row = solver.Constraint(achieved, achieved)
        for i, coef in enumerate(coefs.tolist()):
            if coef:
                row.SetCoefficient(x[i], coef)
        solver.SetHint(x, values.tolist())
    return ProgramOutcome(chosen, status, bound, method)
