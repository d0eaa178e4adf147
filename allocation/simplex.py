"""Min-cost flow by the primal network simplex, each solve starting from the last optimal tree.

The multiplier searches of the key-teacher share solve one network again and again under
costs that change a little from one solve to the next. A solve that starts from scratch
pays for the whole network each time; this one keeps the spanning tree, the flow and the
node potentials of the last optimum, and only pivots the arcs the new costs make
attractive, so a small change of costs costs a few pivots.

The tree is strongly feasible (some flow can be sent from every node up to the root: a tree
arc without flow points towards the root, a full one away from it), and the leaving arc is
the last blocking arc of the cycle met from its apex, which keeps the tree strongly feasible
and rules out cycling. The entering arc is the most attractive of a block of arcs
scanned in turn. Every node hangs from an artificial root by an artificial arc until the
pivots replace it; an artificial arc into a node short of supply costs more than any path
of real arcs, so no optimum keeps flow on one when an assignment exists. All arithmetic is
in 64-bit integers, exact as long as costs stay within the bound checked on each solve.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# Arc states: in the spanning tree, at zero flow, or at capacity. Outside the tree, the
# state times the reduced cost is negative exactly when the arc improves the flow.
TREE, LOWER, UPPER = 0, 1, -1
# Tree arc directions, seen from the lower node: towards its parent or away from it.
UP, DOWN = 1, -1
NONE = -1
# The largest cost times the node count stays within this, so that the potentials (an
# artificial arc plus a path of real arcs) and the reduced costs stay within 64 bits.
COST_BOUND = 2**60
# A guard, far above what a solve needs (a solve from scratch takes about one pivot per arc):
# the strongly feasible tree rules out cycling, so reaching it means a fault.
PIVOTS_PER_ARC = 1000


@njit(cache=True, nogil=True)
def _hang(node, parent, first_child, next_sibling, prev_sibling):
    """Put node first among parent's children."""
    head = first_child[parent]
    next_sibling[node], prev_sibling[node] = head, NONE
    if head != NONE:
        prev_sibling[head] = node
    first_child[parent] = node


@njit(cache=True, nogil=True)
def _unhang(node, parent, first_child, next_sibling, prev_sibling):
    """Take node out of parent's children."""
    after, before = next_sibling[node], prev_sibling[node]
    if before != NONE:
        next_sibling[before] = after
    else:
        first_child[parent] = after
    if after != NONE:
        prev_sibling[after] = before


@njit(cache=True, nogil=True)
def _settle(top, source, cost, parent, pred, first_child, next_sibling, pi, depth, stack):
    """Set the potentials and depths of the subtree under top from its parent's, walking it depth first."""
    stack[0] = top
    size = 1
    while size > 0:
        size -= 1
        node = stack[size]
        arc, up = pred[node], parent[node]
        # A tree arc has reduced cost zero: cost + pi[source] - pi[target] = 0.
        if source[arc] == node:
            pi[node] = pi[up] - cost[arc]
        else:
            pi[node] = pi[up] + cost[arc]
        depth[node] = depth[up] + 1
        child = first_child[node]
        while child != NONE:
            stack[size] = child
            size += 1
            child = next_sibling[child]


@njit(cache=True, nogil=True)
def _pivots(source, target, capacity, cost, flow, state, parent, pred, pred_dir, first_child, next_sibling,
            prev_sibling, pi, depth, stack, n_real_arcs, block, start, limit):
    """Pivot until no arc improves the flow or limit pivots are made; return (pivots made, where the next scan starts)."""
    pivots = 0
    next_arc = start
    while pivots < limit:
        # The entering arc: the most attractive of a block, scanning the real arcs in turn.
        best, entering, seen = 0, NONE, 0
        for step in range(n_real_arcs):
            arc = next_arc + step
            if arc >= n_real_arcs:
                arc -= n_real_arcs
            value = state[arc] * (cost[arc] + pi[source[arc]] - pi[target[arc]])
            if value < best:
                best, entering = value, arc
            seen += 1
            if seen == block:
                if entering != NONE:
                    break
                seen = 0
        if entering == NONE:
            return pivots, next_arc
        next_arc = entering + 1 if entering + 1 < n_real_arcs else 0
        pivots += 1

        # Flow moves along the entering arc from first to second, then back up the tree to their join.
        if state[entering] == LOWER:
            first, second = source[entering], target[entering]
        else:
            first, second = target[entering], source[entering]
        a, b = first, second
        while a != b:
            if depth[a] > depth[b]:
                a = parent[a]
            elif depth[b] > depth[a]:
                b = parent[b]
            else:
                a, b = parent[a], parent[b]
        join = a

        # The leaving arc: the last blocking arc of the cycle, from the join round to the join.
        delta = capacity[entering]
        leaving_node, side = NONE, 0
        node = first
        while node != join:
            arc = pred[node]
            room = capacity[arc] - flow[arc] if pred_dir[node] == DOWN else flow[arc]
            if room < delta:
                delta, leaving_node, side = room, node, 1
            node = parent[node]
        node = second
        while node != join:
            arc = pred[node]
            room = capacity[arc] - flow[arc] if pred_dir[node] == UP else flow[arc]
            if room <= delta:
                delta, leaving_node, side = room, node, 2
            node = parent[node]

        if delta > 0:
            flow[entering] += state[entering] * delta
            node = first
            while node != join:
                flow[pred[node]] -= pred_dir[node] * delta
                node = parent[node]
            node = second
            while node != join:
                flow[pred[node]] += pred_dir[node] * delta
                node = parent[node]

        if side == 0:
            state[entering] = -state[entering]  # it reached its other bound: the tree stays
            continue

        leaving = pred[leaving_node]
        state[leaving] = LOWER if flow[leaving] == 0 else UPPER
        state[entering] = TREE
        if side == 1:
            inner, outer = first, second
        else:
            inner, outer = second, first
        # The subtree under the leaving arc now hangs from outer by the entering arc: reverse
        # the stem from inner up to leaving_node.
        node, new_parent, new_pred = inner, outer, entering
        new_dir = UP if source[entering] == inner else DOWN
        while True:
            up, up_pred, up_dir = parent[node], pred[node], pred_dir[node]
            _unhang(node, up, first_child, next_sibling, prev_sibling)
            parent[node], pred[node], pred_dir[node] = new_parent, new_pred, new_dir
            _hang(node, new_parent, first_child, next_sibling, prev_sibling)
            if node == leaving_node:
                break
            new_parent, new_pred, new_dir = node, up_pred, -up_dir
            node = up
        _settle(inner, source, cost, parent, pred, first_child, next_sibling, pi, depth, stack)
    return pivots, next_arc


@njit(cache=True, nogil=True)
def _reprice(root, source, cost, parent, pred, first_child, next_sibling, pi, depth, stack):
    """Set every potential from the tree under new costs."""
    pi[root], depth[root] = 0, 0
    child = first_child[root]
    while child != NONE:
        _settle(child, source, cost, parent, pred, first_child, next_sibling, pi, depth, stack)
        child = next_sibling[child]


class WarmFlow:
    """A min-cost flow network with fixed arcs and supplies, solved under any costs from the last optimal tree."""

    def __init__(self, tail: np.ndarray, head: np.ndarray, capacity: np.ndarray, supply: np.ndarray):
        n_nodes, n_arcs = len(supply), len(tail)
        if int(supply.sum()) != 0:
            raise ValueError("supplies must add up to zero")
        self.n_nodes, self.n_arcs, self.root = n_nodes, n_arcs, n_nodes
        nodes = np.arange(n_nodes, dtype=np.int64)
        surplus = supply >= 0
        # Artificial arc of node v: v -> root when v has supply (free), root -> v otherwise (priced dear).
        self.source = np.concatenate([tail, np.where(surplus, nodes, self.root)]).astype(np.int64)
        self.target = np.concatenate([head, np.where(surplus, self.root, nodes)]).astype(np.int64)
        total = int(np.abs(supply).sum()) + 1
        self.capacity = np.concatenate([capacity, np.full(n_nodes, total)]).astype(np.int64)
        self.flow = np.concatenate([np.zeros(n_arcs), np.abs(supply)]).astype(np.int64)
        self.state = np.concatenate([np.full(n_arcs, LOWER), np.full(n_nodes, TREE)]).astype(np.int64)
        self.short = ~surplus
        self.parent = np.concatenate([np.full(n_nodes, self.root), [NONE]]).astype(np.int64)
        self.pred = np.concatenate([n_arcs + nodes, [NONE]]).astype(np.int64)
        self.pred_dir = np.concatenate([np.where(surplus, UP, DOWN), [0]]).astype(np.int64)
        # Children as doubly linked lists: the root's are every node, in order.
        self.first_child = np.full(n_nodes + 1, NONE, dtype=np.int64)
        self.first_child[self.root] = 0 if n_nodes else NONE
        self.next_sibling = np.full(n_nodes + 1, NONE, dtype=np.int64)
        self.next_sibling[:n_nodes - 1] = nodes[1:]
        self.prev_sibling = np.full(n_nodes + 1, NONE, dtype=np.int64)
        self.prev_sibling[1:n_nodes] = nodes[:-1]
        self.pi = np.zeros(n_nodes + 1, dtype=np.int64)
        self.depth = np.zeros(n_nodes + 1, dtype=np.int64)
        self.stack = np.zeros(n_nodes + 1, dtype=np.int64)
        self.block = max(10, int(np.sqrt(n_arcs)))
        self.next_arc = 0
        self.pivots = 0

    def solve(self, cost: np.ndarray) -> np.ndarray | None:
        """Return the flow on every arc of a least-cost flow under cost, or None when no flow meets the supplies."""
        if len(cost) != self.n_arcs:
            raise ValueError("one cost per arc is needed")
        largest = int(np.abs(cost).max(initial=0))
        if largest * (self.n_nodes + 1) > COST_BOUND:
            raise ValueError("arc costs too large to stay exact")
        # Dearer than any path of real arcs.
        artificial = (largest + 1) * (self.n_nodes + 1)
        full_cost = np.concatenate([cost.astype(np.int64), np.where(self.short, artificial, 0)])
        limit = PIVOTS_PER_ARC * (self.n_nodes + self.n_arcs + 1)
        _reprice(self.root, self.source, full_cost, self.parent, self.pred, self.first_child, self.next_sibling,
                 self.pi, self.depth, self.stack)
        pivots, self.next_arc = _pivots(self.source, self.target, self.capacity, full_cost, self.flow, self.state,
                                        self.parent, self.pred, self.pred_dir, self.first_child, self.next_sibling,
                                        self.prev_sibling, self.pi, self.depth, self.stack, self.n_arcs, self.block,
                                        self.next_arc, limit)
        self.pivots += pivots
        if pivots == limit:
            raise RuntimeError("the network simplex made more pivots than any solve should need")
        if np.any(self.flow[self.n_arcs:][self.short] > 0):
            return None
        return self.flow[:self.n_arcs].copy()


def compile_kernels() -> None:
    """Compile the kernels now (they are cached on disk), so that no solve pays for it."""
    network = WarmFlow(np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([2, 2, 1]), np.array([2, 0, -2]))
    network.solve(np.array([1, 1, 3]))
