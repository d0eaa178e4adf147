"""Reasons for assignments, unfilled posts and unassigned candidates, computed from the model.

Every reason is one of a small fixed set of templates: a short English sentence plus a
code and parameters so the app can translate it. Aggregates are counted per candidate
and per post in one vectorised pass over the eligible pairs; nothing here is quadratic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.domain import Assignment, Problem, Reason, Unassigned, Unfilled
from allocation.eligibility import Eligibility, _expand_ranges, _is_listed, pair_distances, pair_masks
from allocation.envy import outcome_pair, outcome_ranks, post_occupancy

# Pairs expanded at most to diagnose entities without any eligible partner.
DIAGNOSIS_PAIR_LIMIT = 3_000_000
# The eligibility conditions in the order the diagnosis applies them, then "none" for an owner that passes all.
FAILURE_CODES = ("county", "listed", "home", "distance", "forbidden", "none")
FLAG_WORDS = {"key_aid_county": "key-aid county", "relocation_site": "relocation-site", "small_rural": "small rural"}


def _plural(k: int, noun: str) -> str:
    return f"{k} {noun}" if k == 1 else f"{k} {noun}s"


def _count(keys: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(keys[mask], minlength=size)


@dataclass(frozen=True)
class Explained:
    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]
    unassigned: tuple[Unassigned, ...]


def _post_kind(problem: Problem, p: int) -> tuple[str, list[str]]:
    flags = [f for f in problem.schools[problem.school_index[problem.posts[p].school]].flags if f in FLAG_WORDS]
    return (f"a {FLAG_WORDS[flags[0]]} post" if flags else "this post"), flags


def _limit_words(problem: Problem) -> tuple[str, float | None]:
    limit = problem.rules.max_distance_km
    return (f"within {limit:g} km", limit) if limit is not None else ("within the distance limits", None)


class _Diagnosis:
    """Name the first eligibility condition that leaves an entity with nobody."""

    def __init__(self, problem: Problem, elig: Eligibility):
        self.problem, self.elig, self.arrays = problem, elig, elig.arrays

    def _first_failure(self, cand: np.ndarray, post: np.ndarray, owner: np.ndarray, owners: np.ndarray,
                       reached: np.ndarray | None = None) -> dict:
        """Return, per owner, the code of the first condition that empties its list of pairs.

        Conditions are applied in order; an owner's list empties at the condition after the
        furthest any of its pairs gets, so one count per pair and one maximum per owner say it.
        reached gives, per owner, how many conditions its pairs not among cand and post are known to pass.
        """
        masks = pair_masks(self.arrays, cand, post, np.full(len(cand), np.nan))
        passed = np.zeros(len(cand), dtype=np.int64)
        alive = np.ones(len(cand), dtype=bool)
        for mask in (masks.county, masks.preferred, masks.not_home, None, masks.allowed):
            if mask is None:
                # Distances are computed only for the pairs the earlier conditions keep.
                kept = np.nonzero(alive)[0]
                mask = np.zeros(len(cand), dtype=bool)
                mask[kept] = pair_masks(self.arrays, cand[kept], post[kept],
                                        pair_distances(self.arrays, cand[kept], post[kept])).near
            alive &= mask
            passed += alive
        furthest = np.zeros(int(owners.max()) + 1 if len(owners) else 0, dtype=np.int64)
        np.maximum.at(furthest, owner, passed)
        furthest = furthest[owners] if reached is None else np.maximum(furthest[owners], reached)
        return dict(zip(owners.tolist(), [FAILURE_CODES[k] for k in furthest.tolist()]))

    def posts(self, posts: np.ndarray) -> dict[int, str]:
        """Return why each post in posts has no eligible candidate."""
        arrays = self.arrays
        codes = arrays.cand_key_codes
        key_cand, key_of = codes // arrays.n_keys, codes % arrays.n_keys
        post_keys = arrays.post_key[posts]
        teachers = np.bincount(key_of, minlength=arrays.n_keys)[post_keys]
        failure = {p: "qualified" for p in posts[teachers == 0].tolist()}
        rest = teachers > 0
        if teachers[rest].sum() > DIAGNOSIS_PAIR_LIMIT:
            failure.update({p: "none" for p in posts[rest].tolist()})
            return failure
        # A candidate who lists posts and names no county passes the county condition on every post
        # of a key it teaches, and the listing only on the posts it lists: only those pairs are
        # diagnosed, and its others are known to stop at the listing. The rest run candidate by
        # candidate, so that looking them up in codes sorted by candidate stays local.
        listing = arrays.cand_has_prefs[key_cand] & ~arrays.cand_has_counties[key_cand]
        by_key = np.argsort(post_keys, kind="stable")
        starts = np.searchsorted(post_keys[by_key], np.arange(arrays.n_keys + 1))
        open_cand, open_key = key_cand[~listing], key_of[~listing]
        lengths = starts[open_key + 1] - starts[open_key]
        open_post = posts[by_key[_expand_ranges(starts[open_key], lengths)]]
        pref_cand, pref_post = arrays.pref_codes // arrays.n_posts, arrays.pref_codes % arrays.n_posts
        diagnosed = np.zeros(arrays.n_posts, dtype=bool)
        diagnosed[posts] = True
        listed = (diagnosed[pref_post] & ~arrays.cand_has_counties[pref_cand]
                  & _is_listed(codes, pref_cand * arrays.n_keys + arrays.post_key[pref_post]))
        cand = np.concatenate([np.repeat(open_cand, lengths), pref_cand[listed]])
        post = np.concatenate([open_post, pref_post[listed]])
        reached = (np.bincount(key_of[listing], minlength=arrays.n_keys)[post_keys[rest]] > 0).astype(np.int64)
        failure.update(self._first_failure(cand, post, post, posts[rest], reached))
        return failure

    def candidates(self, cands: np.ndarray) -> dict[int, str]:
        """Return why each candidate in cands has no eligible post."""
        arrays, problem = self.arrays, self.problem
        post_index = problem.post_index
        order = np.argsort(arrays.post_key, kind="stable")
        starts = np.searchsorted(arrays.post_key[order], np.arange(arrays.n_keys + 1))
        cand_list, post_list, failure = [], [], {}
        key_codes = arrays.cand_key_codes
        for c in cands.tolist():
            candidate = problem.candidates[c]
            if candidate.preferences is not None:
                if not candidate.preferences:
                    failure[c] = "no_preferences"
                    continue
                posts = np.array([post_index[p] for p in candidate.preferences], dtype=np.int64)
                teaches = np.isin(c * arrays.n_keys + arrays.post_key[posts], key_codes)
                posts = posts[teaches]
            else:
                lo, hi = np.searchsorted(key_codes, [c * arrays.n_keys, (c + 1) * arrays.n_keys])
                keys = key_codes[lo:hi] - c * arrays.n_keys
                posts = order[_expand_ranges(starts[keys], starts[keys + 1] - starts[keys])]
            if len(posts) == 0:
                failure[c] = "qualified"
                continue
            cand_list.append(np.full(len(posts), c, dtype=np.int64))
            post_list.append(posts)
            if sum(len(p) for p in post_list) > DIAGNOSIS_PAIR_LIMIT:
                break
        rest = np.array([c for c in cands.tolist() if c not in failure], dtype=np.int64)
        if cand_list:
            cand = np.concatenate(cand_list)
            found = self._first_failure(cand, np.concatenate(post_list), cand, np.unique(cand))
            failure.update(found)
        failure.update({c: "none" for c in rest.tolist() if c not in failure})
        return failure


def _post_without_candidates(problem: Problem, p: int, code: str) -> Reason:
    post = problem.posts[p]
    what = f"{post.subject}/{post.stage}"
    params = {"subject": post.subject, "stage": post.stage}
    if code == "qualified":
        return Reason(f"no candidate qualified for {what}", "no_qualified_candidate", params)
    if code == "county":
        county = problem.schools[problem.school_index[post.school]].county
        return Reason(f"no candidate qualified for {what} accepts county {county}", "county_not_accepted",
                      {**params, "county": county})
    if code == "listed":
        return Reason(f"no candidate qualified for {what} listed this post", "not_in_preferences", params)
    if code == "home":
        return Reason(f"candidates qualified for {what} all come from this school", "own_school_only", params)
    if code == "distance":
        words, limit = _limit_words(problem)
        return Reason(f"no candidate qualified for {what} {words}", "no_candidate_within_distance",
                      {**params, "max_distance_km": limit})
    if code == "forbidden":
        return Reason(f"candidates qualified for {what} are forbidden from this post", "forbidden_by_rule", params)
    return Reason("no eligible candidate", "no_eligible_candidate", params)


def _candidate_without_posts(problem: Problem, c: int, code: str) -> Reason:
    candidate = problem.candidates[c]
    if code == "no_preferences":
        return Reason("listed no posts", "no_preferences_listed", {})
    if code == "qualified":
        where = "preferred post" if candidate.preferences is not None else "post"
        return Reason(f"no {where} matches their subjects and stages", "no_matching_post",
                      {"subjects": list(candidate.subjects), "stages": list(candidate.stages)})
    if code == "county":
        return Reason("no matching post in the counties they accept", "county_not_accepted",
                      {"counties": list(candidate.counties)})
    if code == "home":
        return Reason("the only matching posts are at their home school", "own_school_only",
                      {"school": candidate.home_school})
    if code == "distance":
        words, limit = _limit_words(problem)
        if candidate.max_distance_km is not None and (limit is None or candidate.max_distance_km < limit):
            words, limit = f"within {candidate.max_distance_km:g} km", candidate.max_distance_km
        return Reason(f"no matching post {words}", "no_post_within_distance", {"max_distance_km": limit})
    if code == "forbidden":
        return Reason("the matching posts are forbidden by rule", "forbidden_by_rule", {})
    return Reason("no eligible post", "no_eligible_post", {})


def explain(problem: Problem, elig: Eligibility, chosen: np.ndarray, locked: np.ndarray) -> Explained:
    """Build the reasons of every assignment, unfilled post and unassigned candidate."""
    arrays = elig.arrays
    n_cand, n_posts = arrays.n_candidates, arrays.n_posts
    merit = problem.mechanism == "merit"
    # Rules that couple candidates (source schools, key share) can leave out someone eligible for a free seat.
    coupled = problem.rules.has_count_rules
    free, lowest = post_occupancy(elig, chosen)
    outcome = outcome_pair(elig, chosen)
    outcome_rank = outcome_ranks(elig, outcome)
    outcome_weight = np.append(arrays.post_weight[elig.post], 0)[outcome]

    # Per candidate: eligible posts, how many are full, how many are held by scores at least as high.
    score = arrays.cand_score[elig.cand]
    full = free[elig.post] <= 0
    by_higher = full & (lowest[elig.post] >= score)
    better = elig.rank < outcome_rank[elig.cand]
    cand_eligible = np.diff(elig.cand_start)
    better_count = _count(elig.cand, better, n_cand)
    better_full = _count(elig.cand, better & full, n_cand)
    better_higher = _count(elig.cand, better & by_higher, n_cand)
    # Per post: eligible candidates, and what became of them.
    post_eligible = np.bincount(elig.post, minlength=n_posts)
    placed_elsewhere = (outcome[elig.cand] >= 0) & (outcome[elig.cand] != np.arange(elig.n_pairs))
    post_elsewhere = _count(elig.post, placed_elsewhere, n_posts)
    post_holding = np.bincount(elig.post[chosen], minlength=n_posts)
    post_preferred_other = _count(elig.post, placed_elsewhere & (outcome_rank[elig.cand] < elig.rank), n_posts)
    heavier = placed_elsewhere & (outcome_weight[elig.cand] >= arrays.post_weight[elig.post])
    post_heavier = _count(elig.post, heavier, n_posts)

    is_locked = np.zeros(elig.n_pairs, dtype=bool)
    is_locked[locked] = True
    merit_position = np.empty(n_cand, dtype=np.int64)
    merit_position[np.lexsort((np.arange(n_cand), -arrays.cand_score))] = np.arange(1, n_cand + 1)

    # The loops below read plain lists: indexing one is far cheaper than reading one element of an array.
    better_count, better_full, better_higher = better_count.tolist(), better_full.tolist(), better_higher.tolist()
    merit_position = merit_position.tolist()
    assignments = []
    for c, p, rank, dist_km, pair_locked in zip(elig.cand[chosen].tolist(), elig.post[chosen].tolist(),
                                                elig.rank[chosen].tolist(), elig.dist_km[chosen].tolist(),
                                                is_locked[chosen].tolist()):
        candidate, post = problem.candidates[c], problem.posts[p]
        reasons = []
        if pair_locked:
            reasons.append(Reason("locked by rule", "locked", {}))
        if candidate.preferences is None:
            reasons.append(Reason("accepts any eligible post", "no_preferences", {}))
        elif rank == 1:
            reasons.append(Reason("first choice", "first_choice", {}))
        else:
            reasons.append(Reason(f"choice {rank} of {len(candidate.preferences)}", "choice_rank",
                                  {"rank": rank, "of": len(candidate.preferences)}))
        if post_eligible[p] == 1:
            kind, flags = _post_kind(problem, p)
            reasons.append(Reason(f"only eligible candidate for {kind}", "only_eligible_candidate",
                                  {"post": post.id, "flags": flags}))
        k = better_count[c]
        if k:
            if better_higher[c] == k:
                reasons.append(Reason(f"{_plural(k, 'preferred post')} taken by higher scores", "preferred_taken_by_higher",
                                      {"count": k}))
            elif better_full[c] == k:
                reasons.append(Reason(f"{_plural(k, 'preferred post')} filled by others", "preferred_filled", {"count": k}))
            else:
                reasons.append(Reason(f"placed here to fill a weight-{post.weight} post", "placed_for_coverage",
                                      {"weight": post.weight}))
        if merit and not pair_locked:
            position = merit_position[c]
            reasons.append(Reason(f"chose in score order, position {position}", "score_order",
                                  {"position": position}))
        assignments.append(Assignment(candidate.id, post.id, rank, None if dist_km < 0 else dist_km, tuple(reasons)))

    unfilled_posts = np.nonzero(free > 0)[0]
    empty_posts = unfilled_posts[post_eligible[unfilled_posts] == 0]
    post_failure = _Diagnosis(problem, elig).posts(empty_posts) if len(empty_posts) else {}
    unfilled = []
    for p in unfilled_posts.tolist():
        post = problem.posts[p]
        k = int(post_eligible[p])
        # Candidates holding this post are neither left out nor placed elsewhere.
        elsewhere = int(post_elsewhere[p])
        left = k - int(post_holding[p]) - elsewhere
        if k == 0:
            reason = _post_without_candidates(problem, p, post_failure[p])
        elif left and coupled:
            reason = Reason(f"{_plural(left, 'eligible candidate')} left out by the side rules", "held_back_by_rules",
                            {"count": left})
        elif left:
            # Without coupling rules only balanced leaves a free seat to someone eligible and unplaced.
            reason = Reason(f"{_plural(left, 'eligible candidate')} left out to avoid justified envy",
                            "envy_tradeoff", {"count": left})
        elif elsewhere == 0:
            reason = Reason(f"all {_plural(k, 'eligible candidate')} placed here", "all_eligible_placed_here",
                            {"count": k})
        elif merit or post_preferred_other[p] == elsewhere:
            reason = Reason(f"all {_plural(elsewhere, 'other eligible candidate')} took posts they preferred",
                            "eligible_preferred_other", {"count": elsewhere})
        elif post_heavier[p] == elsewhere:
            reason = Reason(f"all {_plural(elsewhere, 'other eligible candidate')} placed on posts of equal or higher "
                            "weight", "eligible_placed_higher_weight", {"count": elsewhere})
        else:
            reason = Reason(f"all {_plural(elsewhere, 'other eligible candidate')} placed on other posts",
                            "eligible_placed_elsewhere", {"count": elsewhere})
        unfilled.append(Unfilled(post.id, int(free[p]), (reason,)))

    unassigned_cands = np.nonzero(outcome < 0)[0]
    stranded = unassigned_cands[cand_eligible[unassigned_cands] == 0]
    cand_failure = _Diagnosis(problem, elig).candidates(stranded) if len(stranded) else {}
    caps = _source_caps_reached(problem, elig, chosen)
    unassigned = []
    for c in unassigned_cands.tolist():
        candidate = problem.candidates[c]
        k = int(cand_eligible[c])
        where = "preferred" if candidate.preferences is not None else "eligible"
        reasons = []
        if k == 0:
            reasons.append(_candidate_without_posts(problem, c, cand_failure[c]))
        elif better_higher[c] == k:
            reasons.append(Reason(f"all {_plural(k, where + ' post')} taken by higher scores", "all_taken_by_higher",
                                  {"count": k}))
        elif better_full[c] == k:
            reasons.append(Reason(f"all {_plural(k, where + ' post')} filled by others", "all_filled", {"count": k}))
        elif candidate.home_school in caps:
            limit = caps[candidate.home_school]
            reasons.append(Reason(f"home school {candidate.home_school} already sends its maximum of {limit}",
                                  "source_school_cap", {"school": candidate.home_school, "max_out": limit}))
        elif problem.rules.min_key_teacher_share and not candidate.is_key_teacher and candidate.home_school:
            reasons.append(Reason("the key-teacher share limits how many others can go", "key_share_limit",
                                  {"share": problem.rules.min_key_teacher_share}))
        elif problem.mechanism == "balanced":
            reasons.append(Reason("left out to avoid justified envy", "envy_tradeoff", {}))
        else:
            reasons.append(Reason("left out by the side rules", "held_back_by_rules", {}))
        unassigned.append(Unassigned(candidate.id, tuple(reasons)))
    return Explained(tuple(assignments), tuple(unfilled), tuple(unassigned))


def _source_caps_reached(problem: Problem, elig: Eligibility, chosen: np.ndarray) -> dict[str, int]:
    """Return the source schools that send exactly their max_out."""
    if not problem.rules.source_schools:
        return {}
    sent = np.bincount(np.maximum(elig.arrays.cand_home[elig.cand[chosen]], 0)
                       [elig.arrays.cand_home[elig.cand[chosen]] >= 0], minlength=len(problem.schools))
    return {b.school: b.max_out for b in problem.rules.source_schools
            if b.max_out is not None and sent[problem.school_index[b.school]] >= b.max_out}
