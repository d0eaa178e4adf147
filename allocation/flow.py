"""Coverage as a min-cost flow (exact: the assignment polytope is integral), built once and solved under any costs."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from allocation.eligibility import NO_HOME, Eligibility

# Headroom kept below 2**63: the flow solver scales costs by the node count internally.
COST_LIMIT = 2**62
NO_CAP = -1


@dataclass(frozen=True)
class FlowOutcome:
    chosen: np.ndarray   # indices of the chosen eligible pairs
    status: str
    arc_flow: np.ndarray | None = None   # the flow on every arc of the network, when one was solved


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


class CoverageNetwork:
    """The assignment network of a coverage problem, with home-school send bounds as arcs.

    Nodes: a source, one node per candidate, one per post, a sink, one per school (the
    feeder of its candidates when its sends are bounded) and one per (subject, stage,
    county) group of pooled candidates. The arcs stay fixed; solve() takes a cost per
    eligible pair and per candidate, so one network serves every objective and multiplier.
    """

    def __init__(self, elig: Eligibility, locked: np.ndarray, send_caps: np.ndarray | None = None,
                 send_floors: np.ndarray | None = None):
        """Build the arcs; send_caps and send_floors hold per school the most and the fewest
        candidates from that home school placed besides the locked ones (NO_CAP / 0 = none)."""
        arrays = elig.arrays
        self.elig, self.locked = elig, locked
        n_cand, n_posts, n_schools = arrays.n_candidates, arrays.n_posts, len(arrays.school_lat)
        seats_left = arrays.post_seats.copy()
        np.subtract.at(seats_left, elig.post[locked], 1)
        is_locked = np.zeros(n_cand, dtype=bool)
        is_locked[elig.cand[locked]] = True

        # Locked candidates are placed already; the others compete for the seats left.
        pairs = np.nonzero(~is_locked[elig.cand] & (seats_left[elig.post] > 0))[0]
        self.pairs = pairs
        source, sink = 0, 1 + n_cand + n_posts
        school_node = sink + 1
        # Candidates whose cost depends on the post alone reach their posts through one node per
        # (subject, stage, county): one arc per group they accept instead of one per post.
        pooled = poolable_candidates(elig)[elig.cand[pairs]]
        n_counties = max(1, len(arrays.counties))
        pooled_post = elig.post[pairs[pooled]]
        groups, group_of = np.unique(arrays.post_key[pooled_post] * n_counties + arrays.post_county[pooled_post],
                                     return_inverse=True)
        group_of = group_of.reshape(-1)
        n_groups = max(1, len(groups))
        first_group_node = school_node + n_schools
        self.n_nodes = first_group_node + len(groups)
        active_cand = np.unique(elig.cand[pairs])
        active_post = np.unique(elig.post[pairs])
        self.active_cand = active_cand
        supply = np.zeros(self.n_nodes, dtype=np.int64)

        tails, heads, caps = [], [], []

        def arcs(tail, head, capacity) -> slice:
            start = sum(len(t) for t in tails)
            tails.append(np.asarray(tail, dtype=np.int64))
            heads.append(np.asarray(head, dtype=np.int64))
            caps.append(np.asarray(capacity, dtype=np.int64))
            return slice(start, start + len(tails[-1]))

        # Each candidate takes at most one post; a bounded home school feeds its candidates
        # through one arc carrying at most its cap and at least its floor.
        feeder = np.zeros(len(active_cand), dtype=np.int64)
        home = arrays.cand_home[active_cand]
        caps_of = np.full(n_schools, NO_CAP, dtype=np.int64) if send_caps is None else send_caps
        floors_of = np.zeros(n_schools, dtype=np.int64) if send_floors is None else send_floors
        bounded = (home >= 0) & ((caps_of[np.maximum(home, 0)] >= 0) | (floors_of[np.maximum(home, 0)] > 0))
        feeder[bounded] = school_node + home[bounded]
        schools, sending = np.unique(home[bounded], return_counts=True)
        upper = np.where(caps_of[schools] >= 0, np.minimum(caps_of[schools], sending), sending)
        # A floor above what the school can send leaves no assignment at all.
        shortfall = floors_of.copy()
        shortfall[schools] -= upper
        self.infeasible = bool(np.any(shortfall > 0))
        floor = np.minimum(floors_of[schools], upper)
        # The floor is sent for sure: the school node starts with it, its arc carries the rest.
        supply[school_node + schools] = floor
        arcs(np.zeros(len(schools)), school_node + schools, upper - floor)
        self.feeder_arcs = arcs(feeder, 1 + active_cand, np.ones(len(active_cand)))
        # A candidate may take any post it is eligible for at the pair's cost.
        self.direct = pairs[~pooled]
        self.pair_arcs = arcs(1 + elig.cand[self.direct], 1 + n_cand + elig.post[self.direct],
                              np.ones(len(self.direct)))
        # A pooled candidate enters any group it accepts, free of cost.
        self.pooled_pairs = pairs[pooled]
        entries = np.unique(elig.cand[self.pooled_pairs] * n_groups + group_of)
        self.entry_cand, self.entry_group = entries // n_groups, entries % n_groups
        self.entry_arcs = arcs(1 + self.entry_cand, first_group_node + self.entry_group, np.ones(len(entries)))
        # A group feeds each of its posts at that post's cost, which is the same for every pooled candidate.
        self.group_posts, first = np.unique(pooled_post, return_index=True)
        self.exit_pair = self.pooled_pairs[first]
        self.exit_group = group_of[first]
        self.exit_arcs = arcs(first_group_node + self.exit_group, 1 + n_cand + self.group_posts,
                              seats_left[self.group_posts])
        # A post takes at most its free seats.
        arcs(1 + n_cand + active_post, np.full(len(active_post), sink), seats_left[active_post])
        # Leaving a candidate unassigned is allowed: the bypass arc makes this max weight, not max flow.
        arcs([source], [sink], [len(active_cand)])
        supply[source] = len(active_cand) - int(floor.sum())
        supply[sink] = -len(active_cand)
        self.supply = supply
        self.tail, self.head, self.capacity = np.concatenate(tails), np.concatenate(heads), np.concatenate(caps)

    @property
    def cost_limit(self) -> int:
        """Return the largest absolute arc cost the flow solver takes on this network, with a margin of 4."""
        return COST_LIMIT // (4 * (self.n_nodes + 1))

    def arc_costs(self, pair_cost: np.ndarray, candidate_cost: np.ndarray | None = None) -> np.ndarray:
        """Spread a cost per eligible pair and per candidate over the arcs.

        pair_cost holds one integer per eligible pair; for pooled candidates it must depend on
        the post alone. candidate_cost, per candidate, is paid when the candidate is placed.
        """
        cost = np.zeros(len(self.tail), dtype=np.int64)
        if candidate_cost is not None:
            cost[self.feeder_arcs] = candidate_cost[self.active_cand]
        cost[self.pair_arcs] = pair_cost[self.direct]
        cost[self.exit_arcs] = pair_cost[self.exit_pair]
        return cost

    def solve_arcs(self, arc_cost: np.ndarray) -> np.ndarray | None:
        """Return the flow on every arc of a least-cost assignment, or None when none exists."""
        if self.infeasible:
            return None
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(self.tail, self.head, self.capacity, arc_cost)
        flow.set_nodes_supplies(np.arange(self.n_nodes, dtype=np.int64), self.supply)
        status = flow.solve()
        if status == flow.INFEASIBLE:
            return None
        if status != flow.OPTIMAL:
            raise RuntimeError(f"min-cost flow ended with status {status}")
        return flow.flows(np.arange(len(self.tail), dtype=np.int64))

    def assignment(self, arc_flow: np.ndarray) -> np.ndarray:
        """Return the sorted pair indices (locked ones included) an integral flow places."""
        used = arc_flow[self.pair_arcs] > 0
        pooled_chosen = _unpool(self.elig, self.pooled_pairs, self.entry_cand, self.entry_group,
                                arc_flow[self.entry_arcs] > 0, self.exit_group, self.group_posts,
                                arc_flow[self.exit_arcs])
        return np.sort(np.concatenate([self.locked, self.direct[used], pooled_chosen]).astype(np.int64))

    def solve(self, pair_cost: np.ndarray, candidate_cost: np.ndarray | None = None) -> np.ndarray | None:
        """Return the pairs (locked ones included) of a least-cost assignment, or None when none exists."""
        arc_flow = self.solve_arcs(self.arc_costs(pair_cost, candidate_cost))
        return None if arc_flow is None else self.assignment(arc_flow)


def lexicographic_flow(network: CoverageNetwork) -> FlowOutcome | None:
    """Return the lexicographic coverage optimum over the network, or None when its costs overflow.

    The status is "infeasible" when the network has no assignment (send floors that cannot be met).
    """
    elig = network.elig
    costs = lexicographic_costs(elig, network.pairs, network.n_nodes)
    if costs is None:
        return None
    pair_cost = np.zeros(elig.n_pairs, dtype=np.int64)
    pair_cost[network.pairs] = costs
    arc_flow = network.solve_arcs(network.arc_costs(pair_cost))
    if arc_flow is None:
        return FlowOutcome(np.zeros(0, dtype=np.int64), "infeasible")
    return FlowOutcome(network.assignment(arc_flow), "optimal", arc_flow)


def solve_coverage(elig: Eligibility, locked: np.ndarray, send_caps: np.ndarray | None = None,
                   send_floors: np.ndarray | None = None) -> FlowOutcome | None:
    """Return the lexicographic coverage optimum with locked pairs forced, or None when costs overflow.

    send_caps and send_floors, when given, bound per school how many candidates from that home
    school are placed besides the locked ones (see CoverageNetwork); each bound is part of the
    network, so the result stays an exact optimum under them.
    """
    return lexicographic_flow(CoverageNetwork(elig, locked, send_caps, send_floors))


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
