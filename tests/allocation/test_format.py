"""The exchange format: bad input exits with status 2 and one line, results follow the contract."""
import json
import subprocess
import sys

import pytest

from allocation import ProblemError, solve_document
from allocation.domain import Problem
from allocation.factories import make_candidate, make_post, make_problem
from allocation.io import parse_problem


def run_solve(text: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "allocation", "solve", "-"], input=text, capture_output=True,
                          text=True, timeout=60)


def good_problem(**overrides) -> dict:
    return make_problem(posts=[make_post("P1")], candidates=[make_candidate("T1", preferences=["P1"])], **overrides)


def with_change(change) -> str:
    doc = good_problem()
    change(doc)
    return json.dumps(doc)


BAD_INPUTS = {
    "not json": ("{not json", "not JSON"),
    "unknown format": (with_change(lambda d: d.update(format="trainhub-allocation/9")), "field 'format'"),
    "unknown school": (with_change(lambda d: d["posts"][0].update(school="S99")), "post P1: field 'school'"),
    "negative seats": (with_change(lambda d: d["posts"][0].update(seats=-1)), "post P1: field 'seats'"),
    "merit without preferences": (
        with_change(lambda d: (d.update(mechanism="merit"), d["candidates"][0].update(preferences=None))),
        "candidate T1: field 'preferences'"),
    "duplicate id": (with_change(lambda d: d["candidates"].append(dict(d["candidates"][0]))),
                     "candidate T1: field 'id' is duplicated"),
    "unknown preference": (with_change(lambda d: d["candidates"][0].update(preferences=["P7"])),
                           "candidate T1: field 'preferences' names unknown post 'P7'"),
    "wrong type": (with_change(lambda d: d["candidates"][0].update(score="high")), "candidate T1: field 'score'"),
    "seats as text": (with_change(lambda d: d["posts"][0].update(seats="2")), "post P1: field 'seats'"),
    "not an object": ("[1, 2]", "JSON object"),
    # Numbers beyond what floating point or 64-bit integers hold.
    "score beyond floating point": (with_change(lambda d: d["candidates"][0].update(score=10**400)),
                                    "candidate T1: field 'score' must be a number"),
    "seats beyond 64 bits": (with_change(lambda d: d["posts"][0].update(seats=2**63)), "post P1: field 'seats'"),
    "weight beyond the largest count": (with_change(lambda d: d["posts"][0].update(weight=10**9 + 1)),
                                        "post P1: field 'weight' must be an integer from 1 to 1000000000"),
    "source-school cap with 400 digits": (
        with_change(lambda d: d["rules"].update(source_schools=[{"school": "S1", "max_out": 10**400}])),
        "rules.source_schools S1: field 'max_out'"),
    "distance limit beyond floating point": (
        with_change(lambda d: d["candidates"][0].update(max_distance_km=10**400)),
        "candidate T1: field 'max_distance_km' must be a number"),
    "number too long to read": ('{"format": ' + "9" * 5000 + "}", "a number too long to read"),
    "nested too deeply": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(name):
    text, expected = BAD_INPUTS[name]
    completed = run_solve(text)
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert expected in lines[0]
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""


def test_unreadable_file_exits_2(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "allocation", "solve", str(tmp_path / "missing.json")],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert len(completed.stderr.strip().splitlines()) == 1


def test_solve_command_writes_result_file(tmp_path):
    problem, result = tmp_path / "problem.json", tmp_path / "result.json"
    problem.write_text(json.dumps(good_problem()))
    completed = subprocess.run([sys.executable, "-m", "allocation", "solve", str(problem), "--time-limit", "5",
                                "--out", str(result)], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    doc = json.loads(result.read_text())
    assert doc["format"] == "trainhub-allocation-result/1"
    assert doc["assignments"][0] == {"candidate": "T1", "post": "P1", "rank": 1, "distance_km": None,
                                     "reasons": ["first choice", "only eligible candidate for this post"],
                                     "reason_codes": [{"code": "first_choice", "params": {}},
                                                      {"code": "only_eligible_candidate",
                                                       "params": {"post": "P1", "flags": []}}]}


def test_result_document_has_every_contract_key():
    doc = solve_document(good_problem())
    assert set(doc) >= {"format", "status", "objective", "assignments", "unfilled", "unassigned", "stats"}
    assert set(doc["objective"]) == {"weight", "rank_sum", "distance_km", "justified_envy"}
    assert set(doc["stats"]) == {"method", "build_seconds", "solve_seconds", "bound", "gap"}
    assert doc["status"] == "optimal"


def test_parse_problem_returns_frozen_domain():
    problem = parse_problem(good_problem())
    assert isinstance(problem, Problem)
    assert problem.candidates[0].preferences == ("P1",)
    with pytest.raises(AttributeError):
        problem.kind = "rotation"


def test_library_raises_problem_error():
    with pytest.raises(ProblemError, match="post P1: field 'weight'"):
        solve_document(make_problem(posts=[make_post("P1", weight=0)]))
