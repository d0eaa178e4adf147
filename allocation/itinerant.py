"""Itinerant teaching (走教): place subject demands on travelling teachers.

The model is a generalized assignment problem: teachers (agents) have a weekly
period capacity, each school's subject demand (job) goes to exactly one
teacher, a demand uses its periods plus a travel overhead that depends on the
teacher and the school, and the total travel cost is minimised.

Solving runs in steps: a regret heuristic with local search gives an
incumbent; the linear relaxation (HiGHS) gives a bound and reduced costs that
remove pairs which cannot appear in any solution at most as costly as the
incumbent; CP-SAT on the full model closes small and loose instances. When it
does not, a neighbourhood search repairs the rounded relaxation (when no
assignment is known yet, the best is poor, or on large instances not close),
then branch and cut (HiGHS) on the reduced model and CP-SAT on a core model
run side by side, one per core (CP-SAT alone with both cores when costs fall
almost linearly as resource use rises, where branch and cut rarely helps),
and CP-SAT on the full model, hinted with the best assignment,
improves or proves it. `optimal` is claimed only on a proof.
"""
from __future__ import annotations

import json
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from allocation.errors import ProblemError

DOCUMENT_FORMAT = "trainhub-itinerant/1"
RESULT_FORMAT = "trainhub-itinerant-result/1"
DEFAULT_TIME_LIMIT = 20.0
DEFAULT_WORKERS = 2
EARTH_RADIUS_KM = 6371.0
# Travel defaults of the document form: one period of overhead per this many
# kilometres between a teacher's home school and the demand's school, and
# one cost unit per kilometre.
DEFAULT_KM_PER_OVERHEAD_PERIOD = 15.0
DEFAULT_COST_PER_KM = 1.0
# Reduced-cost fixing keeps pairs whose LP bound is within this tolerance of
# the incumbent, so that floating-point noise never removes a needed pair.
FIXING_TOLERANCE = 1e-6
# Time split between the phases of a solve, as shares of the time limit.
FIRST_PHASE_SHARE = 0.15
LAST_PHASE_SHARE = 0.15
MIN_SOLVER_SECONDS = 1.0
MIN_PHASE_SECONDS = 0.05
# Neighbourhood search: each step frees the jobs of a few agents and reassigns
# them among those agents exactly. The neighbourhood starts with this many
# agents and grows by one after this many steps without improvement (counted
# per agent), up to the maximum.
SEARCH_FIRST_AGENTS = 3
SEARCH_MAX_AGENTS = 6
SEARCH_STALL_STEPS_PER_AGENT = 2
SEARCH_STEP_SECONDS = 0.1
# Agents related to a job: those with the smallest reduced costs for it.
SEARCH_RELATED_AGENTS = 4
SEARCH_SEED = 1997
# The neighbourhood search repairs the rounded relaxation when the heuristic
# found nothing, on large instances when the assignment is this far above the
# relaxation (relative), and on any instance when it is at least the poor-start
# gap above it; on smaller ones with a fair start branch and cut does better
# with the time.
SEARCH_START_GAP = 0.01
SEARCH_MIN_JOBS = 500
SEARCH_POOR_START_GAP = 0.2
SEARCH_SHARE = 0.3
# The core model keeps this many teachers per job, those with the smallest
# reduced costs in the linear relaxation.
CORE_AGENTS_PER_JOB = 3
# When each job's costs fall almost linearly as its resource use rises across
# teachers (mean correlation at most this), branch and cut rarely improves on
# the incumbent; CP-SAT then gets both cores for the core model and a longer
# first phase instead.
TRADE_OFF_CORRELATION = -0.9
TRADE_OFF_FIRST_PHASE_SHARE = 0.25
# Branch and cut joins from this many jobs down only: on larger instances its
# root work can overrun the time limit, and CP-SAT gets both cores instead.
MIP_MAX_JOBS = 500
HEURISTIC_MEASURES = ("cost", "weight", "relative_weight", "cost_times_weight")


@dataclass(frozen=True)
class ItinerantResult:
    """Outcome of one itinerant-teaching solve.

    status: "optimal", "feasible" (time limit hit, best found), "infeasible"
    (proved: no assignment fits the capacities) or "unknown" (no assignment
    found in time). assignment[j] is the agent index of job j.
    """

    status: str
    cost: int | None
    assignment: list[int] | None
    bound: float | None
    seconds: float


def solve_itinerant(
    costs: Sequence[Sequence[int]],
    weights: Sequence[Sequence[int]],
    capacities: Sequence[int],
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    *,
    allowed: Sequence[Sequence[bool]] | None = None,
    workers: int = DEFAULT_WORKERS,
) -> ItinerantResult:
    """Assign every job to one agent within capacities at minimum total cost.

    costs[i][j] and weights[i][j] are the cost and resource use of job j on
    agent i (integers), capacities[i] the capacity of agent i; allowed, when
    given, marks the pairs that may be used at all.
    """
    started = time.perf_counter()
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    cost, weight, capacity = _as_arrays(costs, weights, capacities)
    agent_count, job_count = cost.shape
    usable = weight <= capacity[:, None]
    if allowed is not None:
        usable &= np.asarray(allowed, dtype=bool).reshape(cost.shape)
    if job_count == 0:
        return ItinerantResult("optimal", 0, [], 0.0, time.perf_counter() - started)
    if agent_count == 0 or not usable.any(axis=0).all():
        return ItinerantResult("infeasible", None, None, None, time.perf_counter() - started)

    incumbent = _heuristic(cost, weight, capacity, usable)
    upper = _total_cost(cost, incumbent) if incumbent is not None else None

    relaxation = _solve_relaxation(cost, weight, capacity, usable)
    if relaxation is None:
        return ItinerantResult("infeasible", None, None, None, time.perf_counter() - started)
    lp_bound, reduced_costs, fractional = relaxation
    if upper is not None:
        usable &= lp_bound + reduced_costs <= upper + FIXING_TOLERANCE
        if upper <= math.ceil(lp_bound - FIXING_TOLERANCE):
            return ItinerantResult("optimal", upper, incumbent, lp_bound, time.perf_counter() - started)

    deadline = started + max(limit, MIN_SOLVER_SECONDS)
    bound = lp_bound
    # Above the branch-and-cut size CP-SAT has both cores anyway; the first phase stays short there.
    trade_off = job_count <= MIP_MAX_JOBS and _cost_weight_correlation(cost, weight) <= TRADE_OFF_CORRELATION
    first_share = TRADE_OFF_FIRST_PHASE_SHARE if trade_off else FIRST_PHASE_SHARE
    # Phase 1: the full model, which closes small and loose instances quickly.
    status, found, found_cost, solver_bound = _solve_cp_sat(
        cost, weight, capacity, usable, incumbent, lp_bound, _phase_seconds(deadline, first_share * limit), workers,
    )
    if solver_bound is not None:
        bound = max(bound, solver_bound)
    if found is not None and (upper is None or found_cost <= upper):
        incumbent, upper = found, found_cost
    proved = status == "optimal" or (status == "infeasible" and incumbent is not None)
    if not proved and status != "infeasible":
        # Phase 2a: when the assignment so far is missing, poor, or not close on a
        # large instance, repair the rounded relaxation by neighbourhood search.
        if (
            upper is None
            or upper > (1.0 + SEARCH_POOR_START_GAP) * lp_bound
            or (job_count >= SEARCH_MIN_JOBS and upper > (1.0 + SEARCH_START_GAP) * lp_bound)
        ):
            start = _round_relaxation(fractional, usable)
            search_end = min(started + (1.0 - LAST_PHASE_SHARE) * limit, time.perf_counter() + SEARCH_SHARE * limit)
            found = _search_neighbourhoods(cost, weight, capacity, usable, reduced_costs, start, search_end)
            if found is not None and (upper is None or _total_cost(cost, found) < upper):
                incumbent, upper = found, _total_cost(cost, found)
        if upper is not None:
            usable &= lp_bound + reduced_costs <= upper + FIXING_TOLERANCE
        # Phase 2b: two methods side by side, one per core: the branch-and-cut
        # solver on the reduced model, and CP-SAT on the core model that keeps
        # each job's teachers with the smallest reduced costs (and the incumbent's).
        # Large and trade-off instances give CP-SAT both cores instead.
        portfolio_seconds = _phase_seconds(deadline, (1.0 - LAST_PHASE_SHARE) * limit - (time.perf_counter() - started))
        core = _core_pairs(reduced_costs, usable, incumbent)
        if job_count <= MIP_MAX_JOBS and not trade_off:
            with ThreadPoolExecutor(max_workers=1) as pool:
                core_run = pool.submit(
                    _solve_cp_sat, cost, weight, capacity, core, incumbent, lp_bound, portfolio_seconds, 1,
                )
                mip_status, mip_found, mip_bound = _solve_mip(cost, weight, capacity, usable, upper, portfolio_seconds)
                _, core_found, _, _ = core_run.result()
        else:
            mip_status, mip_found, mip_bound = "unknown", None, None
            _, core_found, _, _ = _solve_cp_sat(
                cost, weight, capacity, core, incumbent, lp_bound, portfolio_seconds, workers,
            )
        if mip_bound is not None:
            bound = max(bound, mip_bound)
        for candidate in (mip_found, core_found):
            if candidate is not None and (upper is None or _total_cost(cost, candidate) <= upper):
                incumbent, upper = candidate, _total_cost(cost, candidate)
        if upper is not None:
            usable &= lp_bound + reduced_costs <= upper + FIXING_TOLERANCE
        # The reduced model holds every assignment at most as costly as the incumbent.
        proved = incumbent is not None and mip_status in ("optimal", "infeasible")
    if not proved and status != "infeasible":
        # Phase 3: the full model again, hinted with the improved incumbent, to prove or improve it.
        status, found, found_cost, solver_bound = _solve_cp_sat(
            cost, weight, capacity, usable, incumbent, lp_bound, _phase_seconds(deadline, limit), workers,
        )
        if solver_bound is not None:
            bound = max(bound, solver_bound)
        if found is not None and (upper is None or found_cost <= upper):
            incumbent, upper = found, found_cost
        proved = status == "optimal" or (status == "infeasible" and incumbent is not None)
    elapsed = time.perf_counter() - started
    if proved and incumbent is not None:
        # An infeasible reduced model means nothing beats the incumbent.
        return ItinerantResult("optimal", upper, incumbent, float(upper), elapsed)
    if incumbent is not None:
        final = "optimal" if upper <= math.ceil(bound - FIXING_TOLERANCE) else "feasible"
        return ItinerantResult(final, upper, incumbent, bound, elapsed)
    return ItinerantResult(status if status == "infeasible" else "unknown", None, None, bound, elapsed)


def _phase_seconds(deadline: float, wanted: float) -> float:
    """Return the seconds a phase may use: what it wants, capped by the time left."""
    return max(MIN_PHASE_SECONDS, min(wanted, deadline - time.perf_counter()))


def _cost_weight_correlation(cost, weight) -> float:
    """Return the mean, over jobs, of the correlation between cost and resource use across agents.

    Jobs whose costs or resource uses are all equal count as uncorrelated.
    """
    cost_spread = cost - cost.mean(axis=0)
    weight_spread = weight - weight.mean(axis=0)
    scale = np.sqrt((cost_spread ** 2).sum(axis=0) * (weight_spread ** 2).sum(axis=0))
    covariance = (cost_spread * weight_spread).sum(axis=0)
    correlation = np.divide(covariance, scale, out=np.zeros_like(scale), where=scale > 0)
    return float(correlation.mean())


def _core_pairs(reduced_costs, usable, incumbent) -> np.ndarray:
    """Keep, for each job, the usable pairs with the smallest reduced costs and the incumbent's pair."""
    agent_count, job_count = usable.shape
    ranked = np.argsort(np.where(usable, reduced_costs, np.inf), axis=0)[:CORE_AGENTS_PER_JOB]
    core = np.zeros_like(usable)
    core[ranked, np.arange(job_count)[None, :]] = True
    core &= usable
    if incumbent is not None:
        core[incumbent, np.arange(job_count)] = True
    return core


def _solve_mip(cost, weight, capacity, usable, upper, seconds):
    """Solve the reduced model by branch and cut (HiGHS); return status, assignment and bound.

    With an upper bound, only assignments at most that costly are sought, so
    "infeasible" then means that none is cheaper than the incumbent's.
    """
    agent_count, job_count = cost.shape
    agents, jobs = np.nonzero(usable)
    if not np.isin(np.arange(job_count), jobs).all():
        return "infeasible", None, None
    columns = np.arange(len(agents))
    pair_cost = cost[agents, jobs].astype(float)
    # Each job is assigned exactly once.
    assign_rows = sparse.csr_matrix((np.ones(len(agents)), (jobs, columns)), shape=(job_count, len(agents)))
    # Each agent's resource use stays within its capacity.
    capacity_rows = sparse.csr_matrix(
        (weight[agents, jobs].astype(float), (agents, columns)), shape=(agent_count, len(agents))
    )
    constraints = [LinearConstraint(assign_rows, 1.0, 1.0), LinearConstraint(capacity_rows, -np.inf, capacity.astype(float))]
    if upper is not None:
        # No worse than the incumbent.
        constraints.append(LinearConstraint(pair_cost[None, :], -np.inf, float(upper)))
    result = milp(
        pair_cost, integrality=np.ones(len(agents)), bounds=Bounds(0.0, 1.0), constraints=constraints,
        # A zero relative gap: the default stops 0.01% above the bound and still says optimal.
        options={"time_limit": max(MIN_PHASE_SECONDS, float(seconds)), "mip_rel_gap": 0.0},
    )
    if result.status == 2:
        return "infeasible", None, None
    bound = getattr(result, "mip_dual_bound", None)
    bound = float(bound) if bound is not None and math.isfinite(bound) else None
    if result.x is None:
        return "unknown", None, bound
    chosen = result.x > 0.5
    assignment = [-1] * job_count
    for agent, job in zip(agents[chosen], jobs[chosen]):
        assignment[job] = int(agent)
    used = np.bincount(agents[chosen], weights=weight[agents[chosen], jobs[chosen]], minlength=agent_count)
    if -1 in assignment or (used > capacity).any():
        return "unknown", None, bound
    # Costs are integers: optimal only when no cheaper total lies above the bound.
    found_cost = _total_cost(cost, assignment)
    closed = result.status == 0 and (bound is None or found_cost <= math.ceil(bound - FIXING_TOLERANCE))
    return ("optimal" if closed else "feasible"), assignment, bound


def _as_arrays(costs, weights, capacities) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the shapes and integrality of the inputs and return them as arrays."""
    capacity = np.asarray(capacities)
    cost = np.asarray(costs)
    weight = np.asarray(weights)
    agent_count = capacity.shape[0] if capacity.ndim == 1 else -1
    if capacity.ndim != 1:
        raise ProblemError("capacities: expected one number per agent")
    job_count = cost.shape[1] if cost.ndim == 2 else 0
    for name, array in (("costs", cost), ("weights", weight)):
        if agent_count and array.shape != (agent_count, job_count):
            raise ProblemError(f"{name}: expected {agent_count} rows of {job_count} numbers, got shape {array.shape}")
    for name, array in (("costs", cost), ("weights", weight), ("capacities", capacity)):
        if array.size and not np.issubdtype(array.dtype, np.integer):
            if not np.all(np.isfinite(array.astype(float))) or not np.all(array == np.round(array)):
                raise ProblemError(f"{name}: values must be integers")
    return cost.astype(np.int64), weight.astype(np.int64), capacity.astype(np.int64)


def _total_cost(cost: np.ndarray, assignment: list[int]) -> int:
    return int(cost[assignment, np.arange(len(assignment))].sum())


def _heuristic(cost, weight, capacity, usable) -> list[int] | None:
    """Return the cheapest assignment found by regret greedy plus local search."""
    best: list[int] | None = None
    best_cost = None
    for measure in HEURISTIC_MEASURES:
        assignment = _regret_greedy(cost, weight, capacity, usable, measure)
        if assignment is None:
            continue
        assignment = _improve(cost, weight, capacity, usable, assignment)
        value = _total_cost(cost, assignment)
        if best_cost is None or value < best_cost:
            best, best_cost = assignment, value
    return best


def _regret_greedy(cost, weight, capacity, usable, measure) -> list[int] | None:
    """Assign jobs in order of regret (best minus second-best desirability) under one measure."""
    if measure == "cost":
        desirability = -cost.astype(float)
    elif measure == "weight":
        desirability = -weight.astype(float)
    elif measure == "relative_weight":
        desirability = -weight / np.maximum(capacity[:, None], 1)
    else:
        desirability = -(cost * weight).astype(float)
    agent_count, job_count = cost.shape
    residual = capacity.astype(np.int64).copy()
    assignment = [-1] * job_count
    open_jobs = np.ones(job_count, dtype=bool)
    for _ in range(job_count):
        fits = usable & (weight <= residual[:, None]) & open_jobs[None, :]
        scores = np.where(fits, desirability, -np.inf)
        open_index = np.flatnonzero(open_jobs)
        if not fits[:, open_index].any(axis=0).all():
            return None
        if agent_count == 1:
            top = scores[0, open_index]
            regret = np.full(len(open_index), np.inf)
            best_agents = np.zeros(len(open_index), dtype=int)
        else:
            part = np.partition(scores[:, open_index], agent_count - 2, axis=0)
            top = part[agent_count - 1]
            second = part[agent_count - 2]
            regret = np.where(np.isfinite(second), top - second, np.inf)
            best_agents = np.argmax(scores[:, open_index], axis=0)
        pick = int(np.lexsort((-top, -regret))[0])
        job = int(open_index[pick])
        agent = int(best_agents[pick])
        assignment[job] = agent
        residual[agent] -= weight[agent, job]
        open_jobs[job] = False
    return assignment


def _improve(cost, weight, capacity, usable, assignment: list[int]) -> list[int]:
    """Apply improving shifts and swaps until none is left."""
    agent_count, job_count = cost.shape
    current = np.asarray(assignment)
    jobs = np.arange(job_count)
    load = np.bincount(current, weights=weight[current, jobs], minlength=agent_count).astype(np.int64)
    improved = True
    while improved:
        improved = False
        # Shift: move one job to a cheaper agent that has room for it.
        for job in range(job_count):
            here = current[job]
            room = usable[:, job] & (load + weight[:, job] <= capacity)
            gains = np.where(room, cost[here, job] - cost[:, job], 0)
            target = int(np.argmax(gains))
            if gains[target] > 0:
                load[here] -= weight[here, job]
                load[target] += weight[target, job]
                current[job] = target
                improved = True
        if job_count > 400:
            continue
        # Swap: exchange the agents of two jobs when both still fit and cost drops.
        for job in range(job_count):
            a = current[job]
            b = current
            saving = cost[a, job] + cost[b, jobs] - cost[b, job] - cost[a, jobs]
            fits = (
                (b != a)
                & usable[b, job]
                & usable[a, jobs]
                & (load[b] - weight[b, jobs] + weight[b, job] <= capacity[b])
                & (load[a] - weight[a, job] + weight[a, jobs] <= capacity[a])
            )
            saving = np.where(fits, saving, 0)
            other = int(np.argmax(saving))
            if saving[other] > 0:
                b_agent = current[other]
                load[a] += weight[a, other] - weight[a, job]
                load[b_agent] += weight[b_agent, job] - weight[b_agent, other]
                current[job], current[other] = b_agent, a
                improved = True
    return [int(agent) for agent in current]


def _round_relaxation(fractional, usable) -> list[int]:
    """Give every job the agent holding the largest share of it in the relaxation (capacities may break)."""
    return [int(agent) for agent in np.argmax(np.where(usable, fractional, -1.0), axis=0)]


def _related_agents(reduced_costs, usable) -> np.ndarray:
    """Count, for each pair of agents, the jobs for which both are among the cheapest in reduced cost."""
    agent_count, job_count = usable.shape
    depth = min(SEARCH_RELATED_AGENTS, agent_count)
    ranked = np.argsort(np.where(usable, reduced_costs, np.inf), axis=0)[:depth]
    member = np.zeros((agent_count, job_count))
    member[ranked, np.arange(job_count)[None, :]] = 1.0
    member *= usable
    related = member @ member.T
    np.fill_diagonal(related, 0.0)
    return related


def _search_neighbourhoods(cost, weight, capacity, usable, reduced_costs, start, deadline) -> list[int] | None:
    """Reassign the jobs of a few agents at a time exactly; return the best assignment within capacities.

    The start may overload agents: excess capacity is then penalised above any
    cost difference, so the search first repairs and then saves.
    """
    agent_count, job_count = cost.shape
    rng = np.random.default_rng(SEARCH_SEED)
    related = _related_agents(reduced_costs, usable) + 1.0 / agent_count
    jobs = np.arange(job_count)
    current = np.asarray(start, dtype=np.int64).copy()
    load = np.bincount(current, weights=weight[current, jobs], minlength=agent_count).astype(np.int64)
    excess_penalty = int(cost.max() - cost.min()) * job_count + 1
    best = None if (load > capacity).any() else current.copy()
    best_cost = None if best is None else _total_cost(cost, best)
    size = min(SEARCH_FIRST_AGENTS, agent_count)
    largest = min(SEARCH_MAX_AGENTS, agent_count)
    stall = 0
    while time.perf_counter() < deadline:
        overloaded = np.flatnonzero(load > capacity)
        chosen = [int(rng.choice(overloaded)) if overloaded.size else int(rng.integers(agent_count))]
        while len(chosen) < size:
            weights = related[chosen].sum(axis=0)
            weights[chosen] = 0.0
            chosen.append(int(rng.choice(agent_count, p=weights / weights.sum())))
        chosen_agents = np.asarray(chosen)
        free = np.flatnonzero(np.isin(current, chosen_agents))
        before = int(cost[current[free], free].sum()) + excess_penalty * int(
            np.maximum(load[chosen_agents] - capacity[chosen_agents], 0).sum())
        seconds = min(SEARCH_STEP_SECONDS, deadline - time.perf_counter())
        moved = _reassign(cost, weight, capacity, usable, chosen_agents, free, current,
                          excess_penalty if overloaded.size else None, seconds)
        improved = False
        if moved is not None:
            after_assignment, after = moved
            if after <= before:
                improved = after < before
                current[free] = after_assignment
                load = np.bincount(current, weights=weight[current, jobs], minlength=agent_count).astype(np.int64)
                if not (load > capacity).any():
                    value = _total_cost(cost, current)
                    if best_cost is None or value < best_cost:
                        best, best_cost = current.copy(), value
        stall = 0 if improved else stall + 1
        if stall >= SEARCH_STALL_STEPS_PER_AGENT * agent_count:
            # A local optimum for this size: widen the neighbourhood, or start again small.
            size = size + 1 if size < largest else min(SEARCH_FIRST_AGENTS, agent_count)
            stall = 0
    return None if best is None else [int(agent) for agent in best]


def _reassign(cost, weight, capacity, usable, agents, jobs, current, excess_penalty, seconds):
    """Reassign the given jobs among the given agents at least cost; return their agents and the objective.

    With an excess penalty, capacities may be exceeded at that price per unit;
    without one, they are hard.
    """
    model = cp_model.CpModel()
    choose = {}
    for job in jobs:
        for agent in agents:
            if usable[agent, job] or current[job] == agent:
                choose[agent, job] = model.NewBoolVar("")
    # Each freed job goes to exactly one of the chosen agents.
    for job in jobs:
        model.AddExactlyOne(choose[agent, job] for agent in agents if (agent, job) in choose)
    # Each chosen agent stays within capacity, or pays for the excess.
    excess_terms = []
    for agent in agents:
        terms = [(choose[agent, job], int(weight[agent, job])) for job in jobs if (agent, job) in choose]
        load = cp_model.LinearExpr.WeightedSum([var for var, _ in terms], [w for _, w in terms])
        if excess_penalty is None:
            model.Add(load <= int(capacity[agent]))
        else:
            excess = model.NewIntVar(0, int(weight[agent, jobs].sum()), "")
            model.Add(load - excess <= int(capacity[agent]))
            excess_terms.append(excess)
    variables = list(choose.values())
    coefficients = [int(cost[agent, job]) for agent, job in choose]
    if excess_terms:
        variables += excess_terms
        coefficients += [excess_penalty] * len(excess_terms)
    model.Minimize(cp_model.LinearExpr.WeightedSum(variables, coefficients))
    for (agent, job), var in choose.items():
        model.AddHint(var, current[job] == agent)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(MIN_PHASE_SECONDS, float(seconds))
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEARCH_SEED
    code = solver.Solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    placed = np.empty(len(jobs), dtype=np.int64)
    position = {int(job): index for index, job in enumerate(jobs)}
    for (agent, job), var in choose.items():
        if solver.BooleanValue(var):
            placed[position[int(job)]] = agent
    return placed, int(round(solver.ObjectiveValue()))


def _solve_relaxation(cost, weight, capacity, usable) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Solve the linear relaxation; return its value, the reduced cost and the value of every pair."""
    agent_count, job_count = cost.shape
    agents, jobs = np.nonzero(usable)
    pair_count = len(agents)
    columns = np.arange(pair_count)
    # Each job is assigned exactly once.
    assign_rows = sparse.csr_matrix((np.ones(pair_count), (jobs, columns)), shape=(job_count, pair_count))
    # Each agent's resource use stays within its capacity.
    capacity_rows = sparse.csr_matrix(
        (weight[agents, jobs].astype(float), (agents, columns)), shape=(agent_count, pair_count)
    )
    result = linprog(
        cost[agents, jobs].astype(float),
        A_ub=capacity_rows,
        b_ub=capacity.astype(float),
        A_eq=assign_rows,
        b_eq=np.ones(job_count),
        bounds=(0, 1),
        method="highs",
    )
    if result.status == 2:
        return None
    reduced = np.full(cost.shape, np.inf)
    values = np.zeros(cost.shape)
    if result.status != 0:
        return -np.inf, np.where(usable, 0.0, np.inf), values
    # A pair at its upper bound has a non-positive reduced cost: forcing it to 1 costs nothing.
    reduced[agents, jobs] = np.maximum(result.lower.marginals, 0.0)
    values[agents, jobs] = result.x
    return float(result.fun), reduced, values


def _solve_cp_sat(cost, weight, capacity, usable, incumbent, lp_bound, seconds, workers):
    """Solve the reduced model with CP-SAT; return status, assignment, its cost and the bound."""
    agent_count, job_count = cost.shape
    model = cp_model.CpModel()
    choose = {
        (agent, job): model.NewBoolVar(f"x_{agent}_{job}")
        for agent, job in zip(*np.nonzero(usable))
    }
    by_job: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in range(job_count)]
    by_agent: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in range(agent_count)]
    for (agent, job), var in choose.items():
        by_job[job].append((agent, var))
        by_agent[agent].append((job, var))

    # Each demand goes to exactly one teacher.
    for job in range(job_count):
        if not by_job[job]:
            return "infeasible", None, None, None
        model.AddExactlyOne(var for _, var in by_job[job])

    # A teacher's periods plus travel overhead stay within the weekly capacity.
    for agent in range(agent_count):
        if by_agent[agent]:
            model.Add(sum(int(weight[agent, job]) * var for job, var in by_agent[agent]) <= int(capacity[agent]))

    # Minimise total travel cost; the LP value is a valid lower bound.
    objective = sum(int(cost[agent, job]) * var for (agent, job), var in choose.items())
    if math.isfinite(lp_bound):
        model.Add(objective >= math.ceil(lp_bound - FIXING_TOLERANCE))
    model.Minimize(objective)

    if incumbent is not None:
        for (agent, job), var in choose.items():
            model.AddHint(var, incumbent[job] == agent)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(seconds)
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.linearization_level = 2
    code = solver.Solve(model)
    bound = solver.BestObjectiveBound() if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assignment = [-1] * job_count
        for (agent, job), var in choose.items():
            if solver.BooleanValue(var):
                assignment[job] = int(agent)
        status = "optimal" if code == cp_model.OPTIMAL else "feasible"
        return status, assignment, _total_cost(cost, assignment), bound
    if code == cp_model.INFEASIBLE:
        return "infeasible", None, None, None
    return "unknown", None, None, None


# --- OR-Library files -------------------------------------------------------


@dataclass(frozen=True)
class GapInstance:
    """A generalized-assignment instance read from an OR-Library file."""

    name: str
    costs: np.ndarray
    weights: np.ndarray
    capacities: np.ndarray


def read_gap_file(path: str | Path) -> GapInstance:
    """Read one instance in the OR-Library layout: m n, m cost rows, m weight rows, m capacities."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ProblemError(f"gap instance {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProblemError(f"gap instance {path}: cannot read ({error.__class__.__name__})") from None
    tokens = text.split()
    numbers = []
    for position, token in enumerate(tokens, start=1):
        try:
            numbers.append(int(token))
        except ValueError:
            raise ProblemError(f"gap instance {path}: number {position} ({token[:20]!r}) is not an integer") from None
    if len(numbers) < 2:
        raise ProblemError(f"gap instance {path}: expected the agent and job counts on the first line")
    agent_count, job_count = numbers[0], numbers[1]
    if agent_count <= 0 or job_count <= 0:
        raise ProblemError(f"gap instance {path}: agent and job counts must be positive, got {agent_count} {job_count}")
    expected = 2 + 2 * agent_count * job_count + agent_count
    if len(numbers) != expected:
        raise ProblemError(
            f"gap instance {path}: expected {expected} numbers for {agent_count} agents and "
            f"{job_count} jobs, found {len(numbers)}"
        )
    body = np.asarray(numbers[2:], dtype=np.int64)
    block = agent_count * job_count
    costs = body[:block].reshape(agent_count, job_count)
    weights = body[block:2 * block].reshape(agent_count, job_count)
    capacities = body[2 * block:]
    if (weights < 0).any() or (capacities < 0).any():
        raise ProblemError(f"gap instance {path}: resource uses and capacities must not be negative")
    return GapInstance(path.name, costs, weights, capacities)


def run_gap_command(path: str, time_limit: float | None) -> int:
    """Solve one OR-Library instance and print one JSON line with its outcome."""
    instance = read_gap_file(path)
    result = solve_itinerant(instance.costs, instance.weights, instance.capacities, time_limit)
    print(json.dumps({
        "instance": instance.name,
        "status": result.status,
        "cost": result.cost,
        "seconds": round(result.seconds, 3),
    }))
    return 0


def run_all_command(directory: str, time_limit: float | None, max_jobs: int | None) -> int:
    """Solve every instance listed in DIRECTORY/optima.csv and print a Markdown table."""
    import csv

    root = Path(directory)
    optima = root / "optima.csv"
    if not optima.is_file():
        raise ProblemError(f"{optima}: file not found")
    rows = list(csv.DictReader(optima.open()))
    print("| instance | n | m | best known | found | gap % | seconds | status |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        job_count = int(row["Item number"])
        if max_jobs is not None and job_count > max_jobs:
            continue
        instance = read_gap_file(root / row["Path"])
        result = solve_itinerant(instance.costs, instance.weights, instance.capacities, time_limit)
        best = int(row["Best known solution value"])
        gap = "" if result.cost is None else f"{100.0 * (result.cost - best) / best:.2f}"
        print(
            f"| {row['Path']} | {job_count} | {row['Agent number']} | {best} | {result.cost} | {gap} "
            f"| {result.seconds:.1f} | {result.status} |",
            flush=True,
        )
    return 0


# --- problem document --------------------------------------------------------


def solve_itinerant_document(doc: dict, time_limit: float | None = None) -> dict:
    """Solve an itinerant-teaching problem document and return its result document."""
    started = time.perf_counter()
    problem = _parse_document(doc)
    build_seconds = time.perf_counter() - started
    result = solve_itinerant(
        problem["costs"], problem["weights"], problem["capacities"], time_limit, allowed=problem["allowed"]
    )
    teachers, demands = problem["teachers"], problem["demands"]
    assignments = []
    used = [0] * len(teachers)
    if result.assignment is not None:
        for job, agent in enumerate(result.assignment):
            used[agent] += int(problem["weights"][agent][job])
            assignments.append({
                "demand": demands[job]["id"],
                "teacher": teachers[agent]["id"],
                "periods": demands[job]["periods"],
                "overhead_periods": int(problem["weights"][agent][job]) - demands[job]["periods"],
                "cost": int(problem["costs"][agent][job]),
            })
    return {
        "format": RESULT_FORMAT,
        "status": result.status,
        "cost": result.cost,
        "assignments": assignments,
        "loads": [
            {"teacher": teacher["id"], "periods_used": used[index], "capacity_periods": teacher["capacity_periods"]}
            for index, teacher in enumerate(teachers)
        ] if result.assignment is not None else [],
        "stats": {
            "method": "itinerant_cp_sat",
            "build_seconds": round(build_seconds, 3),
            "solve_seconds": round(result.seconds, 3),
            "bound": result.bound,
        },
    }


def _parse_document(doc: dict) -> dict:
    """Validate an itinerant document and derive the cost, resource and allowed matrices."""
    if not isinstance(doc, dict):
        raise ProblemError("document: expected a JSON object")
    if doc.get("format") != DOCUMENT_FORMAT:
        raise ProblemError(f"format: expected {DOCUMENT_FORMAT!r}, got {doc.get('format')!r}")
    if doc.get("kind", "itinerant") != "itinerant":
        raise ProblemError(f"kind: expected 'itinerant', got {doc.get('kind')!r}")
    schools = {}
    for school in _list_of_objects(doc, "schools", required=False):
        school_id = _identifier(school, "schools")
        if school_id in schools:
            raise ProblemError(f"school {school_id}: duplicate id")
        schools[school_id] = school
    teachers = _list_of_objects(doc, "teachers")
    demands = _list_of_objects(doc, "demands")
    _unique_ids(teachers, "teacher")
    _unique_ids(demands, "demand")
    for teacher in teachers:
        capacity = teacher.get("capacity_periods")
        if not _is_int(capacity) or capacity < 0:
            raise ProblemError(f"teacher {teacher['id']}: capacity_periods must be a non-negative integer")
        home = teacher.get("home_school")
        if home is not None and schools and home not in schools:
            raise ProblemError(f"teacher {teacher['id']}: home_school {home!r} is not a listed school")
    for demand in demands:
        if not _is_int(demand.get("periods")) or demand["periods"] < 0:
            raise ProblemError(f"demand {demand['id']}: periods must be a non-negative integer")
        if schools and demand.get("school") not in schools:
            raise ProblemError(f"demand {demand['id']}: school {demand.get('school')!r} is not a listed school")

    travel = doc.get("travel") or {}
    if not isinstance(travel, dict):
        raise ProblemError("travel: expected an object")
    km_per_period = _positive_number(travel, "km_per_overhead_period", DEFAULT_KM_PER_OVERHEAD_PERIOD)
    cost_per_km = _positive_number(travel, "cost_per_km", DEFAULT_COST_PER_KM)
    explicit = {}
    for entry in travel.get("pairs") or []:
        if not isinstance(entry, dict) or "teacher" not in entry or "school" not in entry:
            raise ProblemError("travel.pairs: each entry needs teacher and school")
        for key in ("cost", "overhead_periods"):
            if key in entry and (not _is_int(entry[key]) or entry[key] < 0):
                raise ProblemError(f"travel.pairs {entry['teacher']}/{entry['school']}: {key} must be a non-negative integer")
        explicit[(entry["teacher"], entry["school"])] = entry

    costs, weights, allowed = [], [], []
    for teacher in teachers:
        cost_row, weight_row, allowed_row = [], [], []
        subjects = teacher.get("subjects")
        for demand in demands:
            pair = explicit.get((teacher["id"], demand.get("school")), {})
            km = _distance_km(schools, teacher.get("home_school"), demand.get("school"))
            cost_row.append(pair.get("cost", round(km * cost_per_km)))
            overhead = pair.get("overhead_periods", math.ceil(km / km_per_period - FIXING_TOLERANCE) if km else 0)
            weight_row.append(demand["periods"] + overhead)
            allowed_row.append(subjects is None or demand.get("subject") in subjects)
        costs.append(cost_row)
        weights.append(weight_row)
        allowed.append(allowed_row)
    return {
        "teachers": teachers,
        "demands": demands,
        "costs": costs,
        "weights": weights,
        "capacities": [teacher["capacity_periods"] for teacher in teachers],
        "allowed": allowed,
    }


def _list_of_objects(doc: dict, key: str, required: bool = True) -> list[dict]:
    items = doc.get(key)
    if items is None and not required:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ProblemError(f"{key}: expected a list of objects")
    return items


def _identifier(item: dict, where: str) -> str:
    value = item.get("id")
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{where}: every entry needs a non-empty string id")
    return value


def _unique_ids(items: list[dict], label: str) -> None:
    seen = set()
    for item in items:
        item_id = _identifier(item, f"{label}s")
        if item_id in seen:
            raise ProblemError(f"{label} {item_id}: duplicate id")
        seen.add(item_id)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_number(travel: dict, key: str, default: float) -> float:
    value = travel.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ProblemError(f"travel.{key}: must be a positive number")
    return float(value)


def _distance_km(schools: dict, origin: str | None, destination: str | None) -> float:
    """Return the great-circle distance between two schools, 0 when either lacks coordinates."""
    if origin is None or destination is None or origin == destination:
        return 0.0
    a, b = schools.get(origin, {}), schools.get(destination, {})
    if not all(isinstance(place.get(key), (int, float)) for place in (a, b) for key in ("lat", "lon")):
        return 0.0
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _main(argv: list[str]) -> int:
    """Run `python -m allocation.itinerant --all DIR [--time-limit S] [--max-jobs N]`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m allocation.itinerant")
    parser.add_argument("--all", required=True, metavar="DIR", help="directory holding optima.csv and the instances")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--max-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        return run_all_command(args.all, args.time_limit, args.max_jobs)
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
