"""The warm network simplex: least cost equal to the reference flow solver's, under one cost after another."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.graph.python import min_cost_flow

from allocation.simplex import WarmFlow

seeds = st.integers(min_value=0, max_value=10**6)


def reference_cost(tail, head, capacity, supply, cost) -> int | None:
    """Return the least cost by the reference solver, or None when no flow meets the supplies."""
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tail, head, capacity, cost)
    solver.set_nodes_supplies(np.arange(len(supply)), supply)
    status = solver.solve()
    if status == solver.INFEASIBLE:
        return None
    assert status == solver.OPTIMAL
    return solver.optimal_cost()


def random_network(rng, n_nodes: int, n_arcs: int):
    tail = rng.integers(0, n_nodes, n_arcs)
    head = rng.integers(0, n_nodes, n_arcs)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    capacity = rng.integers(0, 4, len(tail))
    supply = np.zeros(n_nodes, dtype=np.int64)
    for _ in range(int(rng.integers(0, 4))):
        a, b = rng.integers(0, n_nodes, 2)
        units = int(rng.integers(1, 3))
        supply[a] += units
        supply[b] -= units
    return tail, head, capacity, supply


def assert_strongly_feasible(network: WarmFlow):
    """Flow can be sent from every node up to the root: no tree arc towards the root is full, none away from it empty."""
    nodes = np.arange(network.n_nodes)
    arcs = network.pred[nodes]
    flow, capacity = network.flow[arcs], network.capacity[arcs]
    up = network.pred_dir[nodes] == 1
    assert (flow[up] < capacity[up]).all()
    assert (flow[~up] > 0).all()


def assert_flow(tail, head, capacity, supply, flow):
    assert ((flow >= 0) & (flow <= capacity)).all()
    n_nodes = len(supply)
    net = np.bincount(tail, flow, n_nodes) - np.bincount(head, flow, n_nodes)
    assert np.array_equal(net.astype(np.int64), supply)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds, n_nodes=st.integers(2, 9), n_arcs=st.integers(1, 24))
def test_each_solve_from_the_last_tree_reaches_the_least_cost(seed, n_nodes, n_arcs):
    rng = np.random.default_rng(seed)
    tail, head, capacity, supply = random_network(rng, n_nodes, n_arcs)
    network = WarmFlow(tail, head, capacity, supply)
    for _ in range(5):
        cost = rng.integers(-10, 10, len(tail))
        least = reference_cost(tail, head, capacity, supply, cost)
        flow = network.solve(cost)
        assert_strongly_feasible(network)
        if least is None:
            assert flow is None
            continue
        assert flow is not None
        assert_flow(tail, head, capacity, supply, flow)
        assert int(cost @ flow) == least


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_costs_that_move_a_little_on_an_assignment_network_stay_exact(seed):
    # Candidates to posts with a bypass, costs in the range of the key-teacher searches,
    # moved by small steps as the multiplier searches do.
    rng = np.random.default_rng(seed)
    n_cand, n_posts = 30, 12
    source, sink = 0, 1 + n_cand + n_posts
    pairs = [(c, p) for c in range(n_cand) for p in rng.choice(n_posts, 3, replace=False)]
    tail = np.array([source] * n_cand + [1 + c for c, _ in pairs] + [1 + n_cand + p for p in range(n_posts)] + [source])
    head = np.array([1 + c for c in range(n_cand)] + [1 + n_cand + p for _, p in pairs] + [sink] * n_posts + [sink])
    capacity = np.array([1] * (n_cand + len(pairs)) + list(rng.integers(1, 4, n_posts)) + [n_cand])
    supply = np.zeros(sink + 1, dtype=np.int64)
    supply[source], supply[sink] = n_cand, -n_cand
    network = WarmFlow(tail, head, capacity, supply)
    base = rng.integers(-10**12, 10**12, len(tail))
    for step in range(6):
        cost = base + rng.integers(-10**step, 10**step + 1, len(tail))
        flow = network.solve(cost)
        assert_flow(tail, head, capacity, supply, flow)
        assert int(cost @ flow) == reference_cost(tail, head, capacity, supply, cost)


def test_a_network_whose_supplies_cannot_be_met_has_no_flow():
    network = WarmFlow(np.array([0, 1]), np.array([1, 2]), np.array([2, 1]), np.array([2, 0, -2]))
    assert network.solve(np.array([1, 1])) is None


def test_costs_too_large_to_stay_exact_are_refused():
    network = WarmFlow(np.array([0]), np.array([1]), np.array([1]), np.array([1, -1]))
    with pytest.raises(ValueError):
        network.solve(np.array([2**60]))
