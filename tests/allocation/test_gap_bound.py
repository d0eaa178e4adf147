"""The knapsack relaxation of itinerant plans: bounds, forcing costs and near-optimal agent plans."""
import itertools
import random
import time

import numpy as np
import pytest

from allocation.gap_bound import bound_is_computable, forcing_costs, knapsack_bound, near_optimal_plans
from allocation.itinerant import _solve_relaxation


def random_problem(seed, agent_count=3, job_count=6):
    rng = random.Random(seed)
    cost = np.array([[rng.randint(1, 30) for _ in range(job_count)] for _ in range(agent_count)])
    weight = np.array([[rng.randint(1, 9) for _ in range(job_count)] for _ in range(agent_count)])
    capacity = np.array([rng.randint(6, 14) for _ in range(agent_count)])
    return cost, weight, capacity


def plans(cost, weight, capacity, usable):
    """Every assignment within capacities, with its cost."""
    agent_count, job_count = cost.shape
    for choice in itertools.product(range(agent_count), repeat=job_count):
        choice = np.array(choice)
        if not usable[choice, np.arange(job_count)].all():
            continue
        load = np.bincount(choice, weights=weight[choice, np.arange(job_count)], minlength=agent_count)
        if (load <= capacity).all():
            yield choice, int(cost[choice, np.arange(job_count)].sum())


@pytest.mark.parametrize("seed", range(15))
def test_the_bound_lies_between_the_relaxation_and_the_optimum(seed):
    cost, weight, capacity = random_problem(seed)
    usable = weight <= capacity[:, None]
    every = list(plans(cost, weight, capacity, usable))
    relaxation = _solve_relaxation(cost, weight, capacity, usable)
    if relaxation is None or not every:
        return
    optimum = min(value for _, value in every)
    bound = knapsack_bound(cost, weight, capacity, usable, relaxation.job_prices, time.perf_counter() + 2)
    assert relaxation.value - 1e-6 <= bound.value <= optimum + 1e-6
    if bound.partition is not None:
        assert int(cost[bound.partition, np.arange(cost.shape[1])].sum()) == pytest.approx(bound.value)


@pytest.mark.parametrize("seed", range(15))
def test_forcing_a_pair_raises_the_bound_by_no_more_than_the_cheapest_plan_using_it(seed):
    cost, weight, capacity = random_problem(seed)
    usable = weight <= capacity[:, None]
    every = list(plans(cost, weight, capacity, usable))
    if not every:
        return
    prices = np.random.default_rng(seed).uniform(0, 35, cost.shape[1])
    bound = knapsack_bound(cost, weight, capacity, usable, prices, time.perf_counter())
    raised = bound.value + forcing_costs(cost, weight, capacity, usable, bound.prices)
    for agent, job in itertools.product(range(cost.shape[0]), range(cost.shape[1])):
        using = [value for choice, value in every if choice[job] == agent]
        if using:
            assert raised[agent, job] <= min(using) + 1e-6
        elif not usable[agent, job]:
            assert raised[agent, job] == np.inf


def test_the_bound_proves_what_the_relaxation_cannot():
    # Two teachers of 5 periods, three demands of 3: the relaxation splits one demand, no plan can.
    cost = np.array([[1, 1, 1], [2, 2, 2]])
    weight = np.full((2, 3), 3)
    capacity = np.array([5, 6])
    usable = weight <= capacity[:, None]
    relaxation = _solve_relaxation(cost, weight, capacity, usable)
    bound = knapsack_bound(cost, weight, capacity, usable, relaxation.job_prices, time.perf_counter() + 2)
    assert relaxation.value < 5 - 1e-6
    assert bound.value == pytest.approx(5)   # one demand on the first teacher, two on the second


@pytest.mark.parametrize("seed", range(30))
def test_near_optimal_agent_plans_are_exactly_those_within_the_slack(seed):
    rng = np.random.default_rng(seed)
    agent_count, job_count = int(rng.integers(1, 4)), int(rng.integers(1, 8))
    cost = rng.integers(1, 20, (agent_count, job_count))
    weight = rng.integers(1, 8, (agent_count, job_count))
    capacity = rng.integers(3, 20, agent_count)
    usable = (weight <= capacity[:, None]) & (rng.random((agent_count, job_count)) < 0.9)
    prices = rng.uniform(0, 25, job_count)
    slack = float(rng.uniform(0, 10))
    agents, sets = near_optimal_plans(cost, weight, capacity, usable, prices, slack, 10**6)
    listed = {(agent, tuple(jobs.tolist())) for agent, jobs in zip(agents, sets)}
    expected = set()
    for agent in range(agent_count):
        fitting = []
        for mask in itertools.product([False, True], repeat=job_count):
            jobs = [j for j in range(job_count) if mask[j]]
            if all(usable[agent, j] for j in jobs) and sum(weight[agent, j] for j in jobs) <= capacity[agent]:
                fitting.append((sum(prices[j] - cost[agent, j] for j in jobs), tuple(jobs)))
        best = max(profit for profit, _ in fitting)
        expected |= {(agent, jobs) for profit, jobs in fitting if profit >= best - slack - 1e-9}
    assert listed == expected


def test_listing_stops_at_the_limit():
    cost = np.ones((1, 12), dtype=int)
    weight = np.ones((1, 12), dtype=int)
    # Every subset of 12 equal jobs fits and is as good as any other at price 1: 4,096 plans.
    assert near_optimal_plans(cost, weight, np.array([12]), np.ones((1, 12), dtype=bool), np.ones(12), 0.5,
                              1000) is None


def test_large_capacities_are_not_tabulated():
    usable = np.ones((2, 1000), dtype=bool)
    assert bound_is_computable(np.ones((2, 1000), dtype=int), np.array([50, 50]), usable)
    assert not bound_is_computable(np.ones((2, 1000), dtype=int), np.array([10**8, 50]), usable)
