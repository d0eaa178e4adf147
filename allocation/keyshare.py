"""Coverage under a key-teacher share: the share row priced into the costs of the bounded flow.

The source-school caps and floors and the locks are part of the coverage network, so the
key-teacher share is the only row the network lacks. Moving that row into the costs with a
multiplier (key candidates cheaper, the others dearer) leaves a min-cost flow, whose value
bounds the optimum for every multiplier; the best multiplier gives the bound of the linear
relaxation exactly, because the network alone is integral.

Level 1 (weight) searches that multiplier by Newton's method on the two flows that bracket
the share. Level 2 (rank and distance folded into one integer, as in the integer program)
holds the weight at its bound, a second row: when that bound is the network's most weight
the weight multiplier stays at its largest and Newton's method finds the share multiplier;
otherwise a cutting-plane search in a trust region finds both. Every bound is computed in
exact integers from an optimal flow, and each level is integral, so an assignment that meets
the rounded bound is proven optimal without branching.

Every flow of these searches is on the one network under slightly changed costs, so each is
solved by the network simplex from the last optimal tree (allocation.simplex).

Assignments come from the flows, and from choosing, by a small integer program, which cycles
of the difference between two flows to apply (every such choice is again a flow). When the
second level's bound stays below the best assignment, the reduced costs of the best priced
flow fix every arc that no better assignment can change, and an integer program over the
arcs left free settles the level. Otherwise the caller falls back to the full integer
program, given the best assignment and the bounds found here.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from allocation.eligibility import Eligibility
from allocation.flow import CoverageNetwork
from allocation.mip import _largest_total, objective_levels
from allocation.rules import LinearRule
from allocation.simplex import WarmFlow

# Cutting-plane rounds for the second level before handing over to the integer program.
MAX_CUTTING_ROUNDS = 30
# Trust region of the cutting-plane search: its first size relative to the multipliers, and
# how much it grows after an improving step to its edge and shrinks after a step that does not improve.
RADIUS_START, RADIUS_GROWTH, RADIUS_SHRINK = 1.0, 4.0, 2.0
# Finest multiplier step: multipliers are fractions with a power-of-two denominator up to this.
MULTIPLIER_DENOMINATOR = 2**20
# Shares of the time limit for the relaxation (bounds and flows) and then for the integer
# program on the arcs left free; the full integer program gets the rest.
RELAXATION_SHARE = 0.5
CORE_SHARE = 0.25
# Largest share of the network's arcs left free for which the integer program on them is tried.
CORE_ARC_SHARE = 0.7
# Recent flows of the second level combined, by their cycles, with the best assignment.
COMBINED_FLOWS = 6
# Time limit of each small integer program choosing cycles between two flows, seconds.
REPAIR_TIME_LIMIT = 5.0
# Rounds of relaxing every residual arc at once when computing node potentials.
MAX_RELAXATION_ROUNDS = 2000


@dataclass(frozen=True)
class Levels:
    """One assignment and its values: weight, share surplus (>= 0 when the share holds), folded rank and distance."""

    chosen: np.ndarray
    weight: int
    share: int
    low: int
    arc_flow: np.ndarray

    @property
    def meets_share(self) -> bool:
        return self.share >= 0


@dataclass(frozen=True)
class ShareOutcome:
    status: str                  # optimal, feasible (not proven) or infeasible
    best: Levels | None          # best assignment meeting every rule, by weight then rank and distance
    weight_bound: int | None     # no assignment meeting the rules has more weight
    low_bound: int | None        # none with that weight has a lower folded rank and distance
    proof: str | None            # "bound": the best meets both bounds; "core_program": the second level
                                 # was proven by the integer program on the arcs reduced costs leave free
    flows: int                   # min-cost flows solved


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


class _Pricing:
    """The per-arc values of the levels, and the flow under priced costs."""

    def __init__(self, elig: Eligibility, network: CoverageNetwork, share_rule: LinearRule, low: np.ndarray):
        self.elig, self.network = elig, network
        self.weight = elig.arrays.post_weight[elig.post].astype(np.int64)
        self.low = low.astype(np.int64)
        self.share = np.zeros(elig.arrays.n_candidates, dtype=np.int64)
        self.share[elig.cand[share_rule.pairs]] = share_rule.coefs
        zero = np.zeros(elig.n_pairs, dtype=np.int64)
        self.arc_weight = network.arc_costs(self.weight)
        self.arc_low = network.arc_costs(self.low)
        self.arc_share = network.arc_costs(zero, self.share)
        # What the locked pairs contribute: the same in every flow.
        locked = network.locked
        self.fixed = (int(self.weight[locked].sum()), int(self.share[elig.cand[locked]].sum()),
                      int(self.low[locked].sum()))
        self.flows = 0
        # The searches solve this network many times under costs that change a little: each
        # solve starts from the last optimal tree.
        self.warm: WarmFlow | None = None

    def levels(self, arc_flow: np.ndarray) -> Levels:
        weight, share, low = self.fixed
        return Levels(self.network.assignment(arc_flow), weight + int(self.arc_weight @ arc_flow),
                      share + int(self.arc_share @ arc_flow), low + int(self.arc_low @ arc_flow), arc_flow)

    def fits(self, *magnitudes: int) -> bool:
        """Tell whether arc costs of the given largest sizes stay exact in the flow solver."""
        return sum(magnitudes) <= self.network.cost_limit

    def solve(self, weight_price: int, low_price: int, share_price: int) -> Levels:
        """Return the flow minimising low_price * low - weight_price * weight - share_price * share."""
        self.flows += 1
        network = self.network
        if self.warm is None:
            self.warm = WarmFlow(network.tail, network.head, network.capacity, network.supply)
        arc_flow = None if network.infeasible else self.warm.solve(
            low_price * self.arc_low - weight_price * self.arc_weight - share_price * self.arc_share)
        if arc_flow is None:
            raise RuntimeError("the coverage network lost its assignment under new costs")
        return self.levels(arc_flow)


def _weight_bound(pricing: _Pricing, start: Levels, most_weight: int) -> tuple[Fraction, Fraction, Levels, Levels,
                                                                                  list[Levels]] | None:
    """Search the share multiplier of the weight level; return (bound, multiplier, below, above, flows seen).

    below misses the share and above meets it; both are optimal at the final multiplier, where
    the bound is the linear relaxation's. None when no assignment meets the share.
    """
    below, above, seen = start, None, [start]
    # First guess: the multiplier at which dropping the lightest placed non-key candidate breaks
    # even, doubled until the flow meets the share.
    weight_price = -int(pricing.share.min())
    share_price = int(pricing.weight[start.chosen].min(initial=1))
    share_first = (most_weight + 1) * weight_price
    while above is None:
        if share_price >= share_first or not pricing.fits(weight_price * int(pricing.weight.max()),
                                                            share_price * int(np.abs(pricing.share).max())):
            # Most share first (the weight only breaks ties): if this misses the share, nothing meets it.
            flow = pricing.solve(1, 0, most_weight + 1)
            seen.append(flow)
            if not flow.meets_share:
                return None
            above = flow
            break
        flow = pricing.solve(weight_price, 0, share_price)
        seen.append(flow)
        if flow.meets_share:
            above = flow
        else:
            below, share_price = flow, 2 * share_price
    while True:
        if above.weight >= below.weight and below is not start:
            below = start  # the flows meet at multiplier 0, where start is the optimum
        # The multiplier where both flows value the same: weight + (gain / cost) * share.
        gain, cost = below.weight - above.weight, above.share - below.share
        line = cost * below.weight + gain * below.share
        bound = Fraction(line, cost)
        if gain <= 0:
            break  # above meets the share with the network's most weight
        flow = pricing.solve(cost, 0, gain)
        seen.append(flow)
        if cost * flow.weight + gain * flow.share <= line:
            break
        if flow.meets_share:
            above = flow
        else:
            below = flow
    return bound, Fraction(max(gain, 0), cost), below, above, seen


def _master(cuts: list[tuple[int, int, int]], center: tuple[Fraction, Fraction, Fraction] | None,
            box: tuple[float, float]) -> tuple[float, float, float]:
    """Maximise the cutting-plane model of the second level's dual; return (gain, mu, lam).

    Each cut (weight surplus dw, share s, folded low v) of a flow says the dual is at most
    v - mu * dw - lam * s. Around a center (mu, lam, dual value) the model is written in offsets
    from it, so that the doubles keep the few units that matter, and the step is kept within
    box; gain is the model's rise over the center's dual. Without a center box bounds mu and lam.
    """
    mu0, lam0, value0 = center if center is not None else (Fraction(0), Fraction(0), Fraction(0))
    rhs = np.array([float(low - mu0 * dw - lam0 * share - value0) for dw, share, low in cuts])
    matrix = np.array([[1.0, float(dw), float(share)] for dw, share, _ in cuts])
    if center is None:
        scale = max(1.0, float(np.abs(rhs).max()))
        bounds = [(None, None), (0.0, box[0] / scale), (0.0, box[1] / scale)]
        rhs = rhs / scale
    else:
        scale = 1.0
        bounds = [(None, None), (max(-float(mu0), -box[0]), box[0]), (max(-float(lam0), -box[1]), box[1])]
    result = linprog([-1.0, 0.0, 0.0], A_ub=matrix, b_ub=rhs, bounds=bounds, method="highs")
    if result.status != 0:
        raise RuntimeError(f"cutting-plane model ended with status {result.status}")
    return (float(-result.fun) * scale, float(mu0) + float(result.x[1]) * scale,
            float(lam0) + float(result.x[2]) * scale)


class _Dual:
    """The second level's dual at priced flows: the best value so far, its prices and its flow."""

    def __init__(self, pricing: _Pricing, weight_bound: int, best: Levels):
        self.pricing, self.weight_bound, self.best = pricing, weight_bound, best
        self.value: Fraction | None = None
        self.prices: tuple[int, int, int] | None = None
        self.flow: Levels | None = None
        self.cuts: list[tuple[int, int, int]] = []
        self.flows: list[Levels] = []
        # The largest multipliers whose prices stay exact in the flow solver.
        low_max = int(np.abs(pricing.low).max(initial=0))
        weight_max = int(np.abs(pricing.weight).max(initial=1))
        share_max = int(np.abs(pricing.share).max(initial=1))
        budget = pricing.network.cost_limit // 2
        self.limits = ((budget - low_max) / weight_max, budget / share_max)

    def add(self, flow: Levels) -> None:
        self.flows.append(flow)
        self.cuts.append((flow.weight - self.weight_bound, flow.share, flow.low))
        if flow.meets_share and flow.weight >= self.weight_bound:
            self.best = _better(self.best, flow)

    def evaluate(self, mu: float, lam: float) -> tuple[Levels, Fraction]:
        """Solve the flow at multipliers (mu, lam), kept within the limits; return it and the exact dual value there."""
        mu, lam = min(max(mu, 0.0), self.limits[0]), min(max(lam, 0.0), self.limits[1])
        low_price, weight_price, share_price = _multipliers(self.pricing, mu, lam)
        flow = self.pricing.solve(weight_price, low_price, share_price)
        self.add(flow)
        dual = Fraction(low_price * flow.low - weight_price * (flow.weight - self.weight_bound)
                        - share_price * flow.share, low_price)
        if self.value is None or dual > self.value:
            self.value, self.prices, self.flow = dual, (low_price, weight_price, share_price), flow
        return flow, dual

    @property
    def proven(self) -> bool:
        return self.value is not None and self.best.low <= _ceil(self.value)

    @property
    def center(self) -> tuple[Fraction, Fraction, Fraction]:
        low_price, weight_price, share_price = self.prices
        return Fraction(weight_price, low_price), Fraction(share_price, low_price), self.value


def _low_bound(pricing: _Pricing, weight_bound: int, flows: list[Levels], best: Levels, deadline: float) -> _Dual:
    """Search the two multipliers of the second level; return the dual with its best value, prices and flow.

    A proximal cutting-plane search: each flow adds a cut, the model is maximised within a
    trust region around the best multipliers so far, which grows after a step to its edge that
    improves the bound and shrinks after a step that does not.
    """
    dual = _Dual(pricing, weight_bound, best)
    for flow in flows:
        dual.add(flow)
    if weight_bound >= max(flow.weight for flow in flows):
        return _share_search(dual, flows, deadline)
    _, mu, lam = _master(dual.cuts, None, dual.limits)
    radius = None
    for _ in range(MAX_CUTTING_ROUNDS):
        if time.perf_counter() > deadline:
            break
        center = dual.center if dual.prices is not None else None
        _, value = dual.evaluate(mu, lam)
        if center is not None and value > center[2]:
            moved = (abs(mu - float(center[0])), abs(lam - float(center[1])))
            if moved[0] >= 0.99 * radius[0] or moved[1] >= 0.99 * radius[1]:
                radius = (RADIUS_GROWTH * radius[0], RADIUS_GROWTH * radius[1])
        elif center is not None:
            radius = (radius[0] / RADIUS_SHRINK, radius[1] / RADIUS_SHRINK)
        if dual.proven:
            break
        center = dual.center
        if radius is None:
            radius = (max(1.0, float(center[0]) * RADIUS_START), max(1.0, float(center[1]) * RADIUS_START))
        gain, mu, lam = _master(dual.cuts, center, radius)
        at_edge = abs(mu - float(center[0])) >= 0.99 * radius[0] or abs(lam - float(center[1])) >= 0.99 * radius[1]
        if gain < 0.5 and not at_edge:
            break  # the model allows no better rounded bound
    return dual


def _share_search(dual: _Dual, flows: list[Levels], deadline: float) -> _Dual:
    """Search the share multiplier of the second level when the weight bound is the network's most weight.

    No flow then has more weight than the bound, so the weight multiplier only ever raises the
    dual: it is kept at its largest, and Newton's method on the two flows bracketing the share
    finds the best share multiplier, as for the first level.
    """
    mu = dual.limits[0]
    below = min(flows, key=lambda f: f.share)
    above = max(flows, key=lambda f: (f.meets_share and f.weight >= dual.weight_bound, -f.low))

    def line(flow: Levels, lam: float) -> float:
        return flow.low - mu * (flow.weight - dual.weight_bound) - lam * flow.share

    first, _ = dual.evaluate(mu, 0.0)
    if first.meets_share or above.share <= first.share:
        return dual
    below = first
    for _ in range(MAX_CUTTING_ROUNDS):
        if dual.proven or time.perf_counter() > deadline or above.share <= below.share:
            break
        # The share multiplier where both flows' lines meet.
        lam = (line(above, 0.0) - line(below, 0.0)) / (above.share - below.share)
        flow, value = dual.evaluate(mu, max(lam, 0.0))
        if float(value) >= line(below, lam) - 1:
            break  # no flow lies below both lines: lam is the best share multiplier
        if any((flow.share, flow.low) == (known.share, known.low) for known in (below, above)):
            break  # the multiplier cannot be priced finer between the two flows
        if flow.meets_share:
            above = flow
        else:
            below = flow
    return dual


def _cycles(network: CoverageNetwork, base: np.ndarray, other: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split the difference of two flows into cycles, each as (arcs, +1 forward / -1 backward).

    Every cycle runs along the difference (more flow where other has more, less where it has
    less), so adding any subset of them to base keeps every arc within its capacity and
    every node balanced: each subset is a flow between the two.
    """
    diff = other - base
    arcs = np.nonzero(diff)[0]
    units = np.abs(diff[arcs])
    arcs, signs = np.repeat(arcs, units), np.repeat(np.sign(diff[arcs]), units)
    starts = np.where(signs > 0, network.tail[arcs], network.head[arcs])
    ends = np.where(signs > 0, network.head[arcs], network.tail[arcs])
    leaving: dict[int, list[int]] = {}
    for edge, node in enumerate(starts.tolist()):
        leaving.setdefault(node, []).append(edge)
    ends_list = ends.tolist()
    cycles = []
    for origin in list(leaving):
        path_nodes, path_edges, position = [origin], [], {origin: 0}
        node = origin
        while leaving[node]:
            edge = leaving[node].pop()
            path_edges.append(edge)
            node = ends_list[edge]
            if node in position:
                # Close the cycle through node, then walk on from node.
                cut = position[node]
                cycle = path_edges[cut:]
                cycles.append((arcs[cycle], signs[cycle]))
                for dropped in path_nodes[cut + 1:]:
                    del position[dropped]
                path_nodes, path_edges = path_nodes[:cut + 1], path_edges[:cut]
            else:
                position[node] = len(path_nodes)
                path_nodes.append(node)
    return cycles


def _combine(pricing: _Pricing, base: Levels, other: Levels, least_weight: int | None) -> Levels | None:
    """Return the best flow between two flows that meets the share, or None when none is found.

    The difference splits into cycles; choosing which to add to base is a small integer
    program: with least_weight None the most weight, then the least folded rank and distance;
    otherwise the least folded rank and distance among flows of at least that weight.
    """
    cycles = _cycles(pricing.network, base.arc_flow, other.arc_flow)
    if not cycles:
        return None
    gains = np.array([[int(pricing.arc_weight[arcs] @ signs), int(pricing.arc_share[arcs] @ signs),
                       int(pricing.arc_low[arcs] @ signs)] for arcs, signs in cycles], dtype=float)
    # The chosen cycles bring the share to at least zero.
    rows = [LinearConstraint(gains[:, 1][None, :], -base.share, np.inf)]
    options = {"time_limit": REPAIR_TIME_LIMIT, "mip_rel_gap": 0.0, "disp": False}
    integral = np.ones(len(cycles))
    if least_weight is None:
        result = milp(-gains[:, 0], constraints=rows, bounds=Bounds(0, 1), integrality=integral, options=options)
        if result.x is None:
            return None
        least_weight = base.weight + int(round(float(gains[:, 0] @ np.round(result.x))))
    # They keep at least the weight asked for.
    rows.append(LinearConstraint(gains[:, 0][None, :], least_weight - base.weight, np.inf))
    result = milp(gains[:, 2], constraints=rows, bounds=Bounds(0, 1), integrality=integral, options=options)
    if result.x is None:
        return None
    arc_flow = base.arc_flow.copy()
    for take, (arcs, signs) in zip(result.x.tolist(), cycles):
        if take > 0.5:
            np.add.at(arc_flow, arcs, signs)
    combined = pricing.levels(arc_flow)
    return combined if combined.meets_share and combined.weight >= least_weight else None


def _better(a: Levels | None, b: Levels | None) -> Levels | None:
    """Return the lexicographically better of two assignments meeting the rules (more weight, then less low)."""
    if a is None or b is None:
        return a or b
    return a if (a.weight, -a.low) >= (b.weight, -b.low) else b


def _potentials(network: CoverageNetwork, arc_cost: np.ndarray, arc_flow: np.ndarray) -> np.ndarray | None:
    """Return node potentials that give every residual arc of an optimal flow a non-negative reduced cost.

    Shortest distances in the residual graph from a root joined to every node, relaxed over all
    arcs at once until nothing changes; None when that takes more than MAX_RELAXATION_ROUNDS.
    """
    forward, backward = arc_flow < network.capacity, arc_flow > 0
    tails = np.concatenate([network.tail[forward], network.head[backward]])
    heads = np.concatenate([network.head[forward], network.tail[backward]])
    costs = np.concatenate([arc_cost[forward], -arc_cost[backward]])
    distance = np.zeros(network.n_nodes, dtype=np.int64)
    for _ in range(MAX_RELAXATION_ROUNDS):
        relaxed = distance.copy()
        np.minimum.at(relaxed, heads, distance[tails] + costs)
        if np.array_equal(relaxed, distance):
            return distance
        distance = relaxed
    return None


def _core_program(pricing: _Pricing, arc_cost: np.ndarray, optimum: Levels, threshold: int, objective: np.ndarray,
                  least_weight: int, time_limit: float) -> tuple[Levels | None, str]:
    """Minimise objective (per arc) over the assignments that differ from optimum only where they can.

    optimum is a least-cost flow under arc_cost, and every assignment sought costs at most
    threshold more under arc_cost. Such an assignment differs from optimum by residual cycles
    whose reduced costs add up to that excess, so it leaves every arc of larger reduced cost
    as it is. The integer program over the other arcs keeps the network's rows, the share and
    at least least_weight. Return (its best assignment, "optimal", or None and "infeasible"
    when it proved there is none, or "unknown").
    """
    network = pricing.network
    distance = _potentials(network, arc_cost, optimum.arc_flow)
    if distance is None or threshold < 0:
        return None, "unknown" if distance is None else "infeasible"
    reduced = arc_cost + distance[network.tail] - distance[network.head]
    flow = optimum.arc_flow
    lower = np.where((flow > 0) & (-reduced <= threshold), 0, flow)
    upper = np.where((flow < network.capacity) & (reduced <= threshold), network.capacity, flow)
    free = np.nonzero(lower < upper)[0]
    if len(free) > CORE_ARC_SHARE * len(flow):
        return None, "unknown"  # too little is fixed for the integer program to be small
    if len(free) == 0:
        meets = optimum.meets_share and optimum.weight >= least_weight
        return (optimum, "optimal") if meets else (None, "infeasible")
    nodes, where = np.unique(np.concatenate([network.tail[free], network.head[free]]), return_inverse=True)
    where = where.reshape(-1)
    columns = np.arange(len(free))
    incidence = sparse.csr_array((np.concatenate([np.ones(len(free)), -np.ones(len(free))]),
                                  (where, np.concatenate([columns, columns]))), shape=(len(nodes), len(free)))
    outside = flow.copy()
    outside[free] = 0
    fixed_weight, fixed_share, _ = pricing.fixed
    # Flow is conserved at every node the free arcs touch (the fixed arcs keep their flow).
    conservation = LinearConstraint(incidence, incidence @ flow[free], incidence @ flow[free])
    # The share holds and the weight reaches its bound.
    share = LinearConstraint(pricing.arc_share[free][None, :].astype(float),
                             -(fixed_share + int(pricing.arc_share @ outside)), np.inf)
    weight = LinearConstraint(pricing.arc_weight[free][None, :].astype(float),
                              least_weight - fixed_weight - int(pricing.arc_weight @ outside), np.inf)
    result = milp(objective[free].astype(float), constraints=[conservation, share, weight],
                  bounds=Bounds(lower[free], upper[free]), integrality=np.ones(len(free)),
                  options={"time_limit": time_limit, "mip_rel_gap": 0.0, "disp": False})
    if result.status == 2:
        return None, "infeasible"
    if result.x is None:
        return None, "unknown"
    arc_flow = outside
    arc_flow[free] = np.round(result.x).astype(np.int64)
    found = pricing.levels(arc_flow)
    if not (found.meets_share and found.weight >= least_weight and _balanced(network, arc_flow)):
        return None, "unknown"
    return found, "optimal" if result.status == 0 else "unknown"


def _balanced(network: CoverageNetwork, arc_flow: np.ndarray) -> bool:
    """Check that a flow respects every capacity and every node's supply, in integers."""
    if np.any(arc_flow < 0) or np.any(arc_flow > network.capacity):
        return False
    net = np.bincount(network.tail, arc_flow, network.n_nodes) - np.bincount(network.head, arc_flow, network.n_nodes)
    return bool(np.array_equal(np.rint(net).astype(np.int64), network.supply))


def _multipliers(pricing: _Pricing, mu: float, lam: float) -> tuple[int, int, int]:
    """Turn real multipliers into integer prices (low, weight, share) that keep every arc cost exact."""
    low_max = int(np.abs(pricing.low).max(initial=0))
    weight_max = int(np.abs(pricing.weight).max(initial=0))
    share_max = int(np.abs(pricing.share).max(initial=0))
    denominator = MULTIPLIER_DENOMINATOR
    while denominator > 1 and not pricing.fits(denominator * low_max + math.ceil(mu * denominator) * weight_max,
                                               math.ceil(lam * denominator) * share_max):
        denominator //= 2
    return denominator, round(mu * denominator), round(lam * denominator)


def solve_key_share(elig: Eligibility, network: CoverageNetwork, side: list[LinearRule], start: np.ndarray,
                    time_limit: float) -> ShareOutcome | None:
    """Return the coverage optimum under the side rules as far as the relaxation proves it.

    start is the flow on every arc of the network's lexicographic optimum. None when the
    problem is outside this method (no share rule, or costs too large to stay exact); the
    caller then uses the integer program.
    """
    started = time.perf_counter()
    share_rules = [rule for rule in side if rule.group == "key_share"]
    if len(share_rules) != 1:
        return None
    levels = objective_levels(elig)
    if len(levels) != 2:
        return None  # rank and distance do not fold into one exact level
    pricing = _Pricing(elig, network, share_rules[0], levels[1][1])
    most_weight = _largest_total(elig, pricing.weight)
    most_low = _largest_total(elig, pricing.low)
    weight_max = int(np.abs(pricing.weight).max(initial=1))
    share_max = int(np.abs(pricing.share).max(initial=1))
    # The weight level's prices: the share difference of two flows times a weight, and the
    # weight difference times a share coefficient (or the whole weight when the share comes first).
    share_span = 2 * share_max * elig.arrays.n_candidates
    if not pricing.fits(share_span * weight_max, (most_weight + 1) * share_max):
        return None
    if not pricing.fits(2 * int(np.abs(pricing.low).max(initial=0))):
        return None
    begin = pricing.levels(start)
    if begin.meets_share:
        return ShareOutcome("optimal", begin, begin.weight, begin.low, "bound", pricing.flows)

    # Level 1: the most weight, the share priced into the costs.
    found = _weight_bound(pricing, begin, most_weight)
    if found is None:
        return ShareOutcome("infeasible", None, None, None, None, pricing.flows)
    bound, multiplier, below, above, seen = found
    weight_bound = math.floor(bound)
    best = None
    for flow in seen:
        best = _better(best, flow if flow.meets_share else None)
    if best.weight < weight_bound:
        # Between a flow that misses the share and one that meets it lies one that just meets it.
        short = [flow for flow in seen if not flow.meets_share]
        met = [flow for flow in seen if flow.meets_share]
        for base, other in [(below, above)] + [(below, f) for f in met if f is not above] + [
                (f, above) for f in short if f is not below]:
            if best.weight < weight_bound:
                best = _better(best, _combine(pricing, base, other, None))
    proof = "bound"
    if best.weight < weight_bound:
        # Look for more weight among the assignments the first level's reduced costs leave free:
        # one with at least best's weight plus one costs at most that much more than below.
        gain, cost = multiplier.numerator, multiplier.denominator
        arc_cost = -(cost * pricing.arc_weight + gain * pricing.arc_share)
        threshold = cost * below.weight + gain * below.share - cost * (best.weight + 1)
        found, settled = _core_program(pricing, arc_cost, below, threshold, -pricing.arc_weight, best.weight + 1,
                                       CORE_SHARE * time_limit)
        if settled == "infeasible":
            weight_bound, proof = best.weight, "core_program"
        elif settled == "optimal":
            best = _better(best, found)
            weight_bound, proof = found.weight, "bound" if found.weight == weight_bound else "core_program"
    if best.weight < weight_bound:
        return ShareOutcome("feasible", best, weight_bound, None, None, pricing.flows)

    # Level 2: the least folded rank and distance at that weight; the weight row and the share
    # row are both priced (multipliers mu and lam).
    if most_low == 0:
        return ShareOutcome("optimal", best, weight_bound, 0, proof, pricing.flows)
    deadline = started + RELAXATION_SHARE * time_limit
    dual = _low_bound(pricing, weight_bound, seen, best, deadline)
    best = dual.best
    low_ceiling = None if dual.value is None else _ceil(dual.value)
    if low_ceiling is not None and best.low > low_ceiling:
        # The last flows lie around the best multipliers: the optimum lies between some of them.
        recent = dual.flows[-COMBINED_FLOWS:]
        for base in [best, dual.flow]:
            for other in recent:
                if other is not base and best.low > low_ceiling:
                    best = _better(best, _combine(pricing, base, other, weight_bound))
    if low_ceiling is not None and best.low <= low_ceiling:
        return ShareOutcome("optimal", best, weight_bound, low_ceiling, proof, pricing.flows)
    if dual.prices is not None:
        # Settle the level among the assignments at least as good as the best one.
        low_price, weight_price, share_price = dual.prices
        arc_cost = low_price * pricing.arc_low - weight_price * pricing.arc_weight - share_price * pricing.arc_share
        priced = low_price * dual.flow.low - weight_price * dual.flow.weight - share_price * dual.flow.share
        threshold = low_price * best.low - weight_price * weight_bound - priced
        remaining = max(1.0, started + (RELAXATION_SHARE + CORE_SHARE) * time_limit - time.perf_counter())
        found, settled = _core_program(pricing, arc_cost, dual.flow, threshold, pricing.arc_low, weight_bound,
                                       remaining)
        best = _better(best, found)
        if settled == "optimal" and found.low <= best.low:
            return ShareOutcome("optimal", best, weight_bound, low_ceiling, "core_program", pricing.flows)
    return ShareOutcome("feasible", best, weight_bound, low_ceiling, None, pricing.flows)
