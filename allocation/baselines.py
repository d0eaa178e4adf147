"""Baselines the engine is measured against on the same coverage problem document.

- `solve_plain_cp_sat`: one boolean per eligible (candidate, post) pair, the
  three coverage levels folded into one weighted objective, CP-SAT.
- `solve_highs_lp`: the linear relaxation solved by HiGHS, one level at a
  time (each level's optimum is kept as a constraint for the next). Without
  side rules the assignment polytope is integral, so its first level equals
  the integer optimum; with side rules it is an upper bound.

Both read the document directly and apply the eligibility rules of the
exchange format themselves, so they do not share code with the engine.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

EARTH_RADIUS_KM = 6371.0
PLAIN_CP_SAT_SECONDS = 60.0
PLAIN_CP_SAT_WORKERS = 2
LP_SECONDS = 600.0
# Largest folded objective coefficient sum CP-SAT accepts without overflow risk.
MAX_FOLDED_TOTAL = 2 ** 60
# Tolerance when the optimum of one LP level is kept as a constraint for the next.
LEVEL_TOLERANCE = 1e-6


@dataclass
class Pairs:
    """Eligible (candidate, post) pairs of a document, as parallel arrays."""

    candidate: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    rank: np.ndarray
    distance_km: np.ndarray
    candidate_count: int
    post_count: int
    seats: np.ndarray
    locked: list[tuple[int, int]]
    source_rows: list[tuple[np.ndarray, int, int]]
    key_share: Fraction | None
    with_home: np.ndarray
    is_key: np.ndarray


def eligible_pairs(doc: dict) -> Pairs:
    """List the pairs allowed by the eligibility rules of the exchange format."""
    schools = {school["id"]: school for school in doc["schools"]}
    posts = doc["posts"]
    post_index = {post["id"]: index for index, post in enumerate(posts)}
    posts_by_key: dict[tuple[str, str, str], list[int]] = {}
    for index, post in enumerate(posts):
        county = schools[post["school"]].get("county")
        posts_by_key.setdefault((county, post["subject"], post["stage"]), []).append(index)
    all_counties = sorted({school.get("county") for school in doc["schools"]}, key=str)
    rules = doc.get("rules") or {}
    forbidden = {(pair["candidate"], pair["post"]) for pair in rules.get("forbidden") or []}
    rule_limit = rules.get("max_distance_km")

    columns: dict[str, list] = {"candidate": [], "post": [], "weight": [], "rank": [], "distance_km": []}
    for c_index, candidate in enumerate(doc["candidates"]):
        home = schools.get(candidate.get("home_school")) if candidate.get("home_school") else None
        limits = [limit for limit in (rule_limit, candidate.get("max_distance_km")) if limit is not None]
        subjects, stages = set(candidate["subjects"]), set(candidate["stages"])
        counties = set(candidate.get("counties") or all_counties)
        if candidate.get("preferences") is None:
            options = [
                (p_index, 0)
                for county in counties for subject in subjects for stage in stages
                for p_index in posts_by_key.get((county, subject, stage), [])
            ]
        else:
            options = [(post_index[post_id], rank) for rank, post_id in enumerate(candidate["preferences"], start=1)]
        for p_index, rank in options:
            post = posts[p_index]
            school = schools[post["school"]]
            if post["subject"] not in subjects or post["stage"] not in stages:
                continue
            if school.get("county") not in counties or (candidate["id"], post["id"]) in forbidden:
                continue
            if home is not None and home["id"] == school["id"]:
                continue
            km = _distance_km(home, school)
            if km is not None and any(km > limit for limit in limits):
                continue
            columns["candidate"].append(c_index)
            columns["post"].append(p_index)
            columns["weight"].append(post["weight"])
            columns["rank"].append(rank)
            columns["distance_km"].append(round(km) if km is not None else 0)

    candidate_ids = {candidate["id"]: index for index, candidate in enumerate(doc["candidates"])}
    home_of = [candidate.get("home_school") for candidate in doc["candidates"]]
    candidate_array = np.asarray(columns["candidate"], dtype=np.int64)
    source_rows = []
    for source in rules.get("source_schools") or []:
        members = np.flatnonzero([home_of[c] == source["school"] for c in candidate_array]) \
            if len(candidate_array) else np.zeros(0, dtype=np.int64)
        low = source.get("min_out") or 0
        high = source.get("max_out")
        source_rows.append((members, low, high if high is not None else len(members)))
    share = rules.get("min_key_teacher_share")
    return Pairs(
        candidate=candidate_array,
        post=np.asarray(columns["post"], dtype=np.int64),
        weight=np.asarray(columns["weight"], dtype=np.int64),
        rank=np.asarray(columns["rank"], dtype=np.int64),
        distance_km=np.asarray(columns["distance_km"], dtype=np.int64),
        candidate_count=len(doc["candidates"]),
        post_count=len(posts),
        seats=np.asarray([post["seats"] for post in posts], dtype=np.int64),
        locked=[(candidate_ids[pair["candidate"]], post_index[pair["post"]]) for pair in rules.get("locked") or []],
        source_rows=source_rows,
        key_share=Fraction(share).limit_denominator(1000) if share else None,
        with_home=np.asarray([home_of[c] is not None for c in candidate_array], dtype=bool),
        is_key=np.asarray([bool(doc["candidates"][c].get("is_key_teacher")) for c in candidate_array], dtype=bool),
    )


def _distance_km(home: dict | None, school: dict) -> float | None:
    """Return the great-circle distance, or None when either place lacks coordinates."""
    if home is None or not all(isinstance(place.get(key), (int, float)) for place in (home, school)
                               for key in ("lat", "lon")):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (home["lat"], home["lon"], school["lat"], school["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _per_candidate_max(pairs: Pairs, values: np.ndarray) -> int:
    """Sum over candidates of their largest value: a bound on any assignment's total."""
    if not len(values):
        return 0
    largest = np.zeros(pairs.candidate_count, dtype=np.int64)
    np.maximum.at(largest, pairs.candidate, values)
    return int(largest.sum())


def solve_plain_cp_sat(doc: dict, time_limit: float = PLAIN_CP_SAT_SECONDS) -> dict:
    """Solve the coverage levels folded into one objective with one boolean per eligible pair."""
    started = time.perf_counter()
    pairs = eligible_pairs(doc)
    model = cp_model.CpModel()
    x = [model.NewBoolVar("") for _ in range(len(pairs.candidate))]

    # Every candidate takes at most one post.
    for members in _groups(pairs.candidate, pairs.candidate_count):
        if len(members) > 1:
            model.AddAtMostOne(x[index] for index in members)
    # A post takes at most its seats.
    for p_index, members in enumerate(_groups(pairs.post, pairs.post_count)):
        if len(members) > pairs.seats[p_index]:
            model.Add(sum(x[index] for index in members) <= int(pairs.seats[p_index]))
    # Locked pairs are part of the result.
    lookup = {(int(c), int(p)): index for index, (c, p) in enumerate(zip(pairs.candidate, pairs.post))}
    for pair in pairs.locked:
        if pair not in lookup:
            return _outcome("cpsat_plain", started, "infeasible", None, None, None)
        model.Add(x[lookup[pair]] == 1)
    # Each source school sends out between its minimum and maximum number of teachers.
    for members, low, high in pairs.source_rows:
        model.AddLinearConstraint(sum(x[index] for index in members), int(low), int(high))
    # Key teachers are at least the given share of the assigned teachers who have a home school.
    if pairs.key_share is not None:
        share = pairs.key_share
        model.Add(sum(
            (share.denominator * int(pairs.is_key[index]) - share.numerator) * x[index]
            for index in np.flatnonzero(pairs.with_home)
        ) >= 0)

    # Fold the levels: weight first, then fewer rank points, then fewer kilometres.
    distance_scale = _per_candidate_max(pairs, pairs.distance_km) + 1
    rank_scale = (_per_candidate_max(pairs, pairs.rank) + 1) * distance_scale
    if _per_candidate_max(pairs, pairs.weight) * rank_scale >= MAX_FOLDED_TOTAL:
        distance_scale, rank_scale = 0, _per_candidate_max(pairs, pairs.rank) + 1
    coefficients = pairs.weight * rank_scale - pairs.rank * max(distance_scale, 1) - \
        (pairs.distance_km if distance_scale else 0)
    model.Maximize(sum(int(coefficient) * var for coefficient, var in zip(coefficients, x)))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = PLAIN_CP_SAT_WORKERS
    code = solver.Solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = "infeasible" if code == cp_model.INFEASIBLE else "unknown"
        return _outcome("cpsat_plain", started, status, None, None, None)
    chosen = np.asarray([solver.BooleanValue(var) for var in x], dtype=bool)
    return _outcome(
        "cpsat_plain", started, "optimal" if code == cp_model.OPTIMAL else "feasible",
        int(pairs.weight[chosen].sum()), int(pairs.rank[chosen].sum()), int(pairs.distance_km[chosen].sum()),
    )


def solve_highs_lp(doc: dict, time_limit: float = LP_SECONDS) -> dict:
    """Solve the linear relaxation with HiGHS, level by level."""
    started = time.perf_counter()
    pairs = eligible_pairs(doc)
    count = len(pairs.candidate)
    columns = np.arange(count)
    rows_upper, bounds_upper = [], []
    # Every candidate takes at most one post.
    rows_upper.append(sparse.csr_matrix((np.ones(count), (pairs.candidate, columns)),
                                        shape=(pairs.candidate_count, count)))
    bounds_upper.append(np.ones(pairs.candidate_count))
    # A post takes at most its seats.
    rows_upper.append(sparse.csr_matrix((np.ones(count), (pairs.post, columns)), shape=(pairs.post_count, count)))
    bounds_upper.append(pairs.seats.astype(float))
    # Each source school sends out between its minimum and maximum number of teachers.
    for members, low, high in pairs.source_rows:
        row = sparse.csr_matrix((np.ones(len(members)), (np.zeros(len(members), dtype=int), members)),
                                shape=(1, count))
        rows_upper += [row, -row]
        bounds_upper += [np.asarray([float(high)]), np.asarray([-float(low)])]
    # Key teachers are at least the given share of the assigned teachers who have a home school.
    if pairs.key_share is not None:
        share = float(pairs.key_share)
        coefficient = np.where(pairs.with_home, share - pairs.is_key.astype(float), 0.0)
        rows_upper.append(sparse.csr_matrix(coefficient.reshape(1, -1)))
        bounds_upper.append(np.zeros(1))
    lower = np.zeros(count)
    lookup = {(int(c), int(p)): index for index, (c, p) in enumerate(zip(pairs.candidate, pairs.post))}
    for pair in pairs.locked:
        if pair not in lookup:
            return _outcome("highs_lp", started, "infeasible", None, None, None)
        # Locked pairs are part of the result.
        lower[lookup[pair]] = 1.0
    bounds = np.column_stack([lower, np.ones(count)])

    levels = [-pairs.weight.astype(float), pairs.rank.astype(float), pairs.distance_km.astype(float)]
    values = []
    for objective in levels:
        result = linprog(objective, A_ub=sparse.vstack(rows_upper).tocsr(), b_ub=np.concatenate(bounds_upper),
                         bounds=bounds, method="highs", options={"time_limit": float(time_limit)})
        if result.status != 0:
            status = "infeasible" if result.status == 2 else "unknown"
            return _outcome("highs_lp", started, status, *(values + [None] * (3 - len(values))))
        values.append(float(result.fun))
        # Keep this level's optimum while optimising the next one.
        rows_upper.append(sparse.csr_matrix(objective.reshape(1, -1)))
        bounds_upper.append(np.asarray([result.fun + LEVEL_TOLERANCE * max(1.0, abs(result.fun))]))
    return _outcome("highs_lp", started, "optimal", round(-values[0], 3), round(values[1], 3), round(values[2], 3))


def _groups(keys: np.ndarray, size: int) -> list[np.ndarray]:
    """Return, for each key value 0..size-1, the positions holding it."""
    order = np.argsort(keys, kind="stable")
    cuts = np.searchsorted(keys[order], np.arange(size + 1))
    return [order[cuts[value]:cuts[value + 1]] for value in range(size)]


def _outcome(method, started, status, weight, rank_sum, distance_km) -> dict:
    return {
        "method": method,
        "seconds": round(time.perf_counter() - started, 3),
        "objective": weight,
        "rank_sum": rank_sum,
        "distance_km": distance_km,
        "status": status,
    }
