"""Merit: candidates choose posts one by one in descending score (serial dictatorship)."""
from __future__ import annotations

import numpy as np

from allocation.eligibility import Eligibility


def choosing_order(elig: Eligibility) -> np.ndarray:
    """Return candidate positions by descending score, ties by input order."""
    arrays = elig.arrays
    return np.lexsort((np.arange(arrays.n_candidates), -arrays.cand_score))


def solve_merit(elig: Eligibility, locked: np.ndarray) -> np.ndarray:
    """Return the chosen pairs of the score-ordered stable assignment, locked pairs placed first.

    With a common score ranking on the post side this is the unique stable assignment
    (up to equal scores, broken by input order). Locked candidates do not choose; their
    seats are taken before anyone else chooses.
    """
    arrays = elig.arrays
    seats_left = arrays.post_seats.copy()
    np.subtract.at(seats_left, elig.post[locked], 1)
    is_locked = np.zeros(arrays.n_candidates, dtype=bool)
    is_locked[elig.cand[locked]] = True
    start, post = elig.cand_start.tolist(), elig.post.tolist()
    seats = seats_left.tolist()
    chosen = list(locked.tolist())
    for c in choosing_order(elig).tolist():
        if is_locked[c]:
            continue
        # Each candidate takes the most preferred eligible post that still has a seat.
        for pair in range(start[c], start[c + 1]):
            if seats[post[pair]] > 0:
                seats[post[pair]] -= 1
                chosen.append(pair)
                break
    return np.sort(np.array(chosen, dtype=np.int64))
