"""Build problem documents for tests and examples: tiny hand-made ones and random small ones."""
from __future__ import annotations

import random

from allocation.io import PROBLEM_FORMAT


def make_school(id: str, county: str = "C1", **overrides) -> dict:
    """Return a school entry."""
    return {"id": id, "county": county, **overrides}


def make_post(id: str, school: str = "S1", subject: str = "math", stage: str = "primary", seats: int = 1,
              weight: int = 1) -> dict:
    """Return a post entry."""
    return {"id": id, "school": school, "subject": subject, "stage": stage, "seats": seats, "weight": weight}


def make_candidate(id: str, subjects=("math",), stages=("primary",), score: float = 50, preferences=None,
                   **overrides) -> dict:
    """Return a candidate entry."""
    return {"id": id, "subjects": list(subjects), "stages": list(stages), "score": score,
            "preferences": None if preferences is None else list(preferences), **overrides}


def make_problem(schools=None, posts=(), candidates=(), mechanism: str = "coverage", rules=None,
                 kind: str = "special_post", **overrides) -> dict:
    """Return a problem document; schools default to S1..S3 in county C1."""
    return {
        "format": PROBLEM_FORMAT, "kind": kind, "mechanism": mechanism,
        "schools": list(schools) if schools is not None else [make_school(f"S{i}") for i in (1, 2, 3)],
        "posts": list(posts), "candidates": list(candidates), "rules": rules or {}, **overrides,
    }


def random_problem(seed: int, n_candidates: int = 6, n_posts: int = 4, mechanism: str = "coverage",
                   with_preferences: bool = True, distinct_scores: bool = False, coordinates: bool = True) -> dict:
    """Return a small random problem (two subjects, two stages, two counties)."""
    rng = random.Random(seed)
    schools = [make_school(f"S{i}", f"C{i % 2}",
                           **({"lat": 35 + rng.random(), "lon": 103 + rng.random()} if coordinates else {}))
               for i in range(4)]
    subjects, stages = ["math", "music"], ["primary", "junior"]
    posts = [make_post(f"P{i}", rng.choice(schools)["id"], rng.choice(subjects), rng.choice(stages),
                       rng.randint(0, 2), rng.randint(1, 4)) for i in range(n_posts)]
    scores = rng.sample(range(1, 100), n_candidates) if distinct_scores else [rng.randint(1, 3) for _ in
                                                                               range(n_candidates)]
    candidates = []
    for i in range(n_candidates):
        prefs = None
        if with_preferences:
            prefs = rng.sample([p["id"] for p in posts], rng.randint(0, n_posts))
        candidates.append(make_candidate(
            f"T{i}", rng.sample(subjects, rng.randint(1, 2)), rng.sample(stages, rng.randint(1, 2)), scores[i],
            prefs, home_school=rng.choice([None, "S0", "S1"]), is_key_teacher=rng.random() < 0.4,
            counties=rng.choice([[], ["C0"], ["C1"]])))
    return make_problem(schools, posts, candidates, mechanism)
