"""Side rules, one function per rule, as linear constraints over the eligible pairs."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from allocation.domain import Problem, Reason
from allocation.eligibility import Eligibility, pair_distances, pair_masks


@dataclass(frozen=True)
class LinearRule:
    """lower <= sum(coefs * x[pairs]) <= upper, labelled for explanations."""

    reason: Reason
    pairs: np.ndarray
    coefs: np.ndarray
    lower: int | None = None
    upper: int | None = None
    group: str = field(default="")

    def holds(self, is_chosen: np.ndarray) -> bool:
        """Tell whether an assignment (a boolean mask over the eligible pairs) meets the rule."""
        total = int(self.coefs[is_chosen[self.pairs]].sum())
        return (self.lower is None or total >= self.lower) and (self.upper is None or total <= self.upper)


def _ineligibility(problem: Problem, elig: Eligibility, c: int, p: int) -> list[Reason]:
    """Say which eligibility conditions exclude the pair (c, p)."""
    arrays = elig.arrays
    cand, post = np.array([c]), np.array([p])
    masks = pair_masks(arrays, cand, post, pair_distances(arrays, cand, post))
    candidate, target = problem.candidates[c], problem.posts[p]
    found = []
    checks = [
        (masks.teaches, "not_qualified", f"{candidate.id} does not teach {target.subject}/{target.stage}"),
        (masks.county, "county_not_accepted", f"{candidate.id} does not accept the county of {target.id}"),
        (masks.preferred, "not_in_preferences", f"{candidate.id} did not list {target.id}"),
        (masks.not_home, "home_school", f"{target.id} is at the home school of {candidate.id}"),
        (masks.near, "too_far", f"{target.id} is beyond the distance limit of {candidate.id}"),
        (masks.allowed, "forbidden", f"{candidate.id} is forbidden from {target.id}"),
    ]
    for mask, code, text in checks:
        if not mask[0]:
            found.append(Reason(text, code, {"candidate": candidate.id, "post": target.id}))
    return found


def locked_pairs(problem: Problem, elig: Eligibility) -> tuple[np.ndarray, list[Reason]]:
    """Return the pair indices the lock rule forces, and the reasons locks cannot all hold."""
    conflicts: list[Reason] = []
    chosen: dict[int, int] = {}
    per_post: dict[int, list[str]] = {}
    for lock in dict.fromkeys(problem.rules.locked):
        c, p = problem.candidate_index[lock.candidate], problem.post_index[lock.post]
        params = {"candidate": lock.candidate, "post": lock.post}
        pair = elig.find(c, p)
        if pair < 0:
            why = _ineligibility(problem, elig, c, p)
            conflicts.append(Reason(f"locked {lock.candidate} to {lock.post}, but " + "; ".join(r.text for r in why),
                                    "locked_ineligible", {**params, "because": [r.code for r in why]}))
            continue
        if c in chosen:
            conflicts.append(Reason(f"{lock.candidate} is locked to two posts", "locked_twice", params))
            continue
        chosen[c] = pair
        per_post.setdefault(p, []).append(lock.candidate)
    for p, names in per_post.items():
        seats = problem.posts[p].seats
        if len(names) > seats:
            post_id = problem.posts[p].id
            conflicts.append(Reason(f"{len(names)} candidates locked to {post_id}, which has {seats} seats",
                                    "locked_over_seats", {"post": post_id, "locked": len(names), "seats": seats}))
    return np.array(sorted(chosen.values()), dtype=np.int64), conflicts


def lock_rules(problem: Problem, elig: Eligibility, locked: np.ndarray) -> list[LinearRule]:
    """Locked pairs must be in the result."""
    rules = []
    for pair in locked.tolist():
        candidate = problem.candidates[elig.cand[pair]].id
        post = problem.posts[elig.post[pair]].id
        reason = Reason(f"{candidate} locked to {post}", "rule_locked", {"candidate": candidate, "post": post})
        rules.append(LinearRule(reason, np.array([pair]), np.array([1]), lower=1, group="locked"))
    return rules


def source_school_bounds(problem: Problem, elig: Eligibility) -> list[LinearRule]:
    """The number of assigned candidates from each listed home school lies within [min_out, max_out]."""
    rules = []
    home = elig.arrays.cand_home[elig.cand]
    for bound in problem.rules.source_schools:
        pairs = np.nonzero(home == problem.school_index[bound.school])[0]
        coefs = np.ones(len(pairs), dtype=np.int64)
        if bound.min_out is not None and bound.min_out > 0:
            reason = Reason(f"source school {bound.school} sends at least {bound.min_out}", "rule_source_min",
                            {"school": bound.school, "min_out": bound.min_out})
            rules.append(LinearRule(reason, pairs, coefs, lower=bound.min_out, group="source_min"))
        if bound.max_out is not None:
            reason = Reason(f"source school {bound.school} sends at most {bound.max_out}", "rule_source_max",
                            {"school": bound.school, "max_out": bound.max_out})
            rules.append(LinearRule(reason, pairs, coefs, upper=bound.max_out, group="source_max"))
    return rules


def send_bounds(problem: Problem, elig: Eligibility, locked: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Return per school the most (-1 = no cap) and the fewest candidates it sends besides the locked ones.

    None when the locked candidates alone exceed a cap (the rules then contradict).
    """
    caps = np.full(len(problem.schools), -1, dtype=np.int64)
    floors = np.zeros(len(problem.schools), dtype=np.int64)
    home = elig.arrays.cand_home[elig.cand[locked]]
    locked_out = np.bincount(home[home >= 0], minlength=len(problem.schools))
    for bound in problem.rules.source_schools:
        school = problem.school_index[bound.school]
        if bound.max_out is not None:
            if locked_out[school] > bound.max_out:
                return None
            caps[school] = bound.max_out - locked_out[school]
        if bound.min_out:
            floors[school] = max(0, bound.min_out - locked_out[school])
    return caps, floors


def share_fraction(share: float) -> Fraction:
    """Return the share as a small exact fraction (integer coefficients for the solvers)."""
    return Fraction(str(share)).limit_denominator(10_000)


def key_teacher_share(problem: Problem, elig: Eligibility) -> list[LinearRule]:
    """Among assigned candidates with a home school, at least the share are key teachers."""
    share = problem.rules.min_key_teacher_share
    if not share:
        return []
    fraction = share_fraction(share)
    arrays = elig.arrays
    pairs = np.nonzero(arrays.cand_home[elig.cand] >= 0)[0]
    is_key = arrays.cand_is_key[elig.cand[pairs]].astype(np.int64)
    coefs = is_key * fraction.denominator - fraction.numerator
    reason = Reason(f"key teachers are at least {share:.0%} of those sent", "rule_key_share", {"share": share})
    return [LinearRule(reason, pairs, coefs, lower=0, group="key_share")]


def side_rules(problem: Problem, elig: Eligibility, locked: np.ndarray) -> list[LinearRule]:
    """Return every side rule of the problem as linear constraints."""
    return lock_rules(problem, elig, locked) + source_school_bounds(problem, elig) + key_teacher_share(problem, elig)
