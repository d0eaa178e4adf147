"""Balanced: tie-breaks, the starting assignments, and the two solving paths against each other."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import allocation.cpsat as cpsat
from allocation import solve_document
from allocation.eligibility import build_eligibility
from allocation.envy import count_justified_envy
from allocation.factories import make_candidate, make_post, make_problem, make_school, random_problem
from allocation.flow import solve_coverage
from allocation.io import parse_problem
from allocation.merit import solve_merit

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NONE = np.zeros(0, dtype=np.int64)


def placed(result: dict) -> dict[str, str]:
    return {a["candidate"]: a["post"] for a in result["assignments"]}


def first_level(elig, chosen, penalty) -> float:
    return int(elig.arrays.post_weight[elig.post[chosen]].sum()) - penalty * count_justified_envy(elig, chosen)


def test_equal_first_level_prefers_lower_rank_sum():
    # Both ways to fill the two seats have weight 2 and no envy; the lower rank sum wins.
    posts = [make_post("P1", seats=2)]
    candidates = [make_candidate("T1", preferences=["P1"]), make_candidate("T2", preferences=["P2", "P1"])]
    doc = make_problem(posts=[*posts, make_post("P2")], candidates=candidates, mechanism="balanced")
    result = solve_document(doc)
    assert placed(result) == {"T1": "P1", "T2": "P2"}
    assert result["objective"]["rank_sum"] == 2


def test_equal_first_level_and_rank_prefers_lower_distance():
    schools = [make_school("S1", lat=35.0, lon=103.0), make_school("S2", lat=35.0, lon=103.2),
               make_school("S3", lat=35.0, lon=103.1)]
    posts = [make_post("P_far", "S2"), make_post("P_near", "S3")]
    doc = make_problem(schools, posts, [make_candidate("T1", home_school="S1")], mechanism="balanced")
    result = solve_document(doc)
    assert placed(result) == {"T1": "P_near"}
    assert result["objective"]["distance_km"] == 9


def test_returns_the_best_hint_when_the_search_finds_nothing(monkeypatch):
    doc = random_problem(7, 8, 5, mechanism="balanced")
    problem = parse_problem(doc)
    elig = build_eligibility(problem)
    merit, flow = solve_merit(elig, NONE), solve_coverage(elig, NONE).chosen
    monkeypatch.setattr(cpsat, "MIP_OBJECTIVE_LIMIT", 0)  # no branch and cut
    original_solve = cp_model.CpSolver.solve

    def solve_without_time(self, model, *args):
        self.parameters.max_time_in_seconds = 0.0
        return original_solve(self, model, *args)

    monkeypatch.setattr(cp_model.CpSolver, "solve", solve_without_time)
    outcome = cpsat.solve_envy_program(elig, [], [merit, flow], 5, 1.0, weight_bound=123.0)
    best = max((merit, flow), key=lambda h: first_level(elig, h, 1.0))
    assert outcome.status == "feasible"
    assert first_level(elig, outcome.chosen, 1.0) == first_level(elig, best, 1.0)
    assert outcome.bound == 123.0


@FAST
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([0.5, 1, 3]))
def test_never_worse_than_merit_or_flow_and_paths_agree(seed, penalty):
    doc = random_problem(seed, 8, 5, mechanism="balanced")
    doc["weights"] = {"envy_penalty": penalty}
    problem = parse_problem(doc)
    elig = build_eligibility(problem)
    hints = [solve_merit(elig, NONE), solve_coverage(elig, NONE).chosen]
    mip = cpsat.solve_envy_program(elig, [], hints, 10, penalty)
    original = cpsat.MIP_OBJECTIVE_LIMIT
    cpsat.MIP_OBJECTIVE_LIMIT = 0  # CP-SAT alone
    try:
        alone = cpsat.solve_envy_program(elig, [], hints, 10, penalty)
    finally:
        cpsat.MIP_OBJECTIVE_LIMIT = original
    assert mip.status == alone.status == "optimal"
    levels = [(first_level(elig, o.chosen, penalty), -int(elig.rank[o.chosen].sum()),
               -int(elig.objective_distance()[o.chosen].sum())) for o in (mip, alone)]
    assert levels[0] == levels[1]
    assert levels[0][0] >= max(first_level(elig, h, penalty) for h in hints)
    assert mip.bound == alone.bound == levels[0][0]
