"""Coverage without coupling rules, as one min-cost flow (exact: the assignment polytope is integral)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from allocation.eligibility import NO_HOME, Eligibility

# Headroom kept below 2**63: the flow solver scales costs by the node count internally.
COST_LIMIT = 2**62


@dataclass(frozen=True)
class FlowOutcome:
    chosen: np.ndarray   # indices of the chosen eligible pairs
    status: str


def lexicographic_costs(elig: Eligibility, pairs: np.ndarray, n_nodes: int) -> np.ndarray | None:
    """Fold (max weight, min rank, min distance) into one integer cost per pair arc, or None on overflow.

    Two optimal flows differ by cycles of the residual graph; a simple cycle uses at most
    2 * min(candidates, posts) pair arcs, so a multiplier above that many times the largest
    lower-level cost makes every lower level unable to outweigh one unit of the level above.
    """
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.int64)
    weight = elig.arrays.post_weight[elig.post[pairs]]
    rank = elig.rank[pairs]
    dist = elig.objective_distance()[pairs]
    cycle_arcs = 2 * min(len(np.unique(elig.cand[pairs])), len(np.unique(elig.post[pairs]))) + 2
    distance_scale = 1
    rank_scale = cycle_arcs * int(dist.max()) + 1
    low_max = int(rank.max()) * rank_scale + int(dist.max())
    weight_scale = cycle_arcs * low_max + 1
    largest = int(weight.max()) * weight_scale + low_max
    if largest * (n_nodes + 1) >= COST_LIMIT or largest * cycle_arcs >= COST_LIMIT:
        return None
    return -weight * weight_scale + rank * rank_scale + dist * distance_scale


def poolable_candidates(elig: Eligibility) -> np.ndarray:
    """Mark the candidates whose cost for an eligible post depends on the post alone.

    Without preferences every rank is 0; without a home school the distance is unknown
    (counted 0) and no distance limit or home-school exclusion applies; without a forbidden
    pair the eligible posts are exactly those of the (subject, stage, county) they accept.
    """
    arrays = elig.arrays
    poolable = ~arrays.cand_has_prefs & (arrays.cand_home == NO_HOME)
    poolable[arrays.forbidden_codes // max(1, arrays.n_posts)] = False
    return poolable


def solve_coverage(elig: Eligibility, locked: np.ndarray, send_caps: np.ndarray | None = None) -> FlowOutcome | None:
    """Return the lexicographic coverage optimum with locked pairs forced, or None when costs overflow.

    send_caps, when given, holds per school the most candidates from that home school that may
    be placed besides the locked ones (-1 = no cap); each cap is one arc of the network, so the
    result stays an exact optimum under those caps.
    """
    arrays = elig.arrays
    n_cand, n_posts = arrays.n_candidates, arrays.n_posts
    seats_left = arrays.post_seats.copy()
    np.subtract.at(seats_left, elig.post[locked], 1)
    is_locked = np.zeros(n_cand, dtype=bool)
    is_locked[elig.cand[locked]] = True

    # Locked candidates are placed already; the others compete for the seats left.
    pairs = np.nonzero(~is_locked[elig.cand] & (seats_left[elig.post] > 0))[0]
    source, sink = 0, 1 + n_cand + n_posts
    # Candidates whose cost depends on the post alone reach their posts through one node per
    # (subject, stage, county): one arc per group they accept instead of one per post.
    pooled = poolable_candidates(elig)[elig.cand[pairs]]
    n_counties = max(1, len(arrays.counties))
    pooled_post = elig.post[pairs[pooled]]
    groups, group_of = np.unique(arrays.post_key[pooled_post] * n_counties + arrays.post_county[pooled_post],
                                 return_inverse=True)
    group_of = group_of.reshape(-1)
    first_group_node = sink + 1 + len(arrays.school_lat)
    n_nodes = n_cand + n_posts + 2 + len(groups)
    costs = lexicographic_costs(elig, pairs, n_nodes)
    if costs is None:
        return None
    active_cand = np.unique(elig.cand[pairs])
    active_post = np.unique(elig.post[pairs])

    flow = min_cost_flow.SimpleMinCostFlow()
    # Each candidate takes at most one post; a capped home school feeds its candidates through one arc.
    feeder = np.zeros(len(active_cand), dtype=np.int64)
    if send_caps is not None:
        home = elig.arrays.cand_home[active_cand]
        capped = (home >= 0) & (send_caps[np.maximum(home, 0)] >= 0)
        feeder[capped] = sink + 1 + home[capped]
        schools = np.unique(home[capped])
        flow.add_arcs_with_capacity_and_unit_cost(
            np.zeros(len(schools), dtype=np.int64), sink + 1 + schools, send_caps[schools],
            np.zeros(len(schools), dtype=np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(
        feeder, 1 + active_cand,
        np.ones(len(active_cand), dtype=np.int64), np.zeros(len(active_cand), dtype=np.int64))
    # A candidate may take any post it is eligible for; the cost carries the lexicographic objective.
    direct = pairs[~pooled]
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        1 + elig.cand[direct], 1 + n_cand + elig.post[direct], np.ones(len(direct), dtype=np.int64), costs[~pooled])
    # A pooled candidate enters any group it accepts, free of cost.
    entries = np.unique(elig.cand[pairs[pooled]] * max(1, len(groups)) + group_of)
    entry_cand, entry_group = entries // max(1, len(groups)), entries % max(1, len(groups))
    entry_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        1 + entry_cand, first_group_node + entry_group, np.ones(len(entries), dtype=np.int64),
        np.zeros(len(entries), dtype=np.int64))
    # A group feeds each of its posts at that post's cost, which is the same for every pooled candidate.
    group_posts, first = np.unique(pooled_post, return_index=True)
    exit_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        first_group_node + group_of[first], 1 + n_cand + group_posts, seats_left[group_posts],
        costs[pooled][first])
    # A post takes at most its free seats.
    flow.add_arcs_with_capacity_and_unit_cost(
        1 + n_cand + active_post, np.full(len(active_post), sink, dtype=np.int64),
        seats_left[active_post], np.zeros(len(active_post), dtype=np.int64))
    # Leaving a candidate unassigned is allowed: the bypass arc makes this max weight, not max flow.
    flow.add_arc_with_capacity_and_unit_cost(source, sink, len(active_cand), 0)
    flow.set_node_supply(source, len(active_cand))
    flow.set_node_supply(sink, -len(active_cand))

    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status}")
    used = flow.flows(pair_arcs) > 0 if len(direct) else np.zeros(0, dtype=bool)
    pooled_chosen = _unpool(elig, pairs[pooled], entry_cand, entry_group, flow.flows(entry_arcs) > 0 if len(entries)
                            else np.zeros(0, dtype=bool), group_of[first], group_posts,
                            flow.flows(exit_arcs) if len(group_posts) else np.zeros(0, dtype=np.int64))
    chosen = np.concatenate([locked, direct[used], pooled_chosen]).astype(np.int64)
    return FlowOutcome(np.sort(chosen), "optimal")


def _unpool(elig: Eligibility, pooled_pairs: np.ndarray, entry_cand: np.ndarray, entry_group: np.ndarray,
            entered: np.ndarray, exit_group: np.ndarray, exit_post: np.ndarray, exit_flow: np.ndarray) -> np.ndarray:
    """Hand the seats a group filled to the candidates that entered it; return their pair indices.

    Every candidate entering a group is eligible for all of its posts at the same cost,
    so any pairing of entrants with filled seats carries the optimal flow's cost.
    """
    entrant = entry_cand[entered]
    entrant_group = entry_group[entered]
    by_group = np.argsort(entrant_group, kind="stable")
    seat_group = np.repeat(exit_group, exit_flow)
    seat_post = np.repeat(exit_post, exit_flow)
    by_seat_group = np.argsort(seat_group, kind="stable")
    if not np.array_equal(entrant_group[by_group], seat_group[by_seat_group]):
        raise RuntimeError("min-cost flow: a group's inflow differs from its outflow")
    n_posts = elig.arrays.n_posts
    wanted = entrant[by_group] * n_posts + seat_post[by_seat_group]
    codes = elig.cand[pooled_pairs] * n_posts + elig.post[pooled_pairs]
    order = np.argsort(codes, kind="stable")
    found = order[np.searchsorted(codes[order], wanted)] if len(wanted) else np.zeros(0, dtype=np.int64)
    if len(wanted) and not np.array_equal(codes[found], wanted):
        raise RuntimeError("min-cost flow: a pooled candidate was routed to a post it is not eligible for")
    return pooled_pairs[found]
