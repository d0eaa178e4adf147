"""Who may take what: the sparse list of eligible (candidate, post) pairs, built with indexes."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np

from allocation.domain import Problem

EARTH_RADIUS_KM = 6371.0088
NO_HOME = -1
UNKNOWN_DISTANCE = -1


def haversine_km(lat1, lon1, lat2, lon2):
    """Return great-circle distances in kilometres (vectorised, degrees in)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _codes(values, vocabulary: dict[str, int]) -> np.ndarray:
    return np.fromiter((vocabulary[v] for v in values), dtype=np.int64, count=len(values))


def _flatten(lists, lookup) -> tuple[np.ndarray, np.ndarray]:
    """Return lookup(item) for the items of every list, concatenated, and the length of each list."""
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    values = np.fromiter(map(lookup, chain.from_iterable(lists)), dtype=np.int64, count=int(lengths.sum()))
    return values, lengths


def _listed_posts(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (candidate, post, rank) for every post a candidate lists, in candidate then preference order."""
    post, count = _flatten([c.preferences or () for c in problem.candidates], problem.post_index.__getitem__)
    first = np.repeat(np.cumsum(count) - count, count)
    return np.repeat(np.arange(len(count)), count), post, np.arange(1, len(post) + 1) - first


def _expand_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenate arange(start, start + length) for every row, without a Python loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    row_offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + (np.arange(total, dtype=np.int64) - row_offsets)


def _is_listed(sorted_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Tell, per code, whether it is in sorted_codes (sorted, without repeats).

    The codes of candidate-post pairs span candidates x posts, too wide for a lookup table, so
    each is found by binary search: faster than sorting them with the list as np.isin does.
    """
    if len(sorted_codes) == 0:
        return np.zeros(len(codes), dtype=bool)
    found = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    return sorted_codes[found] == codes


def _code_counts(post_codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Return, per wanted code, how many posts carry it."""
    ordered = np.sort(post_codes)
    return np.searchsorted(ordered, wanted, side="right") - np.searchsorted(ordered, wanted, side="left")


def _posts_by_code(post_codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Return the posts carrying each wanted code, concatenated in the order of wanted."""
    order = np.argsort(post_codes, kind="stable")
    ordered = post_codes[order]
    starts = np.searchsorted(ordered, wanted, side="left")
    return order[_expand_ranges(starts, np.searchsorted(ordered, wanted, side="right") - starts)]


@dataclass(frozen=True)
class Arrays:
    """The problem as integer arrays indexed by position (ids map to positions in Problem)."""

    subjects: dict[str, int]
    stages: dict[str, int]
    counties: dict[str, int]
    post_school: np.ndarray
    post_county: np.ndarray
    post_key: np.ndarray          # subject code * number of stages + stage code
    post_seats: np.ndarray
    post_weight: np.ndarray
    school_lat: np.ndarray        # nan when unknown
    school_lon: np.ndarray
    cand_home: np.ndarray         # NO_HOME when none
    cand_score: np.ndarray
    cand_is_key: np.ndarray
    cand_limit_km: np.ndarray     # tighter of the candidate's and the rule's limit; nan when none
    cand_has_prefs: np.ndarray
    cand_has_counties: np.ndarray
    cand_key_codes: np.ndarray    # sorted codes candidate * keys + key the candidate teaches
    cand_county_codes: np.ndarray  # sorted codes candidate * counties + county the candidate accepts
    pref_codes: np.ndarray        # sorted codes candidate * posts + post listed in preferences
    forbidden_codes: np.ndarray   # sorted codes candidate * posts + post

    @property
    def n_posts(self) -> int:
        return len(self.post_school)

    @property
    def n_candidates(self) -> int:
        return len(self.cand_home)

    @property
    def n_keys(self) -> int:
        return max(1, len(self.subjects) * len(self.stages))


def encode(problem: Problem) -> Arrays:
    """Encode the problem as arrays; subjects, stages and counties become integer codes."""
    schools, posts, candidates = problem.schools, problem.posts, problem.candidates
    subjects = {s: i for i, s in enumerate(sorted({p.subject for p in posts}))}
    stages = {s: i for i, s in enumerate(sorted({p.stage for p in posts}))}
    counties = {c: i for i, c in enumerate(sorted({s.county for s in schools}))}
    n_stages = max(1, len(stages))
    school_index, post_index = problem.school_index, problem.post_index
    n_posts, n_keys = len(posts), max(1, len(subjects) * n_stages)

    school_county = _codes([s.county for s in schools], counties)
    post_school = _codes([p.school for p in posts], school_index)
    post_key = _codes([p.subject for p in posts], subjects) * n_stages + _codes([p.stage for p in posts], stages)

    # Every (subject, stage) a candidate teaches, among those the posts ask for: each of its subjects
    # with each of its stages; a subject or stage no post asks for is coded -1 and dropped.
    subject_of, subject_count = _flatten([c.subjects for c in candidates], lambda s: subjects.get(s, -1))
    stage_of, stage_count = _flatten([c.stages for c in candidates], lambda s: stages.get(s, -1))
    subject_cand = np.repeat(np.arange(len(candidates)), subject_count)
    pairings = stage_count[subject_cand]
    key_cand, key_subject = np.repeat(subject_cand, pairings), np.repeat(subject_of, pairings)
    key_stage = stage_of[_expand_ranges((np.cumsum(stage_count) - stage_count)[subject_cand], pairings)]
    taught = (key_subject >= 0) & (key_stage >= 0)
    key_codes = key_cand[taught] * n_keys + key_subject[taught] * n_stages + key_stage[taught]
    county_of, county_count = _flatten([c.counties for c in candidates], lambda k: counties.get(k, -1))
    county_cand = np.repeat(np.arange(len(candidates)), county_count)
    county_codes = county_cand[county_of >= 0] * len(counties) + county_of[county_of >= 0]
    pref_cand, pref_post, _ = _listed_posts(problem)
    pref_codes = pref_cand * n_posts + pref_post
    forbidden = [problem.candidate_index[f.candidate] * n_posts + post_index[f.post] for f in problem.rules.forbidden]

    rule_limit = problem.rules.max_distance_km
    own_limit = np.array([np.nan if c.max_distance_km is None else c.max_distance_km for c in candidates], dtype=float)
    limit = own_limit if rule_limit is None else np.fmin(own_limit, rule_limit)
    return Arrays(
        subjects=subjects, stages=stages, counties=counties,
        post_school=post_school,
        post_county=school_county[post_school] if n_posts else np.zeros(0, dtype=np.int64),
        post_key=post_key,
        post_seats=np.array([p.seats for p in posts], dtype=np.int64),
        post_weight=np.array([p.weight for p in posts], dtype=np.int64),
        school_lat=np.array([np.nan if s.lat is None else s.lat for s in schools], dtype=float),
        school_lon=np.array([np.nan if s.lon is None else s.lon for s in schools], dtype=float),
        cand_home=np.array([NO_HOME if c.home_school is None else school_index[c.home_school] for c in candidates],
                           dtype=np.int64),
        cand_score=np.array([c.score for c in candidates], dtype=float),
        cand_is_key=np.array([c.is_key_teacher for c in candidates], dtype=bool),
        cand_limit_km=limit.astype(float) if len(candidates) else np.zeros(0),
        cand_has_prefs=np.array([c.preferences is not None for c in candidates], dtype=bool),
        cand_has_counties=np.array([bool(c.counties) for c in candidates], dtype=bool),
        cand_key_codes=np.unique(key_codes),
        cand_county_codes=np.unique(county_codes),
        pref_codes=np.unique(pref_codes),
        forbidden_codes=np.unique(np.array(forbidden, dtype=np.int64)),
    )


def pair_distances(arrays: Arrays, cand: np.ndarray, post: np.ndarray) -> np.ndarray:
    """Return home-school-to-post distances in km for pairs; nan where unknown."""
    home = arrays.cand_home[cand]
    known = home >= 0
    dist = np.full(len(cand), np.nan)
    if known.any():
        target = arrays.post_school[post[known]]
        source = home[known]
        dist[known] = haversine_km(arrays.school_lat[source], arrays.school_lon[source],
                                   arrays.school_lat[target], arrays.school_lon[target])
    return dist


@dataclass(frozen=True)
class FilterMasks:
    """One boolean mask per eligibility condition, over a list of pairs."""

    teaches: np.ndarray
    county: np.ndarray
    preferred: np.ndarray
    not_home: np.ndarray
    near: np.ndarray
    allowed: np.ndarray

    def all(self) -> np.ndarray:
        return self.teaches & self.county & self.preferred & self.not_home & self.near & self.allowed


def pair_masks(arrays: Arrays, cand: np.ndarray, post: np.ndarray, dist: np.ndarray) -> FilterMasks:
    """Evaluate every eligibility condition on the given pairs (vectorised)."""
    n_posts = arrays.n_posts
    teaches = np.isin(cand * arrays.n_keys + arrays.post_key[post], arrays.cand_key_codes)
    county = ~arrays.cand_has_counties[cand] | np.isin(
        cand * len(arrays.counties) + arrays.post_county[post], arrays.cand_county_codes)
    pair_codes = cand * n_posts + post
    preferred = ~arrays.cand_has_prefs[cand] | _is_listed(arrays.pref_codes, pair_codes)
    not_home = arrays.post_school[post] != arrays.cand_home[cand]
    limit = arrays.cand_limit_km[cand]
    with np.errstate(invalid="ignore"):
        near = np.isnan(limit) | np.isnan(dist) | (dist <= limit + 1e-9)
    allowed = ~_is_listed(arrays.forbidden_codes, pair_codes)
    return FilterMasks(teaches, county, preferred, not_home, near, allowed)


@dataclass(frozen=True)
class Eligibility:
    """Eligible pairs sorted by candidate then preference rank, with per-pair data."""

    arrays: Arrays
    cand: np.ndarray
    post: np.ndarray
    rank: np.ndarray       # 1 = first choice; 0 when the candidate gave no preferences
    dist_km: np.ndarray    # whole kilometres; UNKNOWN_DISTANCE when coordinates are missing
    cand_start: np.ndarray  # pairs of candidate c are cand_start[c]:cand_start[c + 1]

    @property
    def n_pairs(self) -> int:
        return len(self.cand)

    def objective_distance(self) -> np.ndarray:
        """Return per-pair distance with unknown distances counted as 0."""
        return np.maximum(self.dist_km, 0)

    def post_counts(self) -> np.ndarray:
        """Return the number of eligible candidates per post."""
        return np.bincount(self.post, minlength=self.arrays.n_posts)

    def find(self, cand: int, post: int) -> int:
        """Return the pair index of (cand, post), or -1 when not eligible."""
        lo, hi = self.cand_start[cand], self.cand_start[cand + 1]
        hits = np.nonzero(self.post[lo:hi] == post)[0]
        return int(lo + hits[0]) if len(hits) else -1


def build_eligibility(problem: Problem, arrays: Arrays | None = None) -> Eligibility:
    """List every eligible pair without testing every candidate against every post."""
    arrays = arrays or encode(problem)
    n_keys = arrays.n_keys

    # Candidates with preferences: only the listed posts are candidates for eligibility.
    pref_cand, pref_post, pref_rank = _listed_posts(problem)

    # Candidates without preferences: every post of a (subject, stage) they teach, looked up by key,
    # and by (key, county) when they name counties, so the pairs listed are close to the pairs kept.
    n_counties = max(1, len(arrays.counties))
    key_rows = arrays.cand_key_codes
    row_cand, row_key = key_rows // n_keys, key_rows % n_keys
    open_rows = ~arrays.cand_has_prefs[row_cand] if len(row_cand) else np.zeros(0, dtype=bool)
    row_cand, row_key = row_cand[open_rows], row_key[open_rows]
    by_county = arrays.cand_has_counties[row_cand]

    any_cand, any_key = row_cand[~by_county], row_key[~by_county]
    any_post = _posts_by_code(arrays.post_key, any_key)
    any_cand = np.repeat(any_cand, _code_counts(arrays.post_key, any_key))

    county_rows = arrays.cand_county_codes
    county_cand, county_of = county_rows // n_counties, county_rows % n_counties
    county_start = np.searchsorted(county_cand, np.arange(arrays.n_candidates + 1))
    some_cand, some_key = row_cand[by_county], row_key[by_county]
    county_count = county_start[some_cand + 1] - county_start[some_cand]
    picked = _expand_ranges(county_start[some_cand], county_count)
    combo_cand = np.repeat(some_cand, county_count)
    combo = np.repeat(some_key, county_count) * n_counties + county_of[picked]
    post_combo = arrays.post_key * n_counties + arrays.post_county
    some_post = _posts_by_code(post_combo, combo)
    some_cand = np.repeat(combo_cand, _code_counts(post_combo, combo))

    open_cand = np.concatenate([any_cand, some_cand]).astype(np.int64)
    open_post = np.concatenate([any_post, some_post]).astype(np.int64)
    # Within a candidate, pairs run by key then post, as in the plain listing by key.
    listed = np.lexsort((open_post, arrays.post_key[open_post], open_cand))
    open_cand, open_post = open_cand[listed], open_post[listed]

    cand = np.concatenate([pref_cand, open_cand])
    post = np.concatenate([pref_post, open_post])
    rank = np.concatenate([pref_rank, np.zeros(len(open_cand), dtype=np.int64)])
    dist = pair_distances(arrays, cand, post)
    keep = pair_masks(arrays, cand, post, dist).all()
    cand, post, rank, dist = cand[keep], post[keep], rank[keep], dist[keep]

    order = np.argsort(cand, kind="stable")
    cand, post, rank, dist = cand[order], post[order], rank[order], dist[order]
    dist_km = np.where(np.isnan(dist), UNKNOWN_DISTANCE, np.rint(np.nan_to_num(dist))).astype(np.int64)
    cand_start = np.searchsorted(cand, np.arange(arrays.n_candidates + 1))
    return Eligibility(arrays, cand, post, rank, dist_km, cand_start)
