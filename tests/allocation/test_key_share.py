"""Coverage under a binding key-teacher share: the share priced into the bounded flow."""
import itertools
import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import solve_document
from allocation.eligibility import build_eligibility
from allocation.factories import make_candidate, make_post, make_problem, random_problem
from allocation.flow import CoverageNetwork, lexicographic_flow
from allocation.io import parse_problem
from allocation.keyshare import solve_key_share
from allocation.mip import objective_levels, solve_coverage_program
from allocation.rules import locked_pairs, send_bounds, side_rules

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=10**6)


def placed(result: dict) -> dict[str, str]:
    return {a["candidate"]: a["post"] for a in result["assignments"]}


def test_binding_share_swaps_in_a_key_teacher_at_one_rank():
    # Without the share N1 and N2 take their first choices; with half the sent being key
    # teachers, K1 must replace N2 on P2, its second choice: the same weight, one rank more.
    posts = [make_post("P1", weight=3), make_post("P2", weight=2), make_post("P3", seats=0)]
    candidates = [make_candidate("N1", preferences=["P1"], home_school="S3"),
                  make_candidate("N2", preferences=["P2"], home_school="S3"),
                  make_candidate("K1", preferences=["P3", "P2"], home_school="S3", is_key_teacher=True)]
    free = solve_document(make_problem(posts=posts, candidates=candidates, kind="rotation"))
    assert placed(free) == {"N1": "P1", "N2": "P2"}
    result = solve_document(make_problem(posts=posts, candidates=candidates, kind="rotation",
                                         rules={"min_key_teacher_share": 0.5}))
    assert placed(result) == {"N1": "P1", "K1": "P2"}
    assert result["objective"]["weight"] == 5 and result["objective"]["rank_sum"] == 3
    assert result["status"] == "optimal"
    assert result["stats"]["method"] == "lagrangian_flow"
    assert result["stats"]["bound"] == 5 and result["stats"]["gap"] == 0


def test_binding_share_gives_up_weight_when_no_key_teacher_can_replace():
    # Only key teachers may be sent: N1's weight-4 post stays empty and K1 fills the weight-1 one.
    posts = [make_post("P1", weight=4), make_post("P2", weight=1)]
    candidates = [make_candidate("N1", preferences=["P1"], home_school="S3"),
                  make_candidate("K1", preferences=["P2"], home_school="S3", is_key_teacher=True)]
    result = solve_document(make_problem(posts=posts, candidates=candidates, kind="rotation",
                                         rules={"min_key_teacher_share": 1.0}))
    assert placed(result) == {"K1": "P2"}
    assert result["status"] == "optimal" and result["stats"]["bound"] == 1


def test_binding_share_keeps_locks_and_source_floors():
    # The locked non-key teacher stays; S2 must send one; the share then needs both key teachers.
    posts = [make_post(f"P{i}", "S1", weight=w) for i, w in enumerate([5, 4, 3, 1])]
    candidates = [make_candidate("N1", home_school="S3"), make_candidate("N2", home_school="S2"),
                  make_candidate("K1", home_school="S3", is_key_teacher=True),
                  make_candidate("K2", home_school="S3", is_key_teacher=True)]
    rules = {"min_key_teacher_share": 0.5, "locked": [{"candidate": "N1", "post": "P3"}],
             "source_schools": [{"school": "S2", "min_out": 1, "max_out": 1}]}
    result = solve_document(make_problem(posts=posts, candidates=candidates, kind="rotation", rules=rules))
    assert placed(result)["N1"] == "P3" and "N2" in placed(result)
    assert {"K1", "K2"} <= set(placed(result))
    assert result["status"] == "optimal" and result["objective"]["weight"] == 5 + 4 + 3 + 1


def test_share_that_cannot_hold_is_explained():
    posts = [make_post("P1")]
    candidates = [make_candidate("N1", home_school="S3")]
    rules = {"min_key_teacher_share": 0.5, "locked": [{"candidate": "N1", "post": "P1"}]}
    result = solve_document(make_problem(posts=posts, candidates=candidates, kind="rotation", rules=rules))
    assert result["status"] == "infeasible"
    assert sorted(result["reasons"][1:]) == ["N1 locked to P1", "key teachers are at least 50% of those sent"]


def binding_problem(seed: int, n_candidates: int, n_posts: int) -> dict:
    """Return a random problem with source-school bounds, a share that is likely to bind, and sometimes a lock."""
    rng = random.Random(seed)
    doc = random_problem(seed, n_candidates, n_posts)
    for candidate in doc["candidates"]:
        candidate["home_school"] = rng.choice(["S0", "S1", "S2", None])
    bounds = []
    for school in rng.sample(["S0", "S1", "S2"], rng.randint(0, 3)):
        low = rng.choice([None, 0, 1])
        high = rng.choice([None, 1, 2, 3])
        if low is not None and high is not None and low > high:
            low, high = high, low
        bounds.append({"school": school, "min_out": low, "max_out": high})
    doc["rules"] = {"source_schools": bounds, "min_key_teacher_share": rng.choice([0.34, 0.5, 0.6, 0.75, 1.0])}
    if rng.random() < 0.3:
        problem = parse_problem(doc)
        elig = build_eligibility(problem)
        if elig.n_pairs:
            pair = rng.randrange(elig.n_pairs)
            doc["rules"]["locked"] = [{"candidate": problem.candidates[elig.cand[pair]].id,
                                       "post": problem.posts[elig.post[pair]].id}]
    return doc


def levels(elig, chosen) -> tuple[int, int, int]:
    return (int(elig.arrays.post_weight[elig.post[chosen]].sum()), int(elig.rank[chosen].sum()),
            int(elig.objective_distance()[chosen].sum()))


def meets(elig, side, chosen) -> bool:
    is_chosen = np.zeros(elig.n_pairs, dtype=bool)
    is_chosen[chosen] = True
    seats_ok = (np.bincount(elig.post[chosen], minlength=elig.arrays.n_posts) <= elig.arrays.post_seats).all()
    return bool(seats_ok) and len(set(elig.cand[chosen].tolist())) == len(chosen) and all(
        rule.holds(is_chosen) for rule in side)


def brute_force(elig, side):
    """Return the lexicographic optimum (weight, rank, distance) over every assignment meeting the rules, or None."""
    options = [list(range(elig.cand_start[c], elig.cand_start[c + 1])) + [-1] for c in range(elig.arrays.n_candidates)]
    best = None
    for picks in itertools.product(*options):
        chosen = np.array([p for p in picks if p >= 0], dtype=np.int64)
        if meets(elig, side, chosen):
            weight, rank, distance = levels(elig, chosen)
            key = (weight, -rank, -distance)
            best = key if best is None or key > best else best
    return None if best is None else (best[0], -best[1], -best[2])


def priced(doc):
    problem = parse_problem(doc)
    elig = build_eligibility(problem)
    locked, conflicts = locked_pairs(problem, elig)
    side = side_rules(problem, elig, locked)
    bounds = send_bounds(problem, elig, locked)
    if conflicts or bounds is None:
        return elig, side, None
    network = CoverageNetwork(elig, locked, *bounds)
    start = lexicographic_flow(network)
    if start.status == "infeasible":
        return elig, side, "infeasible"
    return elig, side, solve_key_share(elig, network, side, start.arc_flow, 10)


@FAST
@given(seeds)
def test_priced_share_matches_brute_force(seed):
    elig, side, outcome = priced(binding_problem(seed, 5, 3))
    expected = brute_force(elig, side)
    if outcome is None:
        return
    if outcome == "infeasible" or outcome.status == "infeasible":
        assert expected is None
        return
    assert expected is not None
    assert meets(elig, side, outcome.best.chosen)
    found = levels(elig, outcome.best.chosen)
    # The bounds hold, and an optimal claim is true.
    assert outcome.weight_bound >= expected[0]
    if outcome.status == "optimal":
        assert found == expected


@FAST
@given(seeds)
def test_priced_share_matches_the_integer_program(seed):
    doc = binding_problem(seed, 14, 9)
    elig, side, outcome = priced(doc)
    if outcome is None or outcome == "infeasible":
        return
    program = solve_coverage_program(elig, side, None, 20)
    if outcome.status == "infeasible":
        assert program.status == "infeasible"
        return
    assert program.status == "optimal"
    fold = objective_levels(elig)[1][1]
    expected = (int(elig.arrays.post_weight[elig.post[program.chosen]].sum()), int(fold[program.chosen].sum()))
    found = (outcome.best.weight, outcome.best.low)
    assert outcome.weight_bound >= expected[0]
    if outcome.status == "optimal":
        assert found == expected
        # Proven by the bound itself, or by the program on the arcs the reduced costs leave free.
        assert outcome.low_bound == found[1] if outcome.proof == "bound" else outcome.low_bound <= found[1]
    elif outcome.low_bound is not None:
        assert outcome.low_bound <= expected[1] or outcome.weight_bound > expected[0]
    # Whatever the status, the engine's answer is the integer program's lexicographic optimum.
    result = solve_document(doc)
    assert result["status"] == "optimal"
    assert result["objective"]["weight"] == expected[0]
