"""Itinerant teaching (走教): place subject demands on travelling teachers.

The model is a generalized assignment problem: teachers (agents) have a weekly
period capacity, each school's subject demand (job) goes to exactly one
teacher, a demand uses its periods plus a travel overhead that depends on the
teacher and the school, and the total travel cost is minimised.

Solving uses both cores:

1. The linear relaxation (HiGHS) gives a first bound, each pair's reduced
   cost, the prices of capacity and of each demand, and a rounded start.
2. An exchange search (allocation.gap_search) runs in a thread from the
   rounded relaxation and publishes every cheaper plan it finds.
3. Beside it the knapsack relaxation (allocation.gap_bound), started from the
   relaxation's demand prices, raises the bound, which proves many plans
   optimal outright, and tells per pair how much any plan using it costs.
4. That core then alternates stretches of a second exchange search (from the
   best plan so far) with a few attempts to find a plan strictly cheaper than
   the best known, whose failure proves it optimal: a set partitioning program
   over the agent plans the knapsack prices leave near the bound when they are
   few, otherwise branch and cut (HiGHS) on the pairs that could still be in
   such a plan when they are few.

`optimal` is claimed only on a proof.
"""
from __future__ import annotations

import json
import math
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from allocation.errors import ProblemError
from allocation.io import LARGEST_COUNT, _is_int

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
# Bounds are compared with integer costs with this relative tolerance, so
# that floating-point noise never removes a needed pair or claims a proof.
FIXING_TOLERANCE = 1e-6
# Shares of the time limit: the knapsack bound at most; a stretch of the
# second search between proof attempts; one proof attempt at most.
BOUND_SHARE = 0.15
STRETCH_SHARE = 0.2
FIRST_STRETCH_SHARE = 0.01
ATTEMPT_SHARE = 0.15
MAX_PROOF_ATTEMPTS = 3
# Proof attempts list near-optimal agent plans up to this many, and run branch
# and cut on at most this many pairs.
PARTITION_MAX_PLANS = 5_000
MIP_MAX_PAIRS = 1_000
MIN_SOLVER_SECONDS = 1.0
MIN_PHASE_SECONDS = 0.05
FIRST_SEARCH_SEED = 1
SECOND_SEARCH_SEED = 2


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


@dataclass(frozen=True)
class _Relaxation:
    value: float
    reduced_costs: np.ndarray    # per pair; inf where unusable
    values: np.ndarray           # the relaxation's value of every pair
    capacity_prices: np.ndarray  # dual value of each agent's capacity (>= 0)
    job_prices: np.ndarray       # dual value of each job's assignment row


class _Board:
    """The cheapest plan within capacities found so far and the best lower bound, shared by the threads."""

    def __init__(self, cost, weight, capacity, usable, bound: float):
        self._cost, self._weight, self._capacity, self._usable = cost, weight, capacity, usable
        self._lock = threading.Lock()
        self.assignment: np.ndarray | None = None
        self.value: int | None = None
        self.bound = bound

    def offer(self, assignment, _value=None) -> bool:
        """Keep the assignment when it fits and is cheaper than the best; tell whether it was kept."""
        if assignment is None:
            return False
        assignment = np.asarray(assignment, dtype=np.int64)
        jobs = np.arange(len(assignment))
        if not self._usable[assignment, jobs].all():
            return False
        load = np.bincount(assignment, weights=self._weight[assignment, jobs], minlength=len(self._capacity))
        if (load > self._capacity).any():
            return False
        value = int(self._cost[assignment, jobs].sum())
        with self._lock:
            if self.value is not None and value >= self.value:
                return False
            self.assignment, self.value = assignment.copy(), value
            return True

    def raise_bound(self, bound: float | None) -> None:
        if bound is not None and bound > self.bound:
            self.bound = bound

    def settled(self) -> bool:
        """Tell whether the best known cost meets the bound (costs are integers)."""
        value, bound = self.value, self.bound
        if value is None or not math.isfinite(bound):
            return False
        return value <= math.ceil(bound - FIXING_TOLERANCE * max(1.0, abs(bound)))


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
    given, marks the pairs that may be used at all. workers is the number of
    cores used (1 or 2).
    """
    from allocation.gap_search import exchange_search

    started = time.perf_counter()
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    deadline = started + max(limit, MIN_SOLVER_SECONDS)
    cost, weight, capacity = _as_arrays(costs, weights, capacities)
    agent_count, job_count = cost.shape
    usable = weight <= capacity[:, None]
    if allowed is not None:
        usable &= np.asarray(allowed, dtype=bool).reshape(cost.shape)
    if job_count == 0:
        return ItinerantResult("optimal", 0, [], 0.0, time.perf_counter() - started)
    if agent_count == 0 or not usable.any(axis=0).all():
        return ItinerantResult("infeasible", None, None, None, time.perf_counter() - started)
    relaxation = _solve_relaxation(cost, weight, capacity, usable)
    if relaxation is None:
        return ItinerantResult("infeasible", None, None, None, time.perf_counter() - started)

    board = _Board(cost, weight, capacity, usable, relaxation.value)
    start = _round_relaxation(relaxation.values, usable)
    board.offer(start)
    search = (cost, weight, capacity, usable, relaxation.reduced_costs, relaxation.capacity_prices, start)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = None
        if workers >= 2 and not board.settled():
            first = pool.submit(exchange_search, *search, deadline, seed=FIRST_SEARCH_SEED,
                                stop=lambda: stop.is_set() or board.settled(), publish=board.offer)
        try:
            proved = _prove(cost, weight, capacity, usable, relaxation, board, search, started, limit, deadline,
                            stop, SECOND_SEARCH_SEED if first is not None else FIRST_SEARCH_SEED)
        finally:
            stop.set()
            if first is not None:
                first.result()
    elapsed = time.perf_counter() - started
    if board.value is None:
        return ItinerantResult("infeasible" if proved else "unknown", None, None, board.bound, elapsed)
    proved = proved or board.settled()
    return ItinerantResult("optimal" if proved else "feasible", board.value, [int(a) for a in board.assignment],
                           float(board.value) if proved else board.bound, elapsed)


def _prove(cost, weight, capacity, usable, relaxation, board, search, started, limit, deadline, stop, seed) -> bool:
    """Raise the bound, then alternate a search with attempts to prove the best plan optimal.

    Return True when the best known plan is proved optimal, or, when there is
    none, when no plan exists.
    """
    from allocation.gap_bound import bound_is_computable, forcing_costs, knapsack_bound
    from allocation.gap_search import exchange_search

    # Any plan using pair (i, j) costs at least floor[i, j], for each of the floors.
    floors = [relaxation.value + relaxation.reduced_costs]
    knapsack = None
    if bound_is_computable(weight, capacity, usable):
        knapsack = knapsack_bound(cost, weight, capacity, usable, relaxation.job_prices,
                                  min(deadline, time.perf_counter() + BOUND_SHARE * limit),
                                  upper=lambda: board.value)
        board.offer(knapsack.partition)
        board.raise_bound(knapsack.value)
        floors.append(knapsack.value + forcing_costs(cost, weight, capacity, usable, knapsack.prices))
    # Search in stretches; after each, when the best plan has improved, try to prove it optimal
    # (a few tries at most; a check that finds too much left to try does not count).
    tries, tried_at, stretch = 0, "never", FIRST_STRETCH_SHARE * limit
    while time.perf_counter() < deadline - MIN_PHASE_SECONDS:
        if board.settled():
            return True
        if tries < MAX_PROOF_ATTEMPTS and board.value != tried_at:
            tried_at = board.value
            outcome = _attempt_proof(cost, weight, capacity, usable, board, knapsack, floors,
                                     min(deadline, time.perf_counter() + ATTEMPT_SHARE * limit))
            if outcome == "proved":
                return True
            if outcome == "open":
                tries += 1
            else:
                stretch = STRETCH_SHARE * limit
        # Each stretch starts from the best plan so far, with its own random choices; stretches grow.
        until = min(deadline, time.perf_counter() + stretch)
        stretch = max(stretch, min(2 * stretch, STRETCH_SHARE * limit))
        start = board.assignment if board.assignment is not None else search[-1]
        seed += 1
        board.offer(exchange_search(*search[:-1], start, until, seed=seed, publish=board.offer,
                                    stop=lambda: stop.is_set() or board.settled()))
    return board.settled()


def _attempt_proof(cost, weight, capacity, usable, board, knapsack, floors, until) -> str:
    """Look for a plan cheaper than the best known one among what is left.

    With few near-optimal agent plans left (the knapsack view), the plans
    are listed and a set partitioning program picks one per agent; otherwise
    branch and cut runs on the pairs the floors leave, when they are few.
    Return "proved" (the best plan is optimal, or none exists), "open" (not
    settled in time) or "out of reach" (too much is left to try).
    """
    from allocation.gap_bound import near_optimal_plans

    if board.settled():
        return "proved"
    upper = board.value
    seconds = until - time.perf_counter()
    if seconds < MIN_PHASE_SECONDS:
        return "open"
    if upper is None:
        if usable.sum() > MIP_MAX_PAIRS:
            return "out of reach"
        status, found, mip_bound = _solve_mip(cost, weight, capacity, usable, None, seconds)
        board.offer(found)
        board.raise_bound(mip_bound)
        return "proved" if status in ("optimal", "infeasible") else "open"
    tolerance = FIXING_TOLERANCE * max(1.0, abs(upper))
    if knapsack is not None:
        plans = near_optimal_plans(cost, weight, capacity, usable, knapsack.prices,
                                   upper - 1 - knapsack.value + tolerance, PARTITION_MAX_PLANS)
        if plans is not None:
            status, found = _solve_partition(cost, *plans, upper - 1, seconds)
            board.offer(found)
            return "proved" if status in ("optimal", "infeasible") else "open"
    # Only pairs that can be in a plan cheaper than the best known are searched.
    keep = usable.copy()
    for floor in floors:
        keep &= floor <= upper - 1 + tolerance
    if not keep.any(axis=0).all():
        return "proved"
    if keep.sum() > MIP_MAX_PAIRS:
        return "out of reach"
    status, found, mip_bound = _solve_mip(cost, weight, capacity, keep, upper - 1, seconds)
    board.offer(found)
    # The program covers only plans cheaper than the best known one.
    board.raise_bound(None if mip_bound is None else min(mip_bound, float(upper)))
    return "proved" if status in ("optimal", "infeasible") else "open"


def _solve_partition(cost, agents, plans, upper, seconds):
    """Pick one listed plan per agent covering every job once, costing at most upper; return status and assignment.

    "infeasible" means no combination of the listed plans is that cheap.
    """
    agent_count, job_count = cost.shape
    agents = np.asarray(agents, dtype=np.int64)
    sizes = np.array([len(plan) for plan in plans], dtype=np.int64)
    jobs = np.concatenate(plans) if plans else np.zeros(0, dtype=np.int64)
    columns = np.repeat(np.arange(len(plans)), sizes)
    plan_cost = np.array([int(cost[agent, plan].sum()) for agent, plan in zip(agents, plans)], dtype=float)
    if len(plans) == 0 or not np.isin(np.arange(job_count), jobs).all() or not np.isin(
            np.arange(agent_count), agents).all():
        return "infeasible", None
    # Each job is in exactly one chosen plan, and each agent has exactly one.
    rows = np.concatenate([jobs, job_count + agents])
    cols = np.concatenate([columns, np.arange(len(plans))])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(job_count + agent_count, len(plans)))
    constraints = [LinearConstraint(matrix, 1.0, 1.0), LinearConstraint(plan_cost[None, :], -np.inf, float(upper))]
    result = milp(plan_cost, integrality=np.ones(len(plans)), bounds=Bounds(0.0, 1.0), constraints=constraints,
                  options={"time_limit": max(MIN_PHASE_SECONDS, float(seconds)), "mip_rel_gap": 0.0})
    if result.status == 2:
        return "infeasible", None
    if result.x is None:
        return "unknown", None
    assignment = np.full(job_count, -1, dtype=np.int64)
    for column in np.flatnonzero(result.x > 0.5):
        assignment[plans[column]] = agents[column]
    if (assignment < 0).any():
        return "unknown", None
    return ("optimal" if result.status == 0 else "feasible"), assignment


def _solve_mip(cost, weight, capacity, usable, upper, seconds):
    """Solve the model on the usable pairs by branch and cut (HiGHS); return status, assignment and bound.

    With an upper bound, only assignments at most that costly are sought, so
    "infeasible" then means that none is that cheap.
    """
    agent_count, job_count = cost.shape
    agents, jobs, assign_rows, capacity_rows = _model_rows(weight, usable)
    if not np.isin(np.arange(job_count), jobs).all():
        return "infeasible", None, None
    pair_cost = cost[agents, jobs].astype(float)
    constraints = [LinearConstraint(assign_rows, 1.0, 1.0), LinearConstraint(capacity_rows, -np.inf, capacity.astype(float))]
    if upper is not None:
        # No costlier than the bound asked for.
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
    assignment = np.full(job_count, -1, dtype=np.int64)
    assignment[jobs[chosen]] = agents[chosen]
    used = np.bincount(agents[chosen], weights=weight[agents[chosen], jobs[chosen]], minlength=agent_count)
    if (assignment < 0).any() or (used > capacity).any():
        return "unknown", None, bound
    # Costs are integers: optimal only when no cheaper total lies above the bound.
    found_cost = _total_cost(cost, assignment)
    closed = result.status == 0 and (bound is None or found_cost <= math.ceil(bound - FIXING_TOLERANCE))
    return ("optimal" if closed else "feasible"), assignment, bound


def _as_arrays(costs, weights, capacities) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the shapes and integrality of the inputs and return them as arrays."""
    arrays = {}
    for name, values in (("capacities", capacities), ("costs", costs), ("weights", weights)):
        try:
            array = np.asarray(values)
            too_large = bool(array.size) and np.abs(array.astype(float)).max() > LARGEST_COUNT
        except OverflowError:  # an integer beyond the range of floating point
            too_large = True
        except (ValueError, TypeError):
            raise ProblemError(f"{name}: expected a table of integers") from None
        if too_large:
            raise ProblemError(f"{name}: values must be at most {LARGEST_COUNT} in size")
        arrays[name] = array
    capacity, cost, weight = arrays["capacities"], arrays["costs"], arrays["weights"]
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


def _total_cost(cost: np.ndarray, assignment) -> int:
    return int(cost[assignment, np.arange(len(assignment))].sum())


def _round_relaxation(fractional, usable) -> np.ndarray:
    """Give every job the agent holding the largest share of it in the relaxation (capacities may break)."""
    return np.argmax(np.where(usable, fractional, -1.0), axis=0).astype(np.int64)


def _model_rows(weight, usable):
    """Return the usable pairs (agents, jobs) and the model's rows over them: assignment and capacity."""
    agent_count, job_count = usable.shape
    agents, jobs = np.nonzero(usable)
    columns = np.arange(len(agents))
    # Each job is assigned exactly once.
    assign_rows = sparse.csr_matrix((np.ones(len(agents)), (jobs, columns)), shape=(job_count, len(agents)))
    # Each agent's resource use stays within its capacity.
    capacity_rows = sparse.csr_matrix((weight[agents, jobs].astype(float), (agents, columns)),
                                      shape=(agent_count, len(agents)))
    return agents, jobs, assign_rows, capacity_rows


def _solve_relaxation(cost, weight, capacity, usable) -> _Relaxation | None:
    """Solve the linear relaxation; None when even it has no solution."""
    agent_count, job_count = cost.shape
    agents, jobs, assign_rows, capacity_rows = _model_rows(weight, usable)
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
        # No relaxation in time: no bound and no guidance, but the search still runs.
        reduced[agents, jobs] = 0.0
        return _Relaxation(-np.inf, reduced, values, np.ones(agent_count), cost.min(axis=0).astype(float))
    # A pair at its upper bound has a non-positive reduced cost: forcing it to 1 costs nothing.
    reduced[agents, jobs] = np.maximum(result.lower.marginals, 0.0)
    values[agents, jobs] = result.x
    return _Relaxation(float(result.fun), reduced, values, np.maximum(-result.ineqlin.marginals, 0.0),
                       np.asarray(result.eqlin.marginals, dtype=float))


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
    for position, number in enumerate(numbers, start=1):
        if abs(number) > LARGEST_COUNT:
            raise ProblemError(f"gap instance {path}: number {position} is larger than {LARGEST_COUNT}")
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
            "method": "itinerant_exchange_search",
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


def _positive_number(travel: dict, key: str, default: float) -> float:
    value = travel.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= LARGEST_COUNT:
        raise ProblemError(f"travel.{key}: must be a positive number of at most {LARGEST_COUNT}")
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


def compile_kernels() -> None:
    """Compile the search and bound kernels into the on-disk cache (done once, at installation)."""
    from allocation import gap_bound, gap_search

    gap_search.compile_kernels()
    gap_bound.compile_kernels()


def _main(argv: list[str]) -> int:
    """Run `python -m allocation.itinerant --all DIR [--time-limit S] [--max-jobs N]`, or `--compile`."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m allocation.itinerant")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--all", metavar="DIR", help="directory holding optima.csv and the instances")
    group.add_argument("--compile", action="store_true", help="compile the solver kernels into the cache and exit")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--max-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    if args.compile:
        compile_kernels()
        return 0
    try:
        return run_all_command(args.all, args.time_limit, args.max_jobs)
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
