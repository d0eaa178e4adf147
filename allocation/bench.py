"""Reproducible benchmark problems for the allocation engine, and the bench command.

`generate(scale, seed)` builds a coverage problem document (the exchange
format of shared/spec/allocation-format.md) that looks like a real
recruitment round: counties with priority flags, schools of three stages,
posts of 14 subjects weighted by school priority, more seats than candidates,
candidates accepting one to three nearby counties, some with ranked
preferences and the others with none. The same scale and seed always give
the same document.
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

from allocation.errors import ProblemError

PROBLEM_FORMAT = "trainhub-allocation/1"
SUBJECTS = (
    "chinese", "math", "english", "physics", "chemistry", "biology", "history",
    "geography", "moral_law", "music", "pe", "art", "it", "science",
)
STAGES = ("primary", "junior", "senior")
SUBJECTS_BY_STAGE = {
    "primary": ("chinese", "math", "english", "moral_law", "music", "pe", "art", "it", "science"),
    "junior": ("chinese", "math", "english", "physics", "chemistry", "biology", "history", "geography",
               "moral_law", "music", "pe", "art", "it"),
    "senior": ("chinese", "math", "english", "physics", "chemistry", "biology", "history", "geography",
               "moral_law", "music", "pe", "art", "it"),
}
SCARCE_SUBJECTS = frozenset({"english", "music", "pe", "art", "it", "science", "moral_law"})
STAGE_SHARES = {"primary": 0.62, "junior": 0.26, "senior": 0.12}

# Post weight: a base value plus a bonus per priority of the school and subject.
BASE_WEIGHT = 1
KEY_AID_COUNTY_WEIGHT = 3
RELOCATION_SITE_WEIGHT = 2
SMALL_RURAL_WEIGHT = 2
SCARCE_SUBJECT_WEIGHT = 1

# Shares of counties and schools carrying each priority flag.
KEY_AID_COUNTY_SHARE = 0.3
RELOCATION_SITE_SHARE = 0.05
SMALL_RURAL_SHARE = 0.35
# Share of candidates who rank posts; the others accept any eligible post.
PREFERENCE_SHARE = 0.6
MAX_PREFERENCES = 5
# Share of candidates qualified for a second subject, and for a second stage.
SECOND_SUBJECT_SHARE = 0.2
SECOND_STAGE_SHARE = 0.3
# Rotation rounds: key-teacher share among the eligible teachers, the rule's
# minimum share of key teachers among those rotated, and the distance limit.
KEY_TEACHER_SHARE = 0.3
ROTATION_MIN_KEY_TEACHER_SHARE = 0.3
ROTATION_MAX_DISTANCE_KM = 150
ROTATION_SOURCE_SCHOOLS = 500


@dataclass(frozen=True)
class Scale:
    """Size of a generated problem."""

    candidates: int
    schools: int
    posts: int
    counties: int
    # Bounding box of the area: south, north latitude, west, east longitude.
    area: tuple[float, float, float, float]


SCALES = {
    "county": Scale(300, 150, 230, 1, (35.4, 35.8, 103.0, 103.5)),
    "prefecture": Scale(2_000, 1_500, 1_500, 8, (35.0, 36.2, 102.6, 103.9)),
    "province": Scale(20_000, 6_000, 15_000, 88, (24.6, 29.2, 103.6, 109.5)),
    "national": Scale(100_000, 30_000, 75_000, 400, (22.0, 45.0, 98.0, 125.0)),
}


def generate(scale: str, seed: int = 1, kind: str = "special_post") -> dict:
    """Return a reproducible coverage problem document of the given scale.

    kind "special_post" gives new recruits without a home school; kind
    "rotation" gives teachers leaving one of 500 source schools (the
    province-scale exchange round), with source-school caps and a minimum
    key-teacher share of 0.3.
    """
    if scale not in SCALES:
        raise ProblemError(f"scale: expected one of {', '.join(SCALES)}, got {scale!r}")
    if kind not in ("special_post", "rotation"):
        raise ProblemError(f"kind: expected 'special_post' or 'rotation', got {kind!r}")
    size = SCALES[scale]
    rng = random.Random(f"{scale}/{seed}/{kind}")
    counties = _counties(rng, size)
    schools = _schools(rng, size, counties)
    posts = _posts(rng, size, schools, counties)
    source_schools: list[dict] = []
    if kind == "rotation":
        source_schools = _source_schools(rng, size, counties)
    candidates = _candidates(rng, size, counties, schools, posts, source_schools)
    rules: dict = {"max_distance_km": None, "min_key_teacher_share": None, "source_schools": [],
                   "locked": [], "forbidden": []}
    if kind == "rotation":
        rules["max_distance_km"] = ROTATION_MAX_DISTANCE_KM
        rules["min_key_teacher_share"] = ROTATION_MIN_KEY_TEACHER_SHARE
        rules["source_schools"] = _source_caps(rng, candidates)
    return {
        "format": PROBLEM_FORMAT,
        "kind": kind,
        "mechanism": "coverage",
        "schools": [_public_school(school) for school in schools + source_schools],
        "posts": posts,
        "candidates": candidates,
        "rules": rules,
        "weights": {"envy_penalty": 1},
    }


def _counties(rng: random.Random, size: Scale) -> list[dict]:
    """Place county seats on a jittered grid over the area, flagging some as key-aid counties."""
    south, north, west, east = size.area
    columns = max(1, round(math.sqrt(size.counties * (east - west) / max(north - south, 1e-9))))
    rows = math.ceil(size.counties / columns)
    counties = []
    for index in range(size.counties):
        row, column = divmod(index, columns)
        lat = south + (row + 0.5 + rng.uniform(-0.3, 0.3)) * (north - south) / rows
        lon = west + (column + 0.5 + rng.uniform(-0.3, 0.3)) * (east - west) / columns
        counties.append({
            "id": f"C{index + 1}",
            "lat": lat,
            "lon": lon,
            "radius": 0.5 * min((north - south) / rows, (east - west) / columns),
            "key_aid": rng.random() < KEY_AID_COUNTY_SHARE,
            "row": row,
            "column": column,
        })
    return counties


def _schools(rng: random.Random, size: Scale, counties: list[dict]) -> list[dict]:
    """Scatter schools around the county seats, each with one stage and priority flags."""
    schools = []
    for index in range(size.schools):
        county = counties[index % len(counties)]
        stage = rng.choices(STAGES, weights=[STAGE_SHARES[stage] for stage in STAGES])[0]
        flags = []
        if county["key_aid"]:
            flags.append("key_aid_county")
        if rng.random() < RELOCATION_SITE_SHARE:
            flags.append("relocation_site")
        if stage == "primary" and rng.random() < SMALL_RURAL_SHARE / STAGE_SHARES["primary"] * 0.6:
            flags.append("small_rural")
        schools.append({
            "id": f"S{index + 1}",
            "county": county["id"],
            "lat": round(county["lat"] + rng.gauss(0, county["radius"] / 2), 4),
            "lon": round(county["lon"] + rng.gauss(0, county["radius"] / 2), 4),
            "flags": flags,
            "stage": stage,
        })
    return schools


def _post_weight(school: dict, subject: str) -> int:
    """Weigh one seat of a post by the priorities of its school and subject."""
    weight = BASE_WEIGHT
    if "key_aid_county" in school["flags"]:
        weight += KEY_AID_COUNTY_WEIGHT
    if "relocation_site" in school["flags"]:
        weight += RELOCATION_SITE_WEIGHT
    if "small_rural" in school["flags"]:
        weight += SMALL_RURAL_WEIGHT
    if subject in SCARCE_SUBJECTS:
        weight += SCARCE_SUBJECT_WEIGHT
    return weight


def _posts(rng: random.Random, size: Scale, schools: list[dict], counties: list[dict]) -> list[dict]:
    """Open posts at random schools, one subject of the school's stage each, mostly one seat."""
    posts = []
    taken = set()
    while len(posts) < size.posts:
        school = schools[len(posts) % len(schools)] if len(posts) < len(schools) else rng.choice(schools)
        subject = rng.choice(SUBJECTS_BY_STAGE[school["stage"]])
        if (school["id"], subject) in taken:
            continue
        taken.add((school["id"], subject))
        posts.append({
            "id": f"P{len(posts) + 1}",
            "school": school["id"],
            "subject": subject,
            "stage": school["stage"],
            "seats": rng.choices((1, 2, 3), weights=(0.7, 0.2, 0.1))[0],
            "weight": _post_weight(school, subject),
        })
    return posts


def _source_schools(rng: random.Random, size: Scale, counties: list[dict]) -> list[dict]:
    """Create the urban or strong schools teachers rotate out of, near county seats."""
    sources = []
    for index in range(ROTATION_SOURCE_SCHOOLS):
        county = counties[index % len(counties)]
        sources.append({
            "id": f"U{index + 1}",
            "county": county["id"],
            "lat": round(county["lat"] + rng.gauss(0, county["radius"] / 6), 4),
            "lon": round(county["lon"] + rng.gauss(0, county["radius"] / 6), 4),
            "flags": [],
            "stage": rng.choice(STAGES),
        })
    return sources


def _neighbours(counties: list[dict]) -> dict[str, list[dict]]:
    """Map each county to the counties next to it on the grid."""
    by_cell = {(county["row"], county["column"]): county for county in counties}
    return {
        county["id"]: [
            by_cell[cell] for cell in (
                (county["row"] + d_row, county["column"] + d_column)
                for d_row in (-1, 0, 1) for d_column in (-1, 0, 1) if d_row or d_column
            ) if cell in by_cell
        ]
        for county in counties
    }


def _nearby_counties(rng: random.Random, neighbours: list[dict], home: dict) -> list[str]:
    """Return one to three acceptable counties: the home county and grid neighbours."""
    wanted = rng.choice((1, 1, 2, 2, 3))
    chosen = rng.sample(neighbours, min(len(neighbours), wanted - 1))
    return [home["id"]] + [county["id"] for county in chosen]


def _candidates(rng, size, counties, schools, posts, source_schools) -> list[dict]:
    """Create candidates with subjects, stages, scores, accepted counties and, for some, ranked posts."""
    county_of_school = {school["id"]: school["county"] for school in schools}
    posts_by_key: dict[tuple[str, str, str], list[str]] = {}
    for post in posts:
        key = (county_of_school[post["school"]], post["subject"], post["stage"])
        posts_by_key.setdefault(key, []).append(post["id"])
    by_id = {county["id"]: county for county in counties}
    neighbours = _neighbours(counties)
    candidates = []
    for index in range(size.candidates):
        home_school = source_schools[index % len(source_schools)] if source_schools else None
        home = by_id[home_school["county"]] if home_school else rng.choice(counties)
        stage = home_school["stage"] if home_school else rng.choices(
            STAGES, weights=[STAGE_SHARES[stage] for stage in STAGES])[0]
        stages = [stage]
        if rng.random() < SECOND_STAGE_SHARE:
            position = STAGES.index(stage)
            stages.append(STAGES[position + 1] if position + 1 < len(STAGES) else STAGES[position - 1])
        subjects = [rng.choice(SUBJECTS_BY_STAGE[stage])]
        if rng.random() < SECOND_SUBJECT_SHARE:
            second = rng.choice(SUBJECTS_BY_STAGE[stages[-1]])
            if second not in subjects:
                subjects.append(second)
        accepted = _nearby_counties(rng, neighbours[home["id"]], home)
        preferences = None
        if not home_school and rng.random() < PREFERENCE_SHARE:
            eligible = [
                post_id
                for county in accepted for subject in subjects for one_stage in stages
                for post_id in posts_by_key.get((county, subject, one_stage), [])
            ]
            if eligible:
                preferences = rng.sample(eligible, min(len(eligible), rng.randint(1, MAX_PREFERENCES)))
        candidates.append({
            "id": f"T{index + 1}",
            "subjects": subjects,
            "stages": stages,
            "score": round(rng.gauss(70, 8) * 2) / 2,
            "preferences": preferences,
            "counties": accepted,
            "home_school": home_school["id"] if home_school else None,
            "is_key_teacher": bool(home_school) and rng.random() < KEY_TEACHER_SHARE,
            "max_distance_km": None,
        })
    return candidates


def _source_caps(rng: random.Random, candidates: list[dict]) -> list[dict]:
    """Let each source school send out between one and about a third of its eligible teachers."""
    eligible: dict[str, int] = {}
    for candidate in candidates:
        eligible[candidate["home_school"]] = eligible.get(candidate["home_school"], 0) + 1
    return [
        {"school": school, "min_out": min(1, count), "max_out": max(1, math.ceil(count * rng.uniform(0.2, 0.4)))}
        for school, count in sorted(eligible.items(), key=lambda item: int(item[0][1:]))
    ]


def _public_school(school: dict) -> dict:
    return {key: school[key] for key in ("id", "county", "lat", "lon", "flags")}


def problem_size(doc: dict) -> dict:
    """Count the schools, posts, seats and candidates of a problem document."""
    return {
        "schools": len(doc["schools"]),
        "posts": len(doc["posts"]),
        "seats": sum(post["seats"] for post in doc["posts"]),
        "candidates": len(doc["candidates"]),
    }


def run_bench_command(scale: str, seed: int, baselines: bool, *, kind: str = "special_post",
                      write: str | None = None, time_limit: float | None = None) -> int:
    """Generate one instance, solve it with the engine (and baselines) and print one JSON line per method."""
    started = time.perf_counter()
    doc = generate(scale, seed, kind)
    generate_seconds = time.perf_counter() - started
    if write is not None:
        try:
            Path(write).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
        except OSError as error:
            raise ProblemError(f"--write {write}: cannot be written ({error.__class__.__name__})") from None
    print(json.dumps({"method": "generate", "scale": scale, "seed": seed, "kind": kind,
                      "seconds": round(generate_seconds, 3), **problem_size(doc)}), flush=True)

    from allocation.api import solve_document

    started = time.perf_counter()
    result = solve_document(doc, time_limit)
    seconds = time.perf_counter() - started
    objective = result.get("objective", {})
    print(json.dumps({
        "method": result["stats"]["method"],
        "seconds": round(seconds, 3),
        "objective": objective.get("weight"),
        "rank_sum": objective.get("rank_sum"),
        "distance_km": objective.get("distance_km"),
        "status": result["status"],
        "build_seconds": result["stats"].get("build_seconds"),
        "solve_seconds": result["stats"].get("solve_seconds"),
    }), flush=True)
    if baselines:
        from allocation.baselines import solve_highs_lp, solve_plain_cp_sat

        for solve in (solve_plain_cp_sat, solve_highs_lp):
            outcome = solve(doc)
            print(json.dumps(outcome), flush=True)
    return 0


def _main(argv: list[str]) -> int:
    """Run `python -m allocation.bench` with the extra options --kind, --write and --time-limit."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m allocation.bench")
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=("special_post", "rotation"), default="special_post")
    parser.add_argument("--baselines", action="store_true")
    parser.add_argument("--write", metavar="PATH", default=None, help="also write the generated problem here")
    parser.add_argument("--generate-only", action="store_true", help="write the problem and stop")
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args(argv)
    try:
        if args.generate_only:
            if args.write is None:
                raise ProblemError("--generate-only needs --write PATH")
            doc = generate(args.scale, args.seed, args.kind)
            Path(args.write).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
            print(json.dumps({"method": "generate", "scale": args.scale, "seed": args.seed, "kind": args.kind,
                              "written": args.write, **problem_size(doc)}))
            return 0
        return run_bench_command(args.scale, args.seed, args.baselines, kind=args.kind,
                                 write=args.write, time_limit=args.time_limit)
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))
