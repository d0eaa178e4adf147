"""Balanced allocation (weight against justified envy) and rule-conflict explanation with CP-SAT."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from allocation.eligibility import Eligibility
from allocation.mip import DEFAULT_TIME_LIMIT, SOLVER_THREADS, ProgramOutcome, _groups
from allocation.rules import LinearRule

EXPLAIN_TIME_LIMIT = 20.0
_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
}


def _assignment_model(elig: Eligibility) -> tuple[cp_model.CpModel, list]:
    """Create one Boolean per eligible pair with the seat and one-post constraints."""
    arrays = elig.arrays
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(elig.n_pairs)]
    # Each candidate takes at most one post.
    for c in range(arrays.n_candidates):
        lo, hi = int(elig.cand_start[c]), int(elig.cand_start[c + 1])
        if hi - lo > 1:
            model.add_at_most_one(x[lo:hi])
    # Each post takes at most its seats.
    for p, pairs in enumerate(_groups(elig.post, arrays.n_posts)):
        if len(pairs) > arrays.post_seats[p]:
            model.add(sum(x[i] for i in pairs.tolist()) <= int(arrays.post_seats[p]))
    return model, x


def _add_rule(model: cp_model.CpModel, x: list, rule: LinearRule):
    expr = sum(coef * x[i] for i, coef in zip(rule.pairs.tolist(), rule.coefs.tolist()))
    if rule.lower is not None and rule.upper is not None:
        return model.add_linear_constraint(expr, rule.lower, rule.upper)
    if rule.lower is not None:
        return model.add(expr >= rule.lower)
    return model.add(expr <= rule.upper)


def _envy_indicators(model: cp_model.CpModel, x: list, elig: Eligibility) -> list:
    """Add one Boolean per eligible pair that must be 1 when the pair blocks (justified envy).

    With S = 1 if c holds p or a post it likes at least as much, and H = seats of p held by
    others scoring at least as much as c: seats * (1 - S) <= seats * blocking + H.
    Prefix sums (per candidate by rank, per post by score) keep the model linear in size.
    """
    arrays = elig.arrays
    n = elig.n_pairs
    # Per candidate: at_least_as_good[i] = candidate holds pair i's post or a better one.
    at_least_as_good = [None] * n
    for c in range(arrays.n_candidates):
        lo, hi = int(elig.cand_start[c]), int(elig.cand_start[c + 1])
        if hi == lo:
            continue
        if not arrays.cand_has_prefs[c]:
            held = sum(x[lo:hi])
            for i in range(lo, hi):
                at_least_as_good[i] = held
            continue
        prefix = None
        for i in range(lo, hi):
            current = model.new_bool_var(f"g{i}")
            model.add(current == (x[i] if prefix is None else prefix + x[i]))
            at_least_as_good[i] = prefix = current
    # Per post: held_by_not_lower[i] = seats held by candidates scoring at least as much as pair i's.
    blocking = []
    for p, pairs in enumerate(_groups(elig.post, arrays.n_posts)):
        seats = int(arrays.post_seats[p])
        if seats == 0 or len(pairs) == 0:
            continue
        scores = arrays.cand_score[elig.cand[pairs]]
        order = pairs[np.argsort(-scores, kind="stable")]
        ordered_scores = arrays.cand_score[elig.cand[order]]
        prefix_vars, running = [], None
        for i in order.tolist():
            total = model.new_int_var(0, seats, f"h{i}")
            model.add(total == (x[i] if running is None else running + x[i]))
            prefix_vars.append(total)
            running = total
        # The last position of each tie group counts everyone scoring at least as much.
        group_end = np.searchsorted(-ordered_scores, -ordered_scores, side="right") - 1
        for position, i in enumerate(order.tolist()):
            held = prefix_vars[group_end[position]]
            b = model.new_bool_var(f"b{i}")
            # A pair blocks unless c has p or better, or p is full of candidates scoring at least as much.
            model.add(seats * at_least_as_good[i] + seats * b + held - x[i] >= seats)
            blocking.append(b)
    return blocking


def _scaled(value: float) -> Fraction:
    return Fraction(str(value)).limit_denominator(1000)


def solve_envy_program(elig: Eligibility, side: list[LinearRule], hint: np.ndarray | None,
                       time_limit: float | None, envy_penalty: float | None) -> ProgramOutcome:
    """Maximise weight minus envy_penalty times justified envy under the side rules.

    envy_penalty=None means merit: minimise justified envy first, then maximise weight.
    """
    arrays = elig.arrays
    model, x = _assignment_model(elig)
    for rule in side:
        _add_rule(model, x, rule)
    weight = arrays.post_weight[elig.post].tolist()
    weight_expr = sum(w * xi for w, xi in zip(weight, x))
    total_weight = int(sum(weight))
    if envy_penalty is None:
        blocking = _envy_indicators(model, x, elig)
        penalty, scale, method = Fraction(total_weight + 1), 1, "cpsat_min_envy"
    elif envy_penalty > 0:
        blocking = _envy_indicators(model, x, elig)
        fraction = _scaled(envy_penalty)
        penalty, scale, method = Fraction(fraction.numerator), fraction.denominator, "cpsat_balanced"
    else:
        blocking, penalty, scale, method = [], Fraction(0), 1, "cpsat_balanced"
    # Filled weight is worth its weight; each justified-envy pair costs the penalty.
    model.maximize(scale * weight_expr - int(penalty) * sum(blocking))

    if hint is not None:
        values = np.zeros(elig.n_pairs, dtype=bool)
        values[hint] = True
        for xi, value in zip(x, values.tolist()):
            model.add_hint(xi, value)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    solver.parameters.num_workers = SOLVER_THREADS
    result = solver.solve(model)
    status = _STATUS.get(result, "error")
    if status in ("infeasible", "error"):
        return ProgramOutcome(np.zeros(0, dtype=np.int64), status, None, method)
    chosen = np.array([i for i, xi in enumerate(x) if solver.boolean_value(xi)], dtype=np.int64)
    bound = float(solver.best_objective_bound) / scale
    return ProgramOutcome(chosen, status, bound, method)


def minimal_conflict(elig: Eligibility, side: list[LinearRule], time_limit: float | None = None) -> list[LinearRule]:
    """Return a minimal set of side rules that cannot hold together (empty if they can or time ran out).

    Each rule is guarded by an assumption literal; the solver's infeasible core is then
    shrunk by dropping one rule at a time while the rest stays infeasible.
    """
    model, x = _assignment_model(elig)
    guards = []
    for k, rule in enumerate(side):
        guard = model.new_bool_var(f"rule{k}")
        _add_rule(model, x, rule).only_enforce_if(guard)
        guards.append(guard)
    limit = EXPLAIN_TIME_LIMIT if time_limit is None else max(1.0, time_limit)

    def core_of(active: list[int]) -> list[int] | None:
        model.clear_assumptions()
        model.add_assumptions([guards[k] for k in active])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.num_workers = 1
        if solver.solve(model) != cp_model.INFEASIBLE:
            return None
        core = set(solver.sufficient_assumptions_for_infeasibility())
        return [k for k in active if guards[k].index in core] or active

    core = core_of(list(range(len(side))))
    if core is None:
        return []
    for k in list(core):
        if k not in core:
            continue
        smaller = core_of([j for j in core if j != k])
        if smaller is not None:
            core = smaller
    return [side[k] for k in core]
