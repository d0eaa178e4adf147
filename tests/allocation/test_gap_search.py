"""The exchange search for itinerant plans: exchanges, penalties, repair, and the search's contract."""
import itertools
import random
import time

import numpy as np
import pytest

from allocation.gap_search import (
    EXCHANGE_LENGTH,
    NO_BAN,
    _apply_exchange,
    _best_exchange,
    candidate_lists,
    exchange_search,
)


def state_for(cost, weight, capacity, assignment, depth=None):
    """Arrays the kernels work on, for a given assignment (all pairs usable)."""
    cost, weight = np.asarray(cost, dtype=np.int64), np.asarray(weight, dtype=np.int64)
    agent_count, job_count = cost.shape
    usable = np.ones(cost.shape, dtype=bool)
    candidates, count = candidate_lists(np.zeros(cost.shape), usable, depth or agent_count)
    assignment = np.asarray(assignment, dtype=np.int64)
    load = np.bincount(assignment, weights=weight[assignment, np.arange(job_count)],
                       minlength=agent_count).astype(np.int64)
    members = np.zeros((agent_count, job_count), dtype=np.int64)
    member_count = np.zeros(agent_count, dtype=np.int64)
    position = np.zeros(job_count, dtype=np.int64)
    for job, agent in enumerate(assignment):
        members[agent, member_count[agent]] = job
        position[job] = member_count[agent]
        member_count[agent] += 1
    return dict(cost=cost, weight=weight, capacity=np.asarray(capacity, dtype=np.int64), candidates=candidates,
                count=count, assignment=assignment, load=load, members=members, member_count=member_count,
                position=position)


def best_exchange(s, penalty, length=EXCHANGE_LENGTH, allow_worse=False, forbid=None, now=NO_BAN):
    job_count = s["cost"].shape[1]
    forbid_agent, forbid_until = forbid if forbid is not None else (np.full(job_count, -1), np.zeros(job_count))
    chain = np.empty(length, dtype=np.int64)
    total, moved, end = _best_exchange(
        s["cost"], s["weight"], np.ascontiguousarray(s["cost"].T), np.ascontiguousarray(s["weight"].T),
        s["capacity"], np.asarray(penalty, dtype=float), s["candidates"], s["count"], s["assignment"], s["load"],
        s["members"], s["member_count"], np.asarray(forbid_agent, dtype=np.int64),
        np.asarray(forbid_until, dtype=np.int64), now, allow_worse,
        np.empty((length + 1, job_count)), np.zeros((length + 1, job_count), dtype=np.int64),
        np.zeros(s["cost"].shape[0], dtype=np.int64), chain, np.empty_like(s["members"]), np.empty_like(s["load"]))
    return total, chain[:moved].copy(), end


def penalised(s, penalty):
    jobs = np.arange(len(s["assignment"]))
    excess = np.maximum(s["load"] - s["capacity"], 0)
    return float(s["cost"][s["assignment"], jobs].sum() + (np.asarray(penalty) * excess).sum())


def apply(s, chain, end):
    _apply_exchange(chain, len(chain), end, s["assignment"], s["load"], s["weight"], s["members"],
                    s["member_count"], s["position"])


def test_a_rotation_among_three_full_teachers_is_found_when_no_shift_or_swap_helps():
    # Each teacher is full with one demand that would be cheaper one teacher further on.
    cost = [[5, 1, 9], [9, 5, 1], [1, 9, 5]]
    weight = [[2, 2, 2]] * 3
    s = state_for(cost, weight, [2, 2, 2], [0, 1, 2])
    total, chain, end = best_exchange(s, penalty=[100, 100, 100])
    assert end == -1 and len(chain) == 3
    assert total == pytest.approx(-12)
    apply(s, chain, end)
    assert s["assignment"].tolist() == [2, 0, 1]
    # Length two finds nothing: every swap or shift costs.
    s = state_for(cost, weight, [2, 2, 2], [0, 1, 2])
    assert best_exchange(s, penalty=[100, 100, 100], length=2)[1].size == 0


def test_a_path_ends_on_the_teacher_with_room():
    # Demand 0 is cheaper on teacher 1, which is full; its demand 1 fits on teacher 2.
    s = state_for([[5, 9], [1, 6], [9, 7]], [[3, 3], [3, 3], [3, 3]], [3, 3, 3], [0, 1])
    total, chain, end = best_exchange(s, penalty=[50, 50, 50])
    assert (chain.tolist(), end) == ([0, 1], 2)
    assert total == pytest.approx((1 - 5) + (7 - 6))


@pytest.mark.parametrize("seed", range(40))
def test_the_reported_change_is_the_change_in_cost_plus_penalties(seed):
    rng = np.random.default_rng(seed)
    agent_count, job_count = int(rng.integers(2, 6)), int(rng.integers(3, 20))
    cost = rng.integers(1, 50, (agent_count, job_count))
    weight = rng.integers(1, 20, (agent_count, job_count))
    capacity = (weight.sum(axis=1) * rng.uniform(0.1, 0.5, agent_count)).astype(int) + 1
    s = state_for(cost, weight, capacity, rng.integers(0, agent_count, job_count),
                  depth=int(rng.integers(1, agent_count + 1)))
    penalty = rng.uniform(0.1, 3, agent_count)
    allow_worse = bool(seed % 2)
    before = penalised(s, penalty)
    total, chain, end = best_exchange(s, penalty, length=int(rng.integers(1, 6)), allow_worse=allow_worse)
    if chain.size == 0:
        assert not allow_worse
        return
    agents = [int(s["assignment"][job]) for job in chain] + ([end] if end >= 0 else [])
    assert len(set(agents)) == len(agents)
    apply(s, chain, end)
    assert penalised(s, penalty) - before == pytest.approx(total)
    assert allow_worse or total < 0


def test_a_banned_move_is_left_out_until_its_ban_ends():
    s = state_for([[5, 9], [1, 6], [9, 7]], [[3, 3], [3, 3], [3, 3]], [3, 3, 3], [0, 1])
    # Demand 0 may not go to teacher 1 before clock 10.
    ban = (np.array([1, -1]), np.array([10, 0]))
    total, chain, _ = best_exchange(s, [50, 50, 50], forbid=ban, now=5)
    assert 0 not in chain.tolist() or s["assignment"][chain[chain.tolist().index(0) + 1]] != 1
    assert best_exchange(s, [50, 50, 50], forbid=ban, now=10)[1].tolist() == [0, 1]


def brute_force(cost, weight, capacity):
    agent_count, job_count = cost.shape
    best = None
    for choice in itertools.product(range(agent_count), repeat=job_count):
        load = np.bincount(choice, weights=weight[list(choice), range(job_count)], minlength=agent_count)
        if (load <= capacity).all():
            value = int(cost[list(choice), range(job_count)].sum())
            best = value if best is None or value < best else best
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_search_repairs_an_overloaded_start_and_returns_a_plan_within_capacities(seed):
    rng = random.Random(seed)
    cost = np.array([[rng.randint(1, 20) for _ in range(6)] for _ in range(3)])
    weight = np.array([[rng.randint(1, 9) for _ in range(6)] for _ in range(3)])
    capacity = np.array([rng.randint(8, 14) for _ in range(3)])
    optimum = brute_force(cost, weight, capacity)
    usable = np.ones(cost.shape, dtype=bool)
    published = []
    # Everything on teacher 0: far over its capacity. The search stops once it reaches the optimum.
    found = exchange_search(cost, weight, capacity, usable, np.zeros(cost.shape), np.ones(3), np.zeros(6, dtype=int),
                            time.perf_counter() + (30 if optimum is not None else 0.3),
                            publish=lambda plan, value: published.append((plan, value)),
                            stop=lambda: bool(published) and published[-1][1] == optimum)
    if optimum is None:
        assert found is None
        return
    assert found is not None
    load = np.bincount(found, weights=weight[found, np.arange(6)], minlength=3)
    assert (load <= capacity).all()
    value = int(cost[found, np.arange(6)].sum())
    assert value == optimum
    # Every published plan was cheaper than the one before, and the last is the one returned.
    assert [v for _, v in published] == sorted({v for _, v in published}, reverse=True)
    assert published[-1][1] == value
    assert [int(cost[p, np.arange(6)].sum()) for p, _ in published] == [v for _, v in published]


def test_the_search_stops_when_asked():
    cost = np.arange(40).reshape(4, 10) % 7 + 1
    weight = np.ones((4, 10), dtype=int)
    began = time.perf_counter()
    exchange_search(cost, weight, np.array([3, 3, 3, 3]), np.ones((4, 10), dtype=bool), np.zeros((4, 10)),
                    np.ones(4), np.zeros(10, dtype=int), began + 30, stop=lambda: True)
    assert time.perf_counter() - began < 5


def test_unusable_pairs_are_never_used():
    cost = np.array([[1, 1, 1], [5, 5, 5]])
    weight = np.ones((2, 3), dtype=int)
    usable = np.array([[True, False, True], [True, True, True]])
    found = exchange_search(cost, weight, np.array([3, 3]), usable, np.where(usable, 0.0, np.inf), np.ones(2),
                            np.zeros(3, dtype=int), time.perf_counter() + 0.2)
    assert found.tolist() == [0, 1, 0]


def test_a_search_whose_relaxation_prices_nothing_still_reaches_a_plan_within_capacities():
    # All twelve jobs start on the cheaper teacher, six over its capacity; each move to the other
    # costs 1. With every capacity priced at zero the weights start from the price of one period
    # (here 1.5 x 0.1 x 1.2) and must rise above 1 within the few rounds of three slices.
    cost = np.array([[1] * 12, [2] * 12], dtype=np.int64)
    weight = np.ones((2, 12), dtype=np.int64)
    slices = iter(range(3))
    plan = exchange_search(cost, weight, np.array([6, 6]), np.ones((2, 12), dtype=bool), np.zeros((2, 12)),
                           np.zeros(2), np.zeros(12, dtype=np.int64), time.perf_counter() + 60,
                           stop=lambda: next(slices, None) is None)
    assert plan is not None
    assert np.bincount(plan, minlength=2).tolist() == [6, 6]
