"""Pooled flow: candidates without preferences or home school reach posts through (subject, stage, county) groups."""
import itertools
import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import flow as flow_module
from allocation.eligibility import build_eligibility
from allocation.factories import make_candidate, make_post, make_problem, make_school
from allocation.flow import poolable_candidates, solve_coverage
from allocation.io import parse_problem
from allocation.mip import solve_coverage_program

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=10**6)
NONE = np.zeros(0, dtype=np.int64)
COUNTIES = ["C0", "C1", "C2"]


def pooled_problem(seed: int, n_candidates: int, n_posts: int) -> dict:
    """Return a random problem where most candidates give no preferences and no home school."""
    rng = random.Random(seed)
    schools = [make_school(f"S{i}", COUNTIES[i % 3], lat=35 + rng.random(), lon=103 + rng.random())
               for i in range(6)]
    subjects, stages = ["math", "music"], ["primary", "junior"]
    posts = [make_post(f"P{i}", rng.choice(schools)["id"], rng.choice(subjects), rng.choice(stages),
                       rng.randint(0, 2), rng.randint(1, 4)) for i in range(n_posts)]
    candidates = []
    for i in range(n_candidates):
        plain = rng.random() < 0.7
        prefs = None if plain else rng.sample([p["id"] for p in posts], rng.randint(0, n_posts))
        home = None if plain or rng.random() < 0.5 else rng.choice(schools)["id"]
        candidates.append(make_candidate(
            f"T{i}", rng.sample(subjects, rng.randint(1, 2)), rng.sample(stages, rng.randint(1, 2)),
            rng.randint(1, 3), prefs, home_school=home,
            counties=rng.sample(COUNTIES, rng.randint(0, 3)), max_distance_km=rng.choice([None, 30, 80])))
    forbidden = [{"candidate": f"T{rng.randrange(n_candidates)}", "post": f"P{rng.randrange(n_posts)}"}
                 for _ in range(rng.randint(0, 2))]
    return make_problem(schools, posts, candidates, rules={"forbidden": forbidden})


def levels(elig, chosen) -> tuple[int, int, int]:
    return (int(elig.arrays.post_weight[elig.post[chosen]].sum()), int(elig.rank[chosen].sum()),
            int(np.maximum(elig.dist_km[chosen], 0).sum()))


def assert_assignment(elig, chosen):
    assert len(np.unique(elig.cand[chosen])) == len(chosen)
    assert (np.bincount(elig.post[chosen], minlength=elig.arrays.n_posts) <= elig.arrays.post_seats).all()


def brute_force_levels(elig) -> tuple[int, int, int]:
    """Return the best (weight, -rank, -distance) levels over every assignment, by enumeration."""
    options = [list(range(elig.cand_start[c], elig.cand_start[c + 1])) + [-1] for c in range(elig.arrays.n_candidates)]
    best = None
    for picks in itertools.product(*options):
        chosen = np.array([p for p in picks if p >= 0], dtype=np.int64)
        if (np.bincount(elig.post[chosen], minlength=elig.arrays.n_posts) > elig.arrays.post_seats).any():
            continue
        weight, rank, distance = levels(elig, chosen)
        key = (weight, -rank, -distance)
        best = key if best is None or key > best else best
    return best[0], -best[1], -best[2]


def test_pooled_candidates_share_one_group_node():
    schools = [make_school("S1", "C1"), make_school("S2", "C1"), make_school("S3", "C2")]
    posts = [make_post("P1", "S1", weight=3), make_post("P2", "S2", weight=1), make_post("P3", "S3", weight=5)]
    candidates = [make_candidate("T1", counties=["C1"]), make_candidate("T2", counties=["C1"]),
                  make_candidate("T3", counties=["C1", "C2"]), make_candidate("T4", preferences=["P2"])]
    problem = parse_problem(make_problem(schools, posts, candidates))
    elig = build_eligibility(problem)
    assert poolable_candidates(elig).tolist() == [True, True, True, False]
    chosen = solve_coverage(elig, NONE).chosen
    assert_assignment(elig, chosen)
    assert levels(elig, chosen) == (9, 0, 0)


@FAST
@given(seeds)
def test_pooled_flow_matches_brute_force(seed):
    problem = parse_problem(pooled_problem(seed, 5, 4))
    elig = build_eligibility(problem)
    chosen = solve_coverage(elig, NONE).chosen
    assert_assignment(elig, chosen)
    assert levels(elig, chosen) == brute_force_levels(elig)


@FAST
@given(seeds)
def test_pooled_flow_matches_the_per_pair_flow_and_the_program(seed):
    problem = parse_problem(pooled_problem(seed, 30, 14))
    elig = build_eligibility(problem)
    pooled = solve_coverage(elig, NONE).chosen
    assert_assignment(elig, pooled)
    original = flow_module.poolable_candidates
    flow_module.poolable_candidates = lambda e: np.zeros(e.arrays.n_candidates, dtype=bool)
    try:
        per_pair = solve_coverage(elig, NONE).chosen
    finally:
        flow_module.poolable_candidates = original
    program = solve_coverage_program(elig, [], None, 10)
    assert program.status == "optimal"
    assert levels(elig, pooled) == levels(elig, per_pair) == levels(elig, program.chosen)


@FAST
@given(seeds)
def test_eligibility_by_county_matches_the_definition(seed):
    problem = parse_problem(pooled_problem(seed, 12, 10))
    elig = build_eligibility(problem)
    forbidden = {(f.candidate, f.post) for f in problem.rules.forbidden}
    expected = set()
    for c in problem.candidates:
        for p in problem.posts:
            county = problem.schools[problem.school_index[p.school]].county
            if (p.subject in c.subjects and p.stage in c.stages and (not c.counties or county in c.counties)
                    and (c.preferences is None or p.id in c.preferences) and c.home_school != p.school
                    and (c.id, p.id) not in forbidden):
                expected.add((c.id, p.id))
    found = {(problem.candidates[c].id, problem.posts[p].id) for c, p in zip(elig.cand.tolist(), elig.post.tolist())}
    # Distance limits only remove pairs; the pairs found within them are the definition's.
    assert found <= expected
    assert {pair for pair in expected if problem.candidates[problem.candidate_index[pair[0]]].home_school is None} \
        <= found
