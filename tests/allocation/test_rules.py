"""One tiny hand-built problem per eligibility rule, side rule and mechanism."""
from allocation import solve_document
from allocation.factories import make_candidate, make_post, make_problem, make_school


def placed(result: dict) -> dict[str, str]:
    return {a["candidate"]: a["post"] for a in result["assignments"]}


def test_subject_must_match():
    doc = make_problem(posts=[make_post("P1", subject="music")], candidates=[make_candidate("T1", ["math"])])
    result = solve_document(doc)
    assert placed(result) == {}
    assert result["unfilled"][0]["reasons"] == ["no candidate qualified for music/primary"]


def test_stage_must_match():
    doc = make_problem(posts=[make_post("P1", stage="junior"), make_post("P2")],
                       candidates=[make_candidate("T1", stages=["primary"])])
    assert placed(solve_document(doc)) == {"T1": "P2"}


def test_county_must_be_accepted():
    schools = [make_school("S1", "C1"), make_school("S2", "C2")]
    doc = make_problem(schools, posts=[make_post("P1", "S1", weight=5), make_post("P2", "S2")],
                       candidates=[make_candidate("T1", counties=["C2"])])
    result = solve_document(doc)
    assert placed(result) == {"T1": "P2"}
    assert result["unfilled"][0]["reason_codes"][0]["code"] == "county_not_accepted"


def test_preferences_limit_eligibility():
    doc = make_problem(posts=[make_post("P1", weight=5), make_post("P2")],
                       candidates=[make_candidate("T1", preferences=["P2"])])
    assert placed(solve_document(doc)) == {"T1": "P2"}


def test_home_school_is_excluded():
    doc = make_problem(posts=[make_post("P1", "S1", weight=5), make_post("P2", "S2")],
                       candidates=[make_candidate("T1", home_school="S1")], kind="rotation")
    assert placed(solve_document(doc)) == {"T1": "P2"}


def _distance_problem(candidate_limit=None, rule_limit=None):
    schools = [make_school("S1", lat=35.0, lon=103.0), make_school("S2", lat=35.0, lon=103.1),
               make_school("S3", lat=36.0, lon=103.0)]
    return make_problem(schools, posts=[make_post("P_near", "S2"), make_post("P_far", "S3", weight=9)],
                        candidates=[make_candidate("T1", home_school="S1", max_distance_km=candidate_limit)],
                        rules={"max_distance_km": rule_limit}, kind="rotation")


def test_candidate_distance_limit():
    assert placed(solve_document(_distance_problem())) == {"T1": "P_far"}
    result = solve_document(_distance_problem(candidate_limit=50))
    assert placed(result) == {"T1": "P_near"}
    assert result["assignments"][0]["distance_km"] == 9
    assert result["unfilled"][0]["reasons"] == ["no candidate qualified for math/primary within the distance limits"]


def test_rule_distance_limit():
    result = solve_document(_distance_problem(rule_limit=50))
    assert placed(result) == {"T1": "P_near"}
    assert result["unfilled"][0]["reasons"] == ["no candidate qualified for math/primary within 50 km"]


def test_forbidden_pair_is_excluded():
    doc = make_problem(posts=[make_post("P1", weight=5), make_post("P2")], candidates=[make_candidate("T1")],
                       rules={"forbidden": [{"candidate": "T1", "post": "P1"}]})
    assert placed(solve_document(doc)) == {"T1": "P2"}


def test_locked_pair_is_forced():
    doc = make_problem(posts=[make_post("P1", weight=5), make_post("P2")], candidates=[make_candidate("T1")],
                       rules={"locked": [{"candidate": "T1", "post": "P2"}]})
    result = solve_document(doc)
    assert placed(result) == {"T1": "P2"}
    assert "locked by rule" in result["assignments"][0]["reasons"]


def test_source_school_bounds():
    candidates = [make_candidate(f"T{i}", home_school="S3", score=i) for i in range(3)]
    posts = [make_post(f"P{i}", "S1") for i in range(3)]
    rules = {"source_schools": [{"school": "S3", "min_out": 0, "max_out": 2}]}
    result = solve_document(make_problem(posts=posts, candidates=candidates, rules=rules, kind="rotation"))
    assert len(result["assignments"]) == 2
    assert result["unassigned"][0]["reason_codes"][0]["code"] == "source_school_cap"


def test_min_key_teacher_share():
    candidates = [make_candidate("K1", home_school="S3", is_key_teacher=True)] + [
        make_candidate(f"T{i}", home_school="S3") for i in range(3)]
    posts = [make_post(f"P{i}", "S1") for i in range(4)]
    result = solve_document(make_problem(posts=posts, candidates=candidates,
                                         rules={"min_key_teacher_share": 0.5}, kind="rotation"))
    assert len(result["assignments"]) == 2
    assert "K1" in placed(result)
    assert result["status"] == "optimal"


def test_coverage_is_lexicographic_weight_then_rank_then_distance():
    schools = [make_school("S1", lat=35.0, lon=103.0), make_school("S2", lat=35.0, lon=103.2),
               make_school("S3", lat=35.0, lon=103.1)]
    posts = [make_post("P_heavy", "S2", weight=3), make_post("P_light", "S3", weight=1)]
    # T1 likes P_light best, but weight comes first: the heavy post must be filled.
    candidates = [make_candidate("T1", preferences=["P_light", "P_heavy"], home_school="S1")]
    assert placed(solve_document(make_problem(schools, posts, candidates))) == {"T1": "P_heavy"}
    # Equal weights: rank decides.
    posts = [make_post("P_a", "S2"), make_post("P_b", "S3")]
    candidates = [make_candidate("T1", preferences=["P_a", "P_b"], home_school="S1")]
    assert placed(solve_document(make_problem(schools, posts, candidates))) == {"T1": "P_a"}
    # Equal weights, no preferences: the nearer post wins.
    candidates = [make_candidate("T1", home_school="S1")]
    result = solve_document(make_problem(schools, posts, candidates))
    assert placed(result) == {"T1": "P_b"}
    assert result["objective"]["distance_km"] == 9


def test_merit_serial_dictatorship_with_ties_by_input_order():
    posts = [make_post("P1"), make_post("P2")]
    candidates = [
        make_candidate("T_low", score=60, preferences=["P1", "P2"]),
        make_candidate("T_tie_first", score=80, preferences=["P1", "P2"]),
        make_candidate("T_tie_second", score=80, preferences=["P1"]),
    ]
    result = solve_document(make_problem(posts=posts, candidates=candidates, mechanism="merit"))
    assert placed(result) == {"T_tie_first": "P1", "T_low": "P2"}
    assert result["objective"]["justified_envy"] == 0
    assert result["stats"]["method"] == "serial_dictatorship"
    assert result["unassigned"][0]["reasons"] == ["all 1 preferred post taken by higher scores"]


def test_balanced_trades_weight_against_envy():
    posts = [make_post("P_heavy", weight=3), make_post("P_light", weight=1)]
    candidates = [make_candidate("T_high", score=90, preferences=["P_light", "P_heavy"]),
                  make_candidate("T_low", score=10, preferences=["P_light"])]
    coverage = solve_document(make_problem(posts=posts, candidates=candidates))
    assert placed(coverage) == {"T_high": "P_heavy", "T_low": "P_light"}
    assert coverage["objective"]["justified_envy"] == 1

    cheap = solve_document(make_problem(posts=posts, candidates=candidates, mechanism="balanced",
                                        weights={"envy_penalty": 1}))
    assert placed(cheap) == placed(coverage)
    dear = solve_document(make_problem(posts=posts, candidates=candidates, mechanism="balanced",
                                       weights={"envy_penalty": 5}))
    assert placed(dear) == {"T_high": "P_light"}
    assert dear["objective"] == {"weight": 1, "rank_sum": 1, "distance_km": 0, "justified_envy": 0}


def test_infeasible_names_the_conflicting_rules():
    candidates = [make_candidate("T1", home_school="S3"), make_candidate("T2", home_school="S3")]
    posts = [make_post("P1", "S1"), make_post("P2", "S2")]
    rules = {"source_schools": [{"school": "S3", "min_out": 0, "max_out": 1}],
             "locked": [{"candidate": "T1", "post": "P1"}, {"candidate": "T2", "post": "P2"}],
             "min_key_teacher_share": 0.0}
    result = solve_document(make_problem(posts=posts, candidates=candidates, rules=rules, kind="rotation"))
    assert result["status"] == "infeasible"
    assert result["reasons"][0] == "the rules contradict each other"
    assert sorted(result["reasons"][1:]) == ["T1 locked to P1", "T2 locked to P2",
                                              "source school S3 sends at most 1"]


def test_locked_and_forbidden_contradict():
    doc = make_problem(posts=[make_post("P1")], candidates=[make_candidate("T1")],
                       rules={"locked": [{"candidate": "T1", "post": "P1"}],
                              "forbidden": [{"candidate": "T1", "post": "P1"}]})
    result = solve_document(doc)
    assert result["status"] == "infeasible"
    assert result["reasons"][1] == "locked T1 to P1, but T1 is forbidden from P1"


def test_reason_codes_parallel_reasons():
    doc = make_problem(posts=[make_post("P1"), make_post("P2", subject="music")],
                       candidates=[make_candidate("T1", preferences=["P1"]), make_candidate("T2", ["art"])])
    result = solve_document(doc)
    for entry in result["assignments"] + result["unfilled"] + result["unassigned"]:
        assert entry["reasons"]
        assert len(entry["reasons"]) == len(entry["reason_codes"])
