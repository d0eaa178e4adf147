"""One tiny hand-built problem per reason code of unfilled posts and unassigned candidates."""
import numpy as np

from allocation import solve_document
from allocation.eligibility import build_eligibility
from allocation.explain import explain
from allocation.io import parse_problem
from allocation.factories import make_candidate, make_post, make_problem, make_school


def post_codes(result: dict) -> dict[str, str]:
    return {u["post"]: u["reason_codes"][0]["code"] for u in result["unfilled"]}


def candidate_codes(result: dict) -> dict[str, str]:
    return {u["candidate"]: u["reason_codes"][0]["code"] for u in result["unassigned"]}


def test_merit_partly_filled_post_is_not_held_back_by_rules():
    doc = make_problem(posts=[make_post("P1", seats=3)], candidates=[make_candidate("T1", preferences=["P1"])],
                       mechanism="merit")
    result = solve_document(doc)
    assert result["unfilled"][0]["reasons"] == ["all 1 eligible candidate placed here"]
    assert post_codes(result) == {"P1": "all_eligible_placed_here"}


def test_unfilled_no_qualified_candidate():
    doc = make_problem(posts=[make_post("P1", subject="music")], candidates=[make_candidate("T1")])
    assert post_codes(solve_document(doc)) == {"P1": "no_qualified_candidate"}


def test_unfilled_county_not_accepted():
    schools = [make_school("S1", "C1"), make_school("S2", "C2")]
    doc = make_problem(schools, posts=[make_post("P1", "S1")], candidates=[make_candidate("T1", counties=["C2"])])
    assert post_codes(solve_document(doc)) == {"P1": "county_not_accepted"}


def test_unfilled_not_in_preferences():
    doc = make_problem(posts=[make_post("P1"), make_post("P2")], candidates=[make_candidate("T1", preferences=["P2"])])
    assert post_codes(solve_document(doc)) == {"P1": "not_in_preferences"}


def test_unfilled_own_school_only():
    doc = make_problem(posts=[make_post("P1", "S1")], candidates=[make_candidate("T1", home_school="S1")])
    assert post_codes(solve_document(doc)) == {"P1": "own_school_only"}


def test_unfilled_no_candidate_within_distance():
    schools = [make_school("S1", lat=35.0, lon=103.0), make_school("S2", lat=36.0, lon=103.0)]
    doc = make_problem(schools, posts=[make_post("P1", "S2")], candidates=[make_candidate("T1", home_school="S1")],
                       rules={"max_distance_km": 50})
    assert post_codes(solve_document(doc)) == {"P1": "no_candidate_within_distance"}


def test_unfilled_forbidden_by_rule():
    doc = make_problem(posts=[make_post("P1")], candidates=[make_candidate("T1")],
                       rules={"forbidden": [{"candidate": "T1", "post": "P1"}]})
    assert post_codes(solve_document(doc)) == {"P1": "forbidden_by_rule"}


def test_unfilled_held_back_by_rules():
    candidates = [make_candidate(f"T{i}", home_school="S3") for i in range(2)]
    doc = make_problem(posts=[make_post("P1", "S1", seats=2)], candidates=candidates,
                       rules={"source_schools": [{"school": "S3", "max_out": 1}]})
    result = solve_document(doc)
    assert result["unfilled"][0]["reasons"] == ["1 eligible candidate left out by the side rules"]
    assert post_codes(result) == {"P1": "held_back_by_rules"}


def test_unfilled_envy_tradeoff():
    # At the optimum placing someone on a free seat never adds envy, so only a time-limited
    # assignment leaves an eligible candidate out beside a free seat: explain it directly.
    doc = make_problem(posts=[make_post("P1")], candidates=[make_candidate("T1", preferences=["P1"])],
                       mechanism="balanced")
    problem = parse_problem(doc)
    elig = build_eligibility(problem)
    nothing = np.zeros(0, dtype=np.int64)
    explained = explain(problem, elig, nothing, nothing)
    assert explained.unfilled[0].reasons[0].code == "envy_tradeoff"
    assert explained.unfilled[0].reasons[0].params == {"count": 1}
    assert explained.unassigned[0].reasons[0].code == "envy_tradeoff"


def test_unfilled_eligible_preferred_other():
    doc = make_problem(posts=[make_post("P1"), make_post("P2")],
                       candidates=[make_candidate("T1", preferences=["P2", "P1"])],
                       mechanism="merit")
    assert post_codes(solve_document(doc)) == {"P1": "eligible_preferred_other"}


def test_unfilled_eligible_placed_higher_weight():
    doc = make_problem(posts=[make_post("P1", weight=1), make_post("P2", weight=3)],
                       candidates=[make_candidate("T1", preferences=["P1", "P2"])])
    result = solve_document(doc)
    assert result["unfilled"][0]["reasons"] == [
        "all 1 other eligible candidate placed on posts of equal or higher weight"]
    assert post_codes(result) == {"P1": "eligible_placed_higher_weight"}


def test_unfilled_eligible_placed_elsewhere():
    # T1 sits on a lighter post it likes less (as a balanced trade-off might leave it): explain directly.
    doc = make_problem(posts=[make_post("P_free", weight=2), make_post("P_light", weight=1)],
                       candidates=[make_candidate("T1", preferences=["P_free", "P_light"])], mechanism="balanced")
    problem = parse_problem(doc)
    elig = build_eligibility(problem)
    explained = explain(problem, elig, np.array([elig.find(0, 1)]), np.zeros(0, dtype=np.int64))
    assert [u.post for u in explained.unfilled] == ["P_free"]
    assert explained.unfilled[0].reasons[0].code == "eligible_placed_elsewhere"


def test_unassigned_reason_codes():
    schools = [make_school("S1", "C1", lat=35.0, lon=103.0), make_school("S2", "C2", lat=36.0, lon=103.0),
               make_school("S3", "C1", lat=35.0, lon=103.05)]
    posts = [make_post("P1", "S1"), make_post("P2", "S2")]
    candidates = [
        make_candidate("T_none", preferences=[]),
        make_candidate("T_music", ["music"], preferences=["P1"]),
        make_candidate("T_county", counties=["C9"]),
        make_candidate("T_far", home_school="S3", max_distance_km=1, preferences=["P2"]),
        make_candidate("T_forbidden", preferences=["P2"]),
    ]
    rules = {"forbidden": [{"candidate": "T_forbidden", "post": "P2"}]}
    schools.append(make_school("S9", "C9"))
    result = solve_document(make_problem(schools, posts, candidates, rules=rules))
    codes = candidate_codes(result)
    assert codes["T_none"] == "no_preferences_listed"
    assert codes["T_music"] == "no_matching_post"
    assert codes["T_county"] == "county_not_accepted"
    assert codes["T_far"] == "no_post_within_distance"
    assert codes["T_forbidden"] == "forbidden_by_rule"


def test_unassigned_own_school_only():
    doc = make_problem(posts=[make_post("P1", "S1")], candidates=[make_candidate("T1", home_school="S1")])
    assert candidate_codes(solve_document(doc)) == {"T1": "own_school_only"}


def test_unassigned_all_taken_by_higher_and_all_filled():
    posts = [make_post("P1")]
    merit = make_problem(posts=posts, candidates=[make_candidate("T_high", score=90, preferences=["P1"]),
                                                  make_candidate("T_low", score=10, preferences=["P1"])],
                         mechanism="merit")
    assert candidate_codes(solve_document(merit)) == {"T_low": "all_taken_by_higher"}
    # Coverage puts the low score on the heavier-weight choice of the two, leaving the high score out.
    coverage = make_problem(posts=[make_post("P1", weight=1), make_post("P2", weight=5)],
                            candidates=[make_candidate("T_high", score=90, preferences=["P2"]),
                                        make_candidate("T_low", score=10, preferences=["P2", "P1"])])
    coverage["candidates"][0]["preferences"] = ["P1"]
    coverage["candidates"].append(make_candidate("T_out", score=95, preferences=["P1"]))
    assert candidate_codes(solve_document(coverage)) == {"T_out": "all_filled"}


def test_unassigned_source_school_cap_and_key_share():
    candidates = [make_candidate("T1", home_school="S3"), make_candidate("T2", home_school="S3")]
    doc = make_problem(posts=[make_post("P1", "S1"), make_post("P2", "S2")], candidates=candidates,
                       rules={"source_schools": [{"school": "S3", "max_out": 1}]})
    assert list(candidate_codes(solve_document(doc)).values()) == ["source_school_cap"]
    candidates = [make_candidate("K1", home_school="S3", is_key_teacher=True), make_candidate("T1", home_school="S3")]
    doc = make_problem(posts=[make_post("P1", "S1"), make_post("P2", "S2")], candidates=candidates,
                       rules={"min_key_teacher_share": 0.6})
    assert candidate_codes(solve_document(doc)) == {"T1": "key_share_limit"}
