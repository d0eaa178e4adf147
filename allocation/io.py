"""Read and write the allocation exchange format (docs/allocation-format.md)."""
from __future__ import annotations

import math
from numbers import Real

from allocation.domain import (
    KINDS,
    MECHANISMS,
    Candidate,
    Pair,
    Post,
    Problem,
    Result,
    Rules,
    School,
    SourceSchoolBound,
    Weights,
)
from allocation.errors import ProblemError

PROBLEM_FORMAT = "trainhub-allocation/1"
RESULT_FORMAT = "trainhub-allocation-result/1"


# Seats, weights and source-school bounds are at most this: far above any real school or
# programme, and small enough that the engine's 64-bit arithmetic on them stays exact.
LARGEST_COUNT = 10**9


def _is_number(value) -> bool:
    # JSON numbers arrive as float or int: floats are told apart before the slower test against Real.
    if type(value) is float:
        return math.isfinite(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond the range of floating point
        return False


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_count(value, least: int) -> bool:
    """Tell whether value is an integer from least to LARGEST_COUNT."""
    return _is_int(value) and least <= value <= LARGEST_COUNT


def _shown(value) -> str:
    """Return value as a message shows it: a long one cut short."""
    text = repr(value) if not _is_int(value) or abs(value) < 10**30 else "a number of more than 30 digits"
    return text if len(text) <= 40 else text[:37] + "..."


def _where(entity: str, item_id) -> str:
    return f"{entity} {item_id}" if item_id is not None else entity


def _string(obj: dict, key: str, entity: str, item_id=None) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{_where(entity, item_id)}: field '{key}' must be a non-empty string")
    return value


def _string_list(obj: dict, key: str, entity: str, item_id, *, optional: bool = False) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None and optional:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProblemError(f"{_where(entity, item_id)}: field '{key}' must be a list of strings")
    return tuple(value)


def _optional_number(obj: dict, key: str, entity: str, item_id=None, *, low: float | None = None,
                     high: float | None = None) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if not _is_number(value):
        raise ProblemError(f"{_where(entity, item_id)}: field '{key}' must be a number or null")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ProblemError(f"{_where(entity, item_id)}: field '{key}' must be {bounds}, got {_shown(value)}")
    return float(value)


def _list_of_objects(doc: dict, key: str, entity: str, *, optional: bool = False) -> list[dict]:
    value = doc.get(key)
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise ProblemError(f"problem: field '{key}' must be a list")
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            raise ProblemError(f"{entity} at position {position}: must be an object")
    return value


def _unique_id(item: dict, entity: str, position: int, seen: set[str]) -> str:
    item_id = item.get("id")
    if not isinstance(item_id, str) or not item_id:
        raise ProblemError(f"{entity} at position {position}: field 'id' must be a non-empty string")
    if item_id in seen:
        raise ProblemError(f"{entity} {item_id}: field 'id' is duplicated")
    seen.add(item_id)
    return item_id


def _parse_school(item: dict, position: int, seen: set[str]) -> School:
    school_id = _unique_id(item, "school", position, seen)
    county = _string(item, "county", "school", school_id)
    lat = _optional_number(item, "lat", "school", school_id, low=-90, high=90)
    lon = _optional_number(item, "lon", "school", school_id, low=-180, high=180)
    if (lat is None) != (lon is None):
        raise ProblemError(f"school {school_id}: fields 'lat' and 'lon' must be given together")
    flags = _string_list(item, "flags", "school", school_id, optional=True)
    return School(school_id, county, lat, lon, flags)


def _parse_post(item: dict, position: int, seen: set[str], schools: set[str]) -> Post:
    post_id = _unique_id(item, "post", position, seen)
    school = _string(item, "school", "post", post_id)
    if school not in schools:
        raise ProblemError(f"post {post_id}: field 'school' names unknown school '{school}'")
    subject = _string(item, "subject", "post", post_id)
    stage = _string(item, "stage", "post", post_id)
    seats = item.get("seats")
    if not _is_count(seats, 0):
        raise ProblemError(f"post {post_id}: field 'seats' must be an integer from 0 to {LARGEST_COUNT}, "
                           f"got {_shown(seats)}")
    weight = item.get("weight", 1)
    if not _is_count(weight, 1):
        raise ProblemError(f"post {post_id}: field 'weight' must be an integer from 1 to {LARGEST_COUNT}, "
                           f"got {_shown(weight)}")
    return Post(post_id, school, subject, stage, seats, weight)


def _parse_candidate(item: dict, position: int, seen: set[str], schools: set[str], posts: set[str]) -> Candidate:
    candidate_id = _unique_id(item, "candidate", position, seen)
    subjects = _string_list(item, "subjects", "candidate", candidate_id)
    stages = _string_list(item, "stages", "candidate", candidate_id)
    score = item.get("score", 0)
    if not _is_number(score):
        raise ProblemError(f"candidate {candidate_id}: field 'score' must be a number")
    preferences = None
    if item.get("preferences") is not None:
        preferences = _string_list(item, "preferences", "candidate", candidate_id)
        if not posts.issuperset(preferences):
            unknown = next(post_id for post_id in preferences if post_id not in posts)
            raise ProblemError(f"candidate {candidate_id}: field 'preferences' names unknown post '{unknown}'")
        if len(set(preferences)) != len(preferences):
            raise ProblemError(f"candidate {candidate_id}: field 'preferences' lists a post twice")
    counties = _string_list(item, "counties", "candidate", candidate_id, optional=True)
    home_school = item.get("home_school")
    if home_school is not None and (not isinstance(home_school, str) or home_school not in schools):
        raise ProblemError(f"candidate {candidate_id}: field 'home_school' names unknown school '{home_school}'")
    is_key_teacher = item.get("is_key_teacher", False)
    if not isinstance(is_key_teacher, bool):
        raise ProblemError(f"candidate {candidate_id}: field 'is_key_teacher' must be true or false")
    max_distance = _optional_number(item, "max_distance_km", "candidate", candidate_id, low=0)
    return Candidate(candidate_id, subjects, stages, float(score), preferences, counties, home_school,
                     is_key_teacher, max_distance)


def _parse_pairs(rules: dict, key: str, candidates: set[str], posts: set[str]) -> tuple[Pair, ...]:
    value = rules.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ProblemError(f"rules: field '{key}' must be a list")
    pairs = []
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            raise ProblemError(f"rules.{key} at position {position}: must be an object")
        candidate = item.get("candidate")
        post = item.get("post")
        if candidate not in candidates:
            raise ProblemError(f"rules.{key} at position {position}: field 'candidate' names unknown candidate '{candidate}'")
        if post not in posts:
            raise ProblemError(f"rules.{key} at position {position}: field 'post' names unknown post '{post}'")
        pairs.append(Pair(candidate, post))
    return tuple(pairs)


def _parse_source_schools(rules: dict, schools: set[str]) -> tuple[SourceSchoolBound, ...]:
    value = rules.get("source_schools")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ProblemError("rules: field 'source_schools' must be a list")
    bounds, seen = [], set()
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            raise ProblemError(f"rules.source_schools at position {position}: must be an object")
        school = item.get("school")
        if school not in schools:
            raise ProblemError(f"rules.source_schools at position {position}: field 'school' names unknown school '{school}'")
        if school in seen:
            raise ProblemError(f"rules.source_schools {school}: school listed twice")
        seen.add(school)
        limits = []
        for key in ("min_out", "max_out"):
            limit = item.get(key)
            if limit is not None and not _is_count(limit, 0):
                raise ProblemError(f"rules.source_schools {school}: field '{key}' must be an integer from 0 to "
                                   f"{LARGEST_COUNT}, got {_shown(limit)}")
            limits.append(limit)
        if limits[0] is not None and limits[1] is not None and limits[0] > limits[1]:
            raise ProblemError(f"rules.source_schools {school}: field 'min_out' exceeds 'max_out'")
        bounds.append(SourceSchoolBound(school, limits[0], limits[1]))
    return tuple(bounds)


def parse_problem(doc) -> Problem:
    """Validate a problem document and turn it into a Problem; raise ProblemError on bad input."""
    if not isinstance(doc, dict):
        raise ProblemError("problem: the document must be a JSON object")
    if doc.get("format") != PROBLEM_FORMAT:
        raise ProblemError(f"problem: field 'format' must be '{PROBLEM_FORMAT}', got {_shown(doc.get('format'))}")
    kind = doc.get("kind", "special_post")
    if kind not in KINDS:
        raise ProblemError(f"problem: field 'kind' must be one of {', '.join(KINDS)}, got {_shown(kind)}")
    mechanism = doc.get("mechanism")
    if mechanism not in MECHANISMS:
        raise ProblemError(f"problem: field 'mechanism' must be one of {', '.join(MECHANISMS)}, got {_shown(mechanism)}")

    school_ids: set[str] = set()
    schools = tuple(_parse_school(item, i, school_ids)
                    for i, item in enumerate(_list_of_objects(doc, "schools", "school")))
    post_ids: set[str] = set()
    posts = tuple(_parse_post(item, i, post_ids, school_ids)
                  for i, item in enumerate(_list_of_objects(doc, "posts", "post")))
    candidate_ids: set[str] = set()
    candidates = tuple(_parse_candidate(item, i, candidate_ids, school_ids, post_ids)
                       for i, item in enumerate(_list_of_objects(doc, "candidates", "candidate")))

    if mechanism == "merit":
        for candidate in candidates:
            if candidate.preferences is None:
                raise ProblemError(f"candidate {candidate.id}: field 'preferences' is required by the merit mechanism")

    raw_rules = doc.get("rules") or {}
    if not isinstance(raw_rules, dict):
        raise ProblemError("problem: field 'rules' must be an object")
    rules = Rules(
        max_distance_km=_optional_number(raw_rules, "max_distance_km", "rules", low=0),
        min_key_teacher_share=_optional_number(raw_rules, "min_key_teacher_share", "rules", low=0, high=1),
        source_schools=_parse_source_schools(raw_rules, school_ids),
        locked=_parse_pairs(raw_rules, "locked", candidate_ids, post_ids),
        forbidden=_parse_pairs(raw_rules, "forbidden", candidate_ids, post_ids),
    )
    raw_weights = doc.get("weights") or {}
    if not isinstance(raw_weights, dict):
        raise ProblemError("problem: field 'weights' must be an object")
    envy_penalty = _optional_number(raw_weights, "envy_penalty", "weights", low=0)
    weights = Weights(envy_penalty=1.0 if envy_penalty is None else envy_penalty)
    return Problem(kind, mechanism, schools, posts, candidates, rules, weights)


def _reasons_fields(reasons) -> dict:
    return {
        "reasons": [reason.text for reason in reasons],
        "reason_codes": [{"code": reason.code, "params": dict(reason.params)} for reason in reasons],
    }


def result_to_document(result: Result) -> dict:
    """Turn a Result into the result document (plain JSON types)."""
    doc = {
        "format": RESULT_FORMAT,
        "status": result.status,
        "objective": {
            "weight": int(result.objective.weight),
            "rank_sum": int(result.objective.rank_sum),
            "distance_km": int(result.objective.distance_km),
            "justified_envy": int(result.objective.justified_envy),
        },
        "assignments": [
            {"candidate": a.candidate, "post": a.post, "rank": a.rank, "distance_km": a.distance_km,
             **_reasons_fields(a.reasons)}
            for a in result.assignments
        ],
        "unfilled": [{"post": u.post, "seats": u.seats, **_reasons_fields(u.reasons)} for u in result.unfilled],
        "unassigned": [{"candidate": u.candidate, **_reasons_fields(u.reasons)} for u in result.unassigned],
        "stats": {
            "method": result.stats.method,
            "build_seconds": round(result.stats.build_seconds, 4),
            "solve_seconds": round(result.stats.solve_seconds, 4),
            "bound": result.stats.bound,
            "gap": result.stats.gap,
        },
    }
    if result.stats.rank_distance_bound is not None:
        doc["stats"]["rank_distance_bound"] = int(result.stats.rank_distance_bound)
        doc["stats"]["rank_distance_scale"] = int(result.stats.rank_distance_scale)
    if result.reasons:
        doc.update(_reasons_fields(result.reasons))
    return doc
