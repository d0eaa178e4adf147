"""Lower bounds for the generalized assignment problem from its knapsack relaxation.

Relaxing "each job exactly once" with a price per job leaves one 0-1 knapsack
per agent: agent i takes the jobs whose price exceeds their cost on i, as many
as its capacity holds. Prices are improved by subgradient steps; the best
bound is often far above the linear relaxation's (it is the bound of a model
whose agents' plans are whole knapsacks), which proves many assignments
optimal outright. The same knapsacks give, for every (agent, job) pair, how
much the bound rises when that job is forced onto that agent: a pair whose
raised bound passes the best known cost can be left out of any search for a
cheaper assignment.

Knapsacks are solved by dynamic programming over capacity, so the bound is
only computed when the capacities are small enough (MAX_TABLE_CELLS).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numba import njit

# Largest dynamic-programming work per round (sum over agents of jobs x capacity).
MAX_TABLE_CELLS = 40_000_000
# Subgradient steps: the step factor starts here and halves after this many
# steps without a better bound, down to the smallest factor.
STEP_START = 0.5
STEP_PATIENCE = 15
STEP_SMALLEST = 1e-4
STEPS_PER_SLICE = 10
TARGET_MARGIN = 0.01
EPSILON = 1e-9
# A rise of the bound smaller than this, relative, does not count as progress.
IMPROVEMENT = 1e-6


@dataclass(frozen=True)
class KnapsackBound:
    """The best bound found, the job prices giving it, and whether its knapsacks form an assignment."""

    value: float
    prices: np.ndarray
    partition: np.ndarray | None   # an assignment whose cost equals the bound, when the knapsacks form one


def bound_is_computable(weight: np.ndarray, capacity: np.ndarray, usable: np.ndarray) -> bool:
    """Tell whether the knapsack tables stay within MAX_TABLE_CELLS."""
    if capacity.size == 0 or capacity.min() < 0:
        return False
    cells = float((usable.sum(axis=1) + 1) @ (capacity.astype(float) + 1))
    return cells <= MAX_TABLE_CELLS


@njit(cache=True, nogil=True)
def _knapsack(profit, weight, capacity, usable, take, value, chosen):
    """Solve max sum(profit * y) s.t. sum(weight * y) <= capacity; fill chosen; return the optimum."""
    job_count = profit.shape[0]
    for c in range(capacity + 1):
        value[c] = 0.0
    for j in range(job_count):
        chosen[j] = False
        usable_here = usable[j] and profit[j] > 0.0 and weight[j] <= capacity
        for c in range(capacity + 1):
            take[j, c] = False
        if not usable_here:
            continue
        w = weight[j]
        p = profit[j]
        for c in range(capacity, w - 1, -1):
            candidate = value[c - w] + p
            if candidate > value[c]:
                value[c] = candidate
                take[j, c] = True
    c = capacity
    for j in range(job_count - 1, -1, -1):
        if take[j, c]:
            chosen[j] = True
            c -= weight[j]
    return value[capacity]


@njit(cache=True, nogil=True)
def _evaluate(cost, weight, capacity, usable, prices, take, value, chosen, cover):
    """Return the bound at these prices; cover[j] counts the knapsacks holding job j."""
    agent_count, job_count = cost.shape
    total = 0.0
    for j in range(job_count):
        total += prices[j]
        cover[j] = 0
    profit = np.empty(job_count)
    for i in range(agent_count):
        for j in range(job_count):
            profit[j] = prices[j] - cost[i, j]
        total -= _knapsack(profit, weight[i], capacity[i], usable[i], take, value, chosen[i])
        for j in range(job_count):
            if chosen[i, j]:
                cover[j] += 1
    return total


@njit(cache=True, nogil=True)
def _subgradient(cost, weight, capacity, usable, prices, best_prices, state, upper, steps, take, value,
                 chosen, cover):
    """Take subgradient steps; state holds (best bound, step factor, steps since better, last bound)."""
    job_count = cost.shape[1]
    for _ in range(steps):
        bound = _evaluate(cost, weight, capacity, usable, prices, take, value, chosen, cover)
        state[3] = bound
        if bound > state[0]:
            # Only a real rise restarts the patience count.
            if bound > state[0] + IMPROVEMENT * max(1.0, abs(bound)):
                state[2] = 0.0
            else:
                state[2] += 1.0
            state[0] = bound
            best_prices[:] = prices
            if state[2] >= STEP_PATIENCE:
                state[1] *= 0.5
                state[2] = 0.0
        else:
            state[2] += 1.0
            if state[2] >= STEP_PATIENCE:
                state[1] *= 0.5
                state[2] = 0.0
        norm = 0.0
        for j in range(job_count):
            norm += (1 - cover[j]) ** 2
        if norm == 0.0:
            return True  # the knapsacks form an assignment: the bound is attained
        if state[1] < STEP_SMALLEST:
            return False
        step = state[1] * max(upper - bound, 1e-3) / norm
        for j in range(job_count):
            prices[j] += step * (1 - cover[j])
    return False


def knapsack_bound(
    cost: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    usable: np.ndarray,
    start_prices: np.ndarray,
    deadline: float,
    upper=None,
) -> KnapsackBound:
    """Improve job prices from start_prices by subgradient steps until the deadline or convergence.

    upper() returns the best known cost (or None); steps aim at it, and the
    search stops once the bound's ceiling reaches it.
    """
    cost = np.ascontiguousarray(cost, dtype=np.int64)
    weight = np.ascontiguousarray(weight, dtype=np.int64)
    capacity = np.ascontiguousarray(capacity, dtype=np.int64)
    usable = np.ascontiguousarray(usable, dtype=np.bool_)
    agent_count, job_count = cost.shape
    prices = np.asarray(start_prices, dtype=float).copy()
    best_prices = prices.copy()
    take = np.zeros((job_count, int(capacity.max()) + 1), dtype=np.bool_)
    value = np.zeros(int(capacity.max()) + 1)
    chosen = np.zeros((agent_count, job_count), dtype=np.bool_)
    cover = np.zeros(job_count, dtype=np.int64)
    state = np.array([-np.inf, STEP_START, 0.0, -np.inf])
    # The bound at the start prices, before any step.
    state[0] = state[3] = _evaluate(cost, weight, capacity, usable, prices, take, value, chosen, cover)
    attained = not (cover != 1).any()
    while not attained and time.perf_counter() < deadline:
        known = upper() if upper is not None else None
        if known is not None and state[0] > -np.inf and math.ceil(state[0] - 1e-6) >= known:
            break
        # Steps aim a little above the bound reached (a target at the best known cost
        # takes steps too short when that cost is close, too long when it is far).
        target = state[0] + max(1.0, TARGET_MARGIN * abs(state[0]))
        attained = _subgradient(cost, weight, capacity, usable, prices, best_prices, state, target,
                                STEPS_PER_SLICE, take, value, chosen, cover)
        if attained or state[1] < STEP_SMALLEST:
            break
    partition = None
    if attained:
        partition = np.argmax(chosen, axis=0).astype(np.int64)
        best_prices = prices.copy()
        state[0] = state[3]
    return KnapsackBound(float(state[0]), best_prices, partition)


@njit(cache=True, nogil=True)
def _suffix_table(profit, weight, capacity, usable, table):
    """table[j, c]: the best profit from jobs j.. within capacity c (jobs of positive profit only)."""
    job_count = profit.shape[0]
    for c in range(capacity + 1):
        table[job_count, c] = 0.0
    for j in range(job_count - 1, -1, -1):
        w = weight[j]
        ok = usable[j] and profit[j] > 0.0 and w <= capacity
        for c in range(capacity + 1):
            best = table[j + 1, c]
            if ok and c >= w and table[j + 1, c - w] + profit[j] > best:
                best = table[j + 1, c - w] + profit[j]
            table[j, c] = best


@njit(cache=True, nogil=True)
def _forcing_row(profit, weight, capacity, usable, forward, backward, raise_in, raise_out):
    """For one agent: the knapsack's drop when each job is forced in (raise_in) or out (raise_out)."""
    job_count = profit.shape[0]
    for c in range(capacity + 1):
        forward[0, c] = 0.0
    for j in range(job_count):
        w = weight[j]
        ok = usable[j] and profit[j] > 0.0 and w <= capacity
        for c in range(capacity + 1):
            best = forward[j, c]
            if ok and c >= w and forward[j, c - w] + profit[j] > best:
                best = forward[j, c - w] + profit[j]
            forward[j + 1, c] = best
    _suffix_table(profit, weight, capacity, usable, backward)
    optimum = forward[job_count, capacity]
    for j in range(job_count):
        without = -np.inf
        for c in range(capacity + 1):
            candidate = forward[j, c] + backward[j + 1, capacity - c]
            if candidate > without:
                without = candidate
        raise_out[j] = optimum - without
        w = weight[j]
        if not usable[j] or w > capacity:
            raise_in[j] = np.inf
            continue
        with_job = -np.inf
        for c in range(capacity - w + 1):
            candidate = forward[j, c] + backward[j + 1, capacity - w - c]
            if candidate > with_job:
                with_job = candidate
        raise_in[j] = optimum - (with_job + profit[j])


@njit(cache=True, nogil=True)
def _forcing_costs(cost, weight, capacity, usable, prices, result):
    agent_count, job_count = cost.shape
    largest = 0
    for i in range(agent_count):
        largest = max(largest, capacity[i])
    forward = np.empty((job_count + 1, largest + 1))
    backward = np.empty((job_count + 1, largest + 1))
    raise_out = np.empty((agent_count, job_count))
    profit = np.empty(job_count)
    for i in range(agent_count):
        for j in range(job_count):
            profit[j] = prices[j] - cost[i, j]
        _forcing_row(profit, weight[i], capacity[i], usable[i], forward, backward, result[i], raise_out[i])
    # Putting job j on agent i also takes it out of every other agent's knapsack.
    for j in range(job_count):
        out_total = 0.0
        for i in range(agent_count):
            out_total += raise_out[i, j]
        for i in range(agent_count):
            result[i, j] += out_total - raise_out[i, j]


def forcing_costs(cost, weight, capacity, usable, prices) -> np.ndarray:
    """Return, per (agent, job), how much the bound at these prices rises when the job is put on the agent."""
    cost = np.ascontiguousarray(cost, dtype=np.int64)
    weight = np.ascontiguousarray(weight, dtype=np.int64)
    capacity = np.ascontiguousarray(capacity, dtype=np.int64)
    usable = np.ascontiguousarray(usable, dtype=np.bool_)
    result = np.zeros(cost.shape)
    _forcing_costs(cost, weight, capacity, usable, np.asarray(prices, dtype=float), result)
    return result


@njit(cache=True, nogil=True)
def _near_optimal_sets(profit, weight, capacity, usable, table, floor, limit, out_jobs, out_start, fill):
    """Walk every set of jobs within capacity whose profit reaches floor; count them, and store when fill.

    Sets are stored as runs of job indices in out_jobs, run k starting at
    out_start[k]. Returns the count, or -1 when it passes limit.
    """
    job_count = profit.shape[0]
    taken = np.zeros(job_count, dtype=np.bool_)
    # Depth-first over jobs: state 0 = try taking job j, 1 = try leaving it, 2 = done.
    state = np.zeros(job_count + 1, dtype=np.int64)
    room = np.zeros(job_count + 1, dtype=np.int64)
    gained = np.zeros(job_count + 1)
    count = 0
    stored = 0
    depth = 0
    room[0] = capacity
    while depth >= 0:
        if gained[depth] + table[depth, room[depth]] < floor - EPSILON:
            depth -= 1
            continue
        if depth == job_count:
            if count >= limit:
                return -1
            if fill:
                out_start[count] = stored
                for j in range(job_count):
                    if taken[j]:
                        out_jobs[stored] = j
                        stored += 1
            count += 1
            depth -= 1
            continue
        j = depth
        if state[j] == 0:
            state[j] = 1
            if usable[j] and weight[j] <= room[j]:
                taken[j] = True
                room[j + 1] = room[j] - weight[j]
                gained[j + 1] = gained[j] + profit[j]
                state[j + 1] = 0
                depth += 1
            continue
        if state[j] == 1:
            state[j] = 2
            taken[j] = False
            room[j + 1] = room[j]
            gained[j + 1] = gained[j]
            state[j + 1] = 0
            depth += 1
            continue
        taken[j] = False
        depth -= 1
    if fill:
        out_start[count] = stored
    return count


def near_optimal_plans(cost, weight, capacity, usable, prices, slack: float, limit: int):
    """List, per agent, every set of jobs it can hold whose knapsack falls short of the best by at most slack.

    At these prices any assignment costs the bound plus the sum of its
    agents' shortfalls, so an assignment costing at most bound + slack uses
    only listed sets. Returns (agents, sets) with sets a list of job arrays, or
    None when there are more than limit sets.
    """
    cost = np.ascontiguousarray(cost, dtype=np.int64)
    weight = np.ascontiguousarray(weight, dtype=np.int64)
    capacity = np.ascontiguousarray(capacity, dtype=np.int64)
    usable = np.ascontiguousarray(usable, dtype=np.bool_)
    prices = np.asarray(prices, dtype=float)
    agent_count, job_count = cost.shape
    table = np.empty((job_count + 1, int(capacity.max()) + 1))
    agents: list[int] = []
    sets: list[np.ndarray] = []
    left = limit
    for agent in range(agent_count):
        profit = prices - cost[agent]
        _suffix_table(profit, weight[agent], capacity[agent], usable[agent], table)
        floor = table[0, capacity[agent]] - slack
        empty = np.zeros(0, dtype=np.int64)
        count = _near_optimal_sets(profit, weight[agent], capacity[agent], usable[agent], table, floor, left,
                                   empty, empty, False)
        if count < 0:
            return None
        out_jobs = np.empty(count * job_count if count else 0, dtype=np.int64)
        out_start = np.empty(count + 1, dtype=np.int64)
        _near_optimal_sets(profit, weight[agent], capacity[agent], usable[agent], table, floor, count + 1,
                           out_jobs, out_start, True)
        for k in range(count):
            sets.append(out_jobs[out_start[k]:out_start[k + 1]].copy())
            agents.append(agent)
        left -= count
    return agents, sets


def compile_kernels() -> None:
    """Compile the kernels now (they are cached on disk), so that no solve pays for it."""
    cost = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.int64)
    weight = np.ones((2, 3), dtype=np.int64)
    capacity = np.array([2, 2], dtype=np.int64)
    usable = np.ones((2, 3), dtype=np.bool_)
    prices = np.zeros(3)
    take = np.zeros((3, 3), dtype=np.bool_)
    value = np.zeros(3)
    chosen = np.zeros((2, 3), dtype=np.bool_)
    cover = np.zeros(3, dtype=np.int64)
    _subgradient(cost, weight, capacity, usable, prices, prices.copy(), np.array([-np.inf, STEP_START, 0.0, -np.inf]),
                 1.0, 1, take, value, chosen, cover)
    knapsack_bound(cost, weight, capacity, usable, prices, time.perf_counter())
    forcing_costs(cost, weight, capacity, usable, prices)
    near_optimal_plans(cost, weight, capacity, usable, prices, 1.0, 100)
