"""Justified envy: pairs that would block an assignment under the merit rule."""
from __future__ import annotations

import numpy as np

from allocation.eligibility import Eligibility


def outcome_pair(elig: Eligibility, chosen: np.ndarray) -> np.ndarray:
    """Return, per candidate, the index of its chosen pair or -1."""
    outcome = np.full(elig.arrays.n_candidates, -1, dtype=np.int64)
    outcome[elig.cand[chosen]] = chosen
    return outcome


def outcome_ranks(elig: Eligibility, outcome: np.ndarray) -> np.ndarray:
    """Return, per candidate, the rank of its outcome; unassigned ranks below every post."""
    # Index -1 picks the appended sentinel, so unassigned candidates need no special case.
    return np.append(elig.rank, np.iinfo(np.int64).max)[outcome]


def post_occupancy(elig: Eligibility, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return free seats and the lowest held score per post (inf when empty)."""
    arrays = elig.arrays
    filled = np.bincount(elig.post[chosen], minlength=arrays.n_posts)
    lowest = np.full(arrays.n_posts, np.inf)
    np.minimum.at(lowest, elig.post[chosen], arrays.cand_score[elig.cand[chosen]])
    return arrays.post_seats - filled, lowest


def preferred_pairs(elig: Eligibility, chosen: np.ndarray) -> np.ndarray:
    """Mark the eligible pairs whose post the candidate likes better than its outcome."""
    return elig.rank < outcome_ranks(elig, outcome_pair(elig, chosen))[elig.cand]


def blocking_pairs(elig: Eligibility, chosen: np.ndarray) -> np.ndarray:
    """Return the pair indices with justified envy, in one pass over the eligible pairs.

    A pair (c, p) blocks when c is eligible for p, prefers p to its outcome (any post
    to none), and p has a free seat or holds a candidate with a strictly lower score.
    """
    free, lowest = post_occupancy(elig, chosen)
    preferred = preferred_pairs(elig, chosen)
    open_to = (free[elig.post] > 0) | (lowest[elig.post] < elig.arrays.cand_score[elig.cand])
    return np.nonzero(preferred & open_to)[0]


def count_justified_envy(elig: Eligibility, chosen: np.ndarray) -> int:
    """Count the justified-envy pairs of an assignment."""
    return int(len(blocking_pairs(elig, chosen)))
