"""Exchange search for the generalized assignment problem, compiled to machine code.

Itinerant plans are generalized assignment problems whose capacities are
tight: a good plan fills each teacher's week almost exactly, so improving one
means moving demands among several teachers at once. The search therefore
works with exchanges: a cycle of demands on distinct teachers, each taking
the place of the next, or a path that also ends on a teacher with room. The
best exchange of up to EXCHANGE_LENGTH moves is found in the improvement
graph by a label-correcting pass per length (arc u -> v: demand u takes the
place of demand v on v's teacher).

The search may overload teachers: each period over a teacher's capacity costs
that teacher's penalty weight, which starts near the capacity's price in the
linear relaxation (never below a share of the price of one period). After each
descent the weights of overloaded teachers rise and, when every teacher fits,
all fall, so the search oscillates around the boundary of feasible plans,
where the good ones lie. A few tabu steps follow each descent (the best
exchange even when it costs, without moving a demand back onto the teacher it
just left), and after a long stall the search restarts from the best plan with
a few demands moved at random. Each demand
considers only its most promising teachers (smallest reduced costs).

The kernels keep their whole state in arrays and run a given number of rounds,
so the caller runs them in slices, checks the clock and publishes the best
plan between slices, and can run two searches in parallel threads (the
kernels release the interpreter lock).
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
from numba import njit

# Each demand considers at most this many teachers.
CANDIDATE_AGENTS = 10
# Longest exchange, in moved demands.
EXCHANGE_LENGTH = 6
# Initial penalty weight per excess period, as a multiple of the capacity's price.
PENALTY_START = 1.2
# After each descent: an overloaded teacher's weight is multiplied by up to
# (1 + PENALTY_RAISE), by its share of the largest excess; when every teacher
# fits, every weight by (1 - PENALTY_LOWER).
PENALTY_RAISE = 0.1
PENALTY_LOWER = 0.1
# Until the search has found a plan within capacities the weights rise faster, up to doubling:
# on large instances a round takes a good part of a second, and a slow rise spent the time limit
# overloading a few teachers by a period or two.
PENALTY_RAISE_UNTIL_FEASIBLE = 1.0
# No weight starts or falls below this share of the price of one period, taken as the mean cost
# over the mean resource use of the usable pairs: where the relaxation prices every capacity near
# zero (loose capacities on average, tight for a few), weights near zero would let the search
# overload teachers for thousands of rounds.
PENALTY_FLOOR_SHARE = 0.1
PENALTY_CEILING = 1e12
# Tabu steps after each descent, and how many steps a moved demand may not return.
TABU_STEPS = 5
TABU_TENURE = 10
# After this many rounds without a better plan, restart from the best one with
# this share of the demands moved at random.
STALL_ROUNDS = 20
PERTURB_SHARE = 0.03
# Slices between looks at the clock aim at this many seconds.
SLICE_SECONDS = 0.05
EPSILON = 1e-9
# A clock value after every ban.
NO_BAN = 2**62

# The counters array the kernel keeps between slices.
ROUND, BEST_COST, LAST_IMPROVED, CLOCK = 0, 1, 2, 3


@njit(cache=True, nogil=True)
def _excess(load, capacity):
    return load - capacity if load > capacity else 0


@njit(cache=True, nogil=True)
def _move_job(job, target, assignment, load, weight, members, member_count, position):
    source = assignment[job]
    # Remove the job from its agent's list by moving the last member into its place.
    last = members[source, member_count[source] - 1]
    members[source, position[job]] = last
    position[last] = position[job]
    member_count[source] -= 1
    members[target, member_count[target]] = job
    position[job] = member_count[target]
    member_count[target] += 1
    load[source] -= weight[source, job]
    load[target] += weight[target, job]
    assignment[job] = target


@njit(cache=True, nogil=True)
def _best_exchange(cost, weight, cost_by_job, weight_by_job, capacity, penalty, candidates, candidate_count,
                   assignment, load, members, member_count, forbid_agent, forbid_until, now, allow_worse,
                   label, pred, stamp, chain, member_weight, excess_now):
    """Find the best exchange; return its change in cost plus penalties, its length and its end agent.

    An exchange is a chain of jobs on distinct agents, each moving onto the
    agent of the next; the last moves onto the first job's agent (a cycle, end
    agent -1) or onto an end agent that gives nothing up (a path, whose first
    agent only loses its job). Its change is the sum of its arcs. Labels keep,
    per job and length, the cheapest path whose partial sums stay negative: a
    negative cycle has a rotation whose partial sums are all negative. Without
    allow_worse only improving exchanges count; a job may not move onto
    forbid_agent[job] before forbid_until[job] > now ends. chain receives the
    jobs in order. cost_by_job and weight_by_job are the transposed matrices.
    """
    agent_count, job_count = cost.shape
    max_length = chain.shape[0]
    best_total = np.inf if allow_worse else -EPSILON
    best_last = -1
    best_length = 0
    best_end = -1
    for agent in range(agent_count):
        excess_now[agent] = _excess(load[agent], capacity[agent])
        for m in range(member_count[agent]):
            member_weight[agent, m] = weight[agent, members[agent, m]]
        stamp[agent] = 0
    for v in range(job_count):
        label[0, v] = 0.0
    for length in range(1, max_length + 1):
        for v in range(job_count):
            label[length, v] = np.inf
        any_label = False
        extend = length < max_length
        for u in range(job_count):
            base = label[length - 1, u]
            if base == np.inf:
                continue
            # Mark the agents on u's path and find the job it starts with.
            mark = length * job_count + u + 1
            walker = u
            for back in range(length - 1, 0, -1):
                stamp[assignment[walker]] = mark
                walker = pred[back, walker]
            stamp[assignment[walker]] = mark
            start = walker
            start_agent = assignment[start]
            leave = penalty[start_agent] * (
                _excess(load[start_agent] - weight[start_agent, start], capacity[start_agent])
                - excess_now[start_agent])
            here = assignment[u]
            base_move = base - cost_by_job[u, here]
            forbidden = forbid_agent[u] if forbid_until[u] > now else -1
            for k in range(candidate_count[u]):
                target = candidates[u, k]
                if target == here or target == forbidden:
                    continue
                move = base_move + cost_by_job[u, target]
                arriving = load[target] + weight_by_job[u, target]
                room = capacity[target]
                price = penalty[target]
                before = excess_now[target]
                if target == start_agent:
                    # Close the cycle: u takes the place of the first job.
                    total = move + price * (_excess(arriving - weight[target, start], room) - before)
                    if total < best_total:
                        best_total, best_last, best_length, best_end = total, u, length, -1
                    continue
                if stamp[target] == mark:
                    continue
                # End the path: target takes u and gives nothing up.
                total = move + leave + price * (_excess(arriving, room) - before)
                if total < best_total:
                    best_total, best_last, best_length, best_end = total, u, length, target
                if not extend:
                    continue
                # Extend: u takes the place of one of target's jobs, which moves next.
                for m in range(member_count[target]):
                    after = arriving - member_weight[target, m]
                    value = move + price * ((after - room if after > room else 0) - before)
                    if value < 0.0:
                        v = members[target, m]
                        if value < label[length, v]:
                            label[length, v] = value
                            pred[length, v] = u
                            any_label = True
        if not any_label:
            break
    if best_last < 0:
        return 0.0, 0, -1
    walker = best_last
    for back in range(best_length - 1, -1, -1):
        chain[back] = walker
        if back > 0:
            walker = pred[back, walker]
    return best_total, best_length, best_end


@njit(cache=True, nogil=True)
def _apply_exchange(chain, length, end_agent, assignment, load, weight, members, member_count, position):
    """Carry out an exchange found by _best_exchange."""
    targets = np.empty(length, dtype=np.int64)
    for t in range(length - 1):
        targets[t] = assignment[chain[t + 1]]
    targets[length - 1] = assignment[chain[0]] if end_agent < 0 else end_agent
    for t in range(length):
        _move_job(chain[t], targets[t], assignment, load, weight, members, member_count, position)


@njit(cache=True, nogil=True)
def _record_if_best(cost, capacity, assignment, load, best, counters):
    """Keep the assignment as the best when every agent fits and it is the cheapest yet."""
    for agent in range(capacity.shape[0]):
        if load[agent] > capacity[agent]:
            return
    total = 0
    for job in range(assignment.shape[0]):
        total += cost[assignment[job], job]
    if counters[BEST_COST] < 0 or total < counters[BEST_COST]:
        counters[BEST_COST] = total
        counters[LAST_IMPROVED] = counters[ROUND]
        best[:] = assignment


@njit(cache=True, nogil=True)
def _run(cost, weight, cost_by_job, weight_by_job, capacity, candidates, candidate_count, assignment, load,
         penalty, members, member_count, position, best, counters, forbid_agent, forbid_until,
         label, pred, stamp, chain, member_weight, excess_now, rounds, seed, stall_rounds, perturb_share,
         penalty_floor):
    """Run rounds of descent, weight update and tabu steps; the state lives in the arrays."""
    agent_count, job_count = cost.shape
    np.random.seed(seed)
    for _ in range(rounds):
        counters[ROUND] += 1
        # Descend: the best improving exchange until there is none (tabu steps' bans do not apply).
        while True:
            total, length, end_agent = _best_exchange(
                cost, weight, cost_by_job, weight_by_job, capacity, penalty, candidates, candidate_count,
                assignment, load, members, member_count, forbid_agent, forbid_until, NO_BAN, False,
                label, pred, stamp, chain, member_weight, excess_now)
            if length == 0:
                break
            _apply_exchange(chain, length, end_agent, assignment, load, weight, members, member_count, position)
        _record_if_best(cost, capacity, assignment, load, best, counters)

        # Move the weights toward the boundary of feasible assignments.
        largest_excess = 0
        for agent in range(agent_count):
            largest_excess = max(largest_excess, _excess(load[agent], capacity[agent]))
        if largest_excess == 0:
            for agent in range(agent_count):
                penalty[agent] = max(penalty[agent] * (1.0 - PENALTY_LOWER), penalty_floor)
        else:
            raise_by = PENALTY_RAISE if counters[BEST_COST] >= 0 else PENALTY_RAISE_UNTIL_FEASIBLE
            for agent in range(agent_count):
                excess = _excess(load[agent], capacity[agent])
                if excess > 0:
                    penalty[agent] = min(penalty[agent] * (1.0 + raise_by * excess / largest_excess),
                                         PENALTY_CEILING)

        # Tabu steps: the best exchange even when it costs, and its jobs may not move straight back
        # (bans last within the round's steps).
        counters[CLOCK] += TABU_TENURE
        for _ in range(TABU_STEPS):
            counters[CLOCK] += 1
            total, length, end_agent = _best_exchange(
                cost, weight, cost_by_job, weight_by_job, capacity, penalty, candidates, candidate_count,
                assignment, load, members, member_count, forbid_agent, forbid_until, counters[CLOCK], True,
                label, pred, stamp, chain, member_weight, excess_now)
            if length == 0:
                break
            for t in range(length):
                forbid_agent[chain[t]] = assignment[chain[t]]
                forbid_until[chain[t]] = counters[CLOCK] + TABU_TENURE
            _apply_exchange(chain, length, end_agent, assignment, load, weight, members, member_count, position)
            _record_if_best(cost, capacity, assignment, load, best, counters)

        if counters[BEST_COST] >= 0 and counters[ROUND] - counters[LAST_IMPROVED] > stall_rounds:
            # Restart from the best assignment with a share of the jobs moved at random.
            for job in range(job_count):
                if assignment[job] != best[job]:
                    _move_job(job, best[job], assignment, load, weight, members, member_count, position)
            for _ in range(max(1, int(perturb_share * job_count))):
                job = np.random.randint(job_count)
                target = candidates[job, np.random.randint(candidate_count[job])]
                if target != assignment[job]:
                    _move_job(job, target, assignment, load, weight, members, member_count, position)
            counters[LAST_IMPROVED] = counters[ROUND]


def candidate_lists(scores: np.ndarray, usable: np.ndarray, depth: int = CANDIDATE_AGENTS):
    """Return, per job, its usable agents with the smallest scores (at most depth) and their count."""
    depth = min(depth, usable.shape[0])
    ranked = np.argsort(np.where(usable, scores, np.inf), axis=0, kind="stable")[:depth].T
    count = np.minimum(usable.sum(axis=0), depth)
    return np.ascontiguousarray(ranked, dtype=np.int64), count.astype(np.int64)


def exchange_search(
    cost: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    usable: np.ndarray,
    scores: np.ndarray,
    prices: np.ndarray,
    start: np.ndarray,
    deadline: float,
    *,
    seed: int = 1,
    stop: Callable[[], bool] | None = None,
    publish: Callable[[np.ndarray, int], None] | None = None,
    stall_rounds: int = STALL_ROUNDS,
    perturb_share: float = PERTURB_SHARE,
) -> np.ndarray | None:
    """Search from start until the deadline (a perf_counter time) or until stop() is true.

    Return the best assignment within capacities found (None if none).
    scores rank each job's usable agents (smaller is more promising); prices
    are the capacities' prices (dual values) in the linear relaxation; start
    may overload agents. publish, when given, receives each better assignment
    and its cost between slices.
    """
    cost = np.ascontiguousarray(cost, dtype=np.int64)
    weight = np.ascontiguousarray(weight, dtype=np.int64)
    capacity = np.ascontiguousarray(capacity, dtype=np.int64)
    agent_count, job_count = cost.shape
    candidates, count = candidate_lists(scores, usable)
    jobs = np.arange(job_count)
    assignment = np.asarray(start, dtype=np.int64).copy()
    # Every job starts on one of its candidates (the first count[j] of its row).
    listed = np.arange(candidates.shape[1])[None, :] < count[:, None]
    on_candidate = ((candidates == assignment[:, None]) & listed).any(axis=1)
    assignment[~on_candidate] = candidates[~on_candidate, 0]
    load = np.bincount(assignment, weights=weight[assignment, jobs], minlength=agent_count).astype(np.int64)
    members = np.zeros((agent_count, job_count), dtype=np.int64)
    member_count = np.zeros(agent_count, dtype=np.int64)
    position = np.zeros(job_count, dtype=np.int64)
    for job in range(job_count):
        agent = assignment[job]
        members[agent, member_count[agent]] = job
        position[job] = member_count[agent]
        member_count[agent] += 1
    prices = np.asarray(prices, dtype=float)
    period_price = float(cost[usable].mean()) / max(1.0, float(weight[usable].mean()))
    floor = PENALTY_FLOOR_SHARE * max(period_price, float(prices.mean()) if prices.size else 0.0, EPSILON)
    penalty = PENALTY_START * np.maximum(prices, floor)
    best = assignment.copy()
    counters = np.array([0, -1, 0, 0], dtype=np.int64)
    forbid_agent = np.full(job_count, -1, dtype=np.int64)
    forbid_until = np.zeros(job_count, dtype=np.int64)
    label = np.empty((EXCHANGE_LENGTH + 1, job_count))
    pred = np.zeros((EXCHANGE_LENGTH + 1, job_count), dtype=np.int64)
    stamp = np.zeros(agent_count, dtype=np.int64)
    chain = np.empty(EXCHANGE_LENGTH, dtype=np.int64)
    member_weight = np.empty_like(members)
    excess_now = np.empty_like(load)
    cost_by_job = np.ascontiguousarray(cost.T)
    weight_by_job = np.ascontiguousarray(weight.T)
    rounds, slice_seed, published = 1, seed, -1
    # At least one round, then slices until the deadline or stop().
    while True:
        began = time.perf_counter()
        _run(cost, weight, cost_by_job, weight_by_job, capacity, candidates, count, assignment, load, penalty,
             members, member_count, position, best, counters, forbid_agent, forbid_until, label, pred, stamp,
             chain, member_weight, excess_now, rounds, slice_seed, stall_rounds, perturb_share, floor)
        slice_seed += 1
        if publish is not None and counters[BEST_COST] >= 0 and counters[BEST_COST] != published:
            published = int(counters[BEST_COST])
            publish(best.copy(), published)
        if time.perf_counter() >= deadline or (stop is not None and stop()):
            break
        # Size the next slice so that it ends near SLICE_SECONDS, and never past the deadline.
        took = max(time.perf_counter() - began, 1e-6)
        wanted = min(SLICE_SECONDS, deadline - time.perf_counter())
        rounds = max(1, min(rounds * 4, int(rounds * wanted / took)))
    return None if counters[BEST_COST] < 0 else best.copy()


def compile_kernels() -> None:
    """Compile the kernels now (they are cached on disk), so that no solve pays for it."""
    cost = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.int64)
    weight = np.ones((2, 3), dtype=np.int64)
    usable = np.ones((2, 3), dtype=bool)
    exchange_search(cost, weight, np.array([2, 2]), usable, np.zeros((2, 3)), np.ones(2), np.zeros(3, dtype=np.int64),
                    time.perf_counter())
