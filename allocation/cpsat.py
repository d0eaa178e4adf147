"""Balanced allocation (weight against justified envy) and rule-conflict explanation with CP-SAT."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from allocation.eligibility import Eligibility
from allocation.envy import count_justified_envy
from allocation.mip import DEFAULT_TIME_LIMIT, SOLVER_THREADS, ProgramOutcome, _groups, _largest_total
from allocation.rules import LinearRule

EXPLAIN_TIME_LIMIT = 20.0
# Largest folded balanced objective (first level times the tie-break range): exact in the
# solver's integer arithmetic and in the double precision of its linear relaxation.
TIE_BREAK_LIMIT = 2**50
# Largest folded objective given to the HiGHS branch and cut, whose arithmetic is floating
# point: far below 2**53, so one unit of the tie-break stays visible (as in mip.FOLD_LIMIT).
MIP_OBJECTIVE_LIMIT = 2**40
# Share of the time limit for the branch and cut; CP-SAT gets the rest when it proves nothing.
MIP_SHARE = 0.75
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


@dataclass
class _EnvyTerms:
    """The blocking indicators of a model, and how every auxiliary variable follows from an assignment.

    Each step is (variable, kind, sources, seats): "count" sums its sources, "closed" tells
    whether the count source reaches the seats, "blocking" is 1 when no source is. Sources are
    variable indices; the pair Booleans come first in the model, so index i < n_pairs is pair i.
    """

    blocking: list = field(default_factory=list)
    steps: list = field(default_factory=list)

    def hint_values(self, is_chosen: np.ndarray) -> list[tuple[cp_model.IntVar, int]]:
        """Return every auxiliary variable with its value under the assignment."""
        n = len(is_chosen)
        value: dict[int, int] = {}

        def of(k: int) -> int:
            return int(is_chosen[k]) if k < n else value[k]

        out = []
        for var, kind, sources, seats in self.steps:
            total = sum(of(k) for k in sources)
            if kind == "closed":
                total = int(total >= seats)
            elif kind == "blocking":
                total = int(total == 0)
            value[var.index] = total
            out.append((var, total))
        return out


def _envy_indicators(model: cp_model.CpModel, x: list, elig: Eligibility) -> _EnvyTerms:
    """Add one Boolean per eligible pair that must be 1 when the pair blocks (justified envy).

    A pair (c, p) blocks unless c is as well off (holds p or a post it likes more: a prefix of
    c's pairs by rank) or p is closed to c (every seat held by candidates scoring at least as
    much: a prefix of p's pairs by score). Both prefixes are chains, so the model stays linear in
    the number of eligible pairs. Every auxiliary variable is bounded only on the side the
    objective pushes against (the solver wants "as well off" and "closed" true and "blocking"
    false), which keeps the model small and lets neighbourhood search move freely.
    """
    arrays = elig.arrays
    terms = _EnvyTerms()
    as_well_off: list = [None] * elig.n_pairs
    for c in range(arrays.n_candidates):
        lo, hi = int(elig.cand_start[c]), int(elig.cand_start[c + 1])
        if hi == lo:
            continue
        if not arrays.cand_has_prefs[c]:
            # All eligible posts are liked equally: as well off means placed anywhere.
            placed = model.new_bool_var(f"placed{c}")
            model.add(placed <= sum(x[lo:hi]))
            terms.steps.append((placed, "count", list(range(lo, hi)), None))
            as_well_off[lo:hi] = [placed] * (hi - lo)
            continue
        # Holding pair i's post or a better one: the previous prefix or pair i itself.
        as_well_off[lo] = previous = x[lo]
        for i in range(lo + 1, hi):
            current = model.new_bool_var(f"good{i}")
            model.add(current <= previous + x[i])
            terms.steps.append((current, "count", [previous.index, i], None))
            as_well_off[i] = previous = current

    for p, pairs in enumerate(_groups(elig.post, arrays.n_posts)):
        seats = int(arrays.post_seats[p])
        if seats == 0 or len(pairs) == 0:
            continue  # a post without seats has room for nobody, so nobody envies it
        order = pairs[np.argsort(-arrays.cand_score[elig.cand[pairs]], kind="stable")]
        cuts = np.flatnonzero(np.diff(arrays.cand_score[elig.cand[order]])) + 1
        held, at_least = None, 0
        # Candidates of equal score see the post closed or open together: one step per score.
        for group in np.split(order, cuts):
            at_least += len(group)
            sources = ([] if held is None else [held.index]) + group.tolist()
            count = model.new_int_var(0, seats, f"held{p}_{int(group[0])}") if seats > 1 else \
                model.new_bool_var(f"held{p}_{int(group[0])}")
            # Seats held by candidates scoring at least this group's score.
            model.add(count <= sum(x[i] for i in group.tolist()) + (0 if held is None else held))
            terms.steps.append((count, "count", sources, None))
            held, closed = count, None
            if at_least >= seats:
                if seats == 1:
                    closed = count
                else:
                    closed = model.new_bool_var(f"closed{p}_{int(group[0])}")
                    model.add(seats * closed <= count)
                    terms.steps.append((closed, "closed", [count.index], seats))
            for i in group.tolist():
                blocks = model.new_bool_var(f"blocks{i}")
                literals = [as_well_off[i]] + ([] if closed is None else [closed])
                # The pair blocks unless the candidate is as well off or the post is closed to it.
                model.add(blocks + sum(literals) >= 1)
                terms.steps.append((blocks, "blocking", [lit.index for lit in literals], None))
                terms.blocking.append(blocks)
    return terms


def _scaled(value: float) -> Fraction:
    return Fraction(str(value)).limit_denominator(1000)


@dataclass(frozen=True)
class _Objective:
    """The folded objective: multiplier * (scale * weight - penalty * envy) - tie_break.

    The tie-break (rank sum, then distance) lies in [0, multiplier), so it only orders
    assignments with the same first level and can never change that level.
    """

    scale: int
    penalty: int
    multiplier: int
    tie_break: np.ndarray   # per pair
    total_weight: int

    def value(self, elig: Eligibility, chosen: np.ndarray) -> int:
        """Return the exact objective of an assignment, counting its justified envy directly."""
        weight = int(elig.arrays.post_weight[elig.post[chosen]].sum())
        first = self.scale * weight - self.penalty * count_justified_envy(elig, chosen)
        return self.multiplier * first - int(self.tie_break[chosen].sum())

    @property
    def largest(self) -> int:
        """Return a bound on the absolute value of the folded objective."""
        return self.multiplier * (self.scale * self.total_weight + self.penalty * len(self.tie_break))

    def first_level(self, elig: Eligibility, chosen: np.ndarray) -> float:
        """Return weight - penalty * envy of an assignment."""
        weight = int(elig.arrays.post_weight[elig.post[chosen]].sum())
        return (self.scale * weight - self.penalty * count_justified_envy(elig, chosen)) / self.scale

    def first_level_bound(self, bound: float) -> float:
        """Turn a bound on the folded objective into a bound on weight - penalty * envy."""
        if not math.isfinite(bound):
            return bound
        # The objective is integral; the small allowance absorbs a floating-point bound's noise.
        whole = math.floor(bound + 1e-6)
        return math.floor((whole + self.multiplier - 1) / self.multiplier) / self.scale


def _balanced_objective(elig: Eligibility, envy_penalty: float | None) -> _Objective:
    """Return the objective of balanced (or of merit under side rules when envy_penalty is None).

    Merit: justified envy first (its penalty exceeds the whole weight), then weight, no tie-break.
    Balanced: weight - penalty * envy, then rank sum, then distance, folded exactly as
    rank * (D + 1) + distance (D = the largest total distance) when the whole objective stays
    below TIE_BREAK_LIMIT; otherwise the distance level, then the rank level, are left out.
    """
    weight = elig.arrays.post_weight[elig.post]
    total_weight = int(weight.sum())
    no_ties = np.zeros(elig.n_pairs, dtype=np.int64)
    if envy_penalty is None:
        return _Objective(1, total_weight + 1, 1, no_ties, total_weight)
    fraction = _scaled(envy_penalty)
    scale, penalty = fraction.denominator, fraction.numerator
    largest_first = scale * total_weight + penalty * elig.n_pairs
    rank, dist = elig.rank, elig.objective_distance()
    most_rank, most_dist = _largest_total(elig, rank), _largest_total(elig, dist)
    for tie_break, most in ((rank * (most_dist + 1) + dist, most_rank * (most_dist + 1) + most_dist),
                            (rank, most_rank)):
        if largest_first * (most + 1) + most < TIE_BREAK_LIMIT:
            return _Objective(scale, penalty, most + 1, tie_break.astype(np.int64), total_weight)
    return _Objective(scale, penalty, 1, no_ties, total_weight)


def _meets(elig: Eligibility, side: list[LinearRule], chosen: np.ndarray) -> bool:
    is_chosen = np.zeros(elig.n_pairs, dtype=bool)
    is_chosen[chosen] = True
    return all(rule.holds(is_chosen) for rule in side)


def _solve_as_mip(model: cp_model.CpModel, n_pairs: int, time_limit: float) -> tuple[np.ndarray | None, bool, float]:
    """Solve the same linear model with the HiGHS branch and cut; return (chosen, proved, bound).

    Every constraint of the envy model is linear, and its linear relaxation with cuts proves
    prefecture-scale problems at the root, where the constraint search struggles to close the gap.
    The bound is on the model's objective (inf when unknown); chosen is None when nothing was found.
    """
    proto = model.model_proto
    n_vars = len(proto.variables)
    rows, cols, coefs, lower, upper = [], [], [], [], []
    for ct in proto.constraints:
        if ct.has_linear():
            terms, domain = ct.linear, ct.linear.domain
            low, high = float(domain[0]), float(domain[len(domain) - 1])
            rows.extend([len(lower)] * len(terms.vars))
            cols.extend(terms.vars)
            coefs.extend(terms.coeffs)
        elif ct.has_at_most_one():
            literals = ct.at_most_one.literals
            low, high = -np.inf, 1.0
            rows.extend([len(lower)] * len(literals))
            cols.extend(literals)
            coefs.extend([1] * len(literals))
        else:
            raise ValueError("the envy model holds only linear and at-most-one constraints")
        lower.append(low if low > -2**62 else -np.inf)
        upper.append(high if high < 2**62 else np.inf)
    matrix = sparse.csr_array((np.array(coefs, dtype=float), (rows, cols)), shape=(len(lower), n_vars))
    var_low = np.array([v.domain[0] for v in proto.variables], dtype=float)
    var_high = np.array([v.domain[len(v.domain) - 1] for v in proto.variables], dtype=float)
    # A maximising model stores the minimisation of its negated objective (scaling factor -1).
    if proto.objective.scaling_factor >= 0:
        raise ValueError("the envy model maximises")
    cost = np.zeros(n_vars)
    cost[list(proto.objective.vars)] = list(proto.objective.coeffs)
    result = milp(cost, constraints=LinearConstraint(matrix, lower, upper), bounds=Bounds(var_low, var_high),
                  integrality=np.ones(n_vars), options={"time_limit": time_limit, "mip_rel_gap": 0.0, "disp": False})
    dual = getattr(result, "mip_dual_bound", None)
    bound = -(float(dual) + proto.objective.offset) if dual is not None and math.isfinite(dual) else np.inf
    if result.x is None:
        return None, False, bound
    chosen = np.nonzero(result.x[:n_pairs] > 0.5)[0].astype(np.int64)
    return chosen, result.status == 0, bound


def solve_envy_program(elig: Eligibility, side: list[LinearRule], hints: list[np.ndarray],
                       time_limit: float | None, envy_penalty: float | None,
                       weight_bound: float | None = None) -> ProgramOutcome:
    """Maximise weight minus envy_penalty times justified envy under the side rules, then the tie-breaks.

    envy_penalty=None means merit: minimise justified envy first, then maximise weight (CP-SAT).
    Balanced runs the HiGHS branch and cut on the model first (MIP_SHARE of the time) and, when
    that does not prove optimality, CP-SAT for the rest, started from the best assignment so far.
    hints are assignments that respect seats (merit, the coverage flow ...): the best one that
    meets the side rules is the first such start, and is returned (status feasible) when the
    search ends with nothing better. weight_bound, when given, is an upper bound on the weight of
    any assignment meeting the rules (the coverage flow of a relaxation) and caps the bound.
    """
    arrays = elig.arrays
    limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    started = time.perf_counter()
    model, x = _assignment_model(elig)
    for rule in side:
        _add_rule(model, x, rule)
    objective = _balanced_objective(elig, envy_penalty)
    weight = arrays.post_weight[elig.post]
    terms = _envy_indicators(model, x, elig) if objective.penalty > 0 else _EnvyTerms()
    # Filled weight is worth its weight, each justified-envy pair costs the penalty; ties go to
    # the lower rank sum, then the lower distance.
    model.maximize(sum((objective.multiplier * objective.scale * int(w) - int(t)) * xi
                       for w, t, xi in zip(weight.tolist(), objective.tie_break.tolist(), x))
                   - objective.multiplier * objective.penalty * sum(terms.blocking))

    starts = [h for h in hints if _meets(elig, side, h)]
    bound, method = np.inf, "cpsat_min_envy" if envy_penalty is None else "cpsat_balanced"
    if envy_penalty is not None and elig.n_pairs and objective.largest < MIP_OBJECTIVE_LIMIT:
        method = "mip_highs_balanced"
        chosen, proved, bound = _solve_as_mip(model, elig.n_pairs, MIP_SHARE * limit)
        if chosen is not None and _meets(elig, side, chosen):
            if proved:
                return ProgramOutcome(chosen, "optimal", objective.first_level(elig, chosen), method)
            starts.append(chosen)
    best_start = max(starts, key=lambda h: objective.value(elig, h), default=None)
    if best_start is not None:
        is_chosen = np.zeros(elig.n_pairs, dtype=bool)
        is_chosen[best_start] = True
        for xi, value in zip(x, is_chosen.tolist()):
            model.add_hint(xi, value)
        for var, value in terms.hint_values(is_chosen):
            model.add_hint(var, value)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, limit - (time.perf_counter() - started))
    solver.parameters.num_workers = SOLVER_THREADS
    result = solver.solve(model)
    status = _STATUS.get(result, "error")
    if status == "infeasible":
        return ProgramOutcome(np.zeros(0, dtype=np.int64), status, None, method)
    if status != "error":
        # Without any solution the solver reports no meaningful bound.
        bound = min(bound, float(solver.best_objective_bound))
    first_bound = objective.first_level_bound(bound)
    if weight_bound is not None:
        first_bound = min(first_bound, float(weight_bound))
    first_bound = first_bound if math.isfinite(first_bound) else None
    chosen = None
    if status != "error":
        chosen = np.array([i for i, xi in enumerate(x) if solver.boolean_value(xi)], dtype=np.int64)
    if best_start is not None and (chosen is None or objective.value(elig, chosen) < objective.value(elig, best_start)):
        # The search ended with nothing or with something worse than where it started.
        chosen, status = best_start, "feasible"
    if chosen is None:
        return ProgramOutcome(np.zeros(0, dtype=np.int64), "error", first_bound, method)
    return ProgramOutcome(chosen, status, first_bound, method)


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
