"""Write a reproducible province-scale rotation problem (coverage with source-school caps and key share).

    python scripts/gen_rotation.py OUT.json [--seed 3] [--candidates 20000] [--schools 6000]
        [--posts 15000] [--capped-schools 500] [--key-share 0.3]

The defaults give about 40,000 eligible pairs: every candidate lists two posts of a subject and
stage they teach, 500 home schools send at most 1 to 3, and 30% of those sent must be key teachers.
"""
from __future__ import annotations

import argparse
import json
import random

SUBJECTS = ["math", "chinese", "english", "music", "pe", "art", "science", "it", "moral", "labour"]
STAGES = ["primary", "junior", "senior"]
FLAGS = ["key_aid_county", "relocation_site", "small_rural"]
PREFERENCES_PER_CANDIDATE = 2
KEY_TEACHER_RATE = 0.3


def generate(seed: int = 3, n_candidates: int = 20_000, n_schools: int = 6_000, n_posts: int = 15_000,
             capped_schools: int = 500, key_share: float = 0.3) -> dict:
    """Return the problem document; the same arguments always give the same document."""
    rng = random.Random(seed)
    counties = [f"C{i}" for i in range(max(1, n_schools // 70))]
    schools = [{"id": f"S{i}", "county": rng.choice(counties), "lat": 24 + rng.random() * 4,
                "lon": 104 + rng.random() * 5, "flags": rng.sample(FLAGS, rng.randint(0, 1))}
               for i in range(n_schools)]
    posts = [{"id": f"P{i}", "school": f"S{rng.randrange(n_schools)}", "subject": rng.choice(SUBJECTS),
              "stage": rng.choice(STAGES), "seats": rng.randint(1, 2), "weight": rng.randint(1, 10)}
             for i in range(n_posts)]
    by_key: dict[tuple[str, str], list[str]] = {}
    for post in posts:
        by_key.setdefault((post["subject"], post["stage"]), []).append(post["id"])
    candidates = []
    for i in range(n_candidates):
        subjects = rng.sample(SUBJECTS, rng.randint(1, 2))
        stages = rng.sample(STAGES, rng.randint(1, 2))
        pool = [p for s in subjects for t in stages for p in by_key.get((s, t), [])]
        candidates.append({
            "id": f"T{i}", "subjects": subjects, "stages": stages, "score": round(rng.uniform(40, 100), 1),
            "preferences": rng.sample(pool, min(PREFERENCES_PER_CANDIDATE, len(pool))), "counties": [],
            "home_school": f"S{rng.randrange(n_schools)}", "is_key_teacher": rng.random() < KEY_TEACHER_RATE,
            "max_distance_km": None})
    capped = rng.sample(range(n_schools), capped_schools)
    rules = {"min_key_teacher_share": key_share,
             "source_schools": [{"school": f"S{s}", "min_out": 0, "max_out": rng.randint(1, 3)} for s in capped]}
    return {"format": "trainhub-allocation/1", "kind": "rotation", "mechanism": "coverage",
            "schools": schools, "posts": posts, "candidates": candidates, "rules": rules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--schools", type=int, default=6_000)
    parser.add_argument("--posts", type=int, default=15_000)
    parser.add_argument("--capped-schools", type=int, default=500)
    parser.add_argument("--key-share", type=float, default=0.3)
    args = parser.parse_args()
    doc = generate(args.seed, args.candidates, args.schools, args.posts, args.capped_schools, args.key_share)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(doc, handle)


if __name__ == "__main__":
    main()
