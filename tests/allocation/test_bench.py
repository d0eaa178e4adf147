"""The benchmark generator: reproducible, valid documents of the requested shape."""
import json
import subprocess
import sys

import pytest

from allocation.bench import SUBJECTS, generate, problem_size
from allocation.errors import ProblemError


def test_same_seed_same_document_and_other_seed_other_document():
    assert generate("county", 7) == generate("county", 7)
    assert generate("county", 7) != generate("county", 8)


def test_county_document_has_the_promised_shape():
    doc = generate("county", 1)
    size = problem_size(doc)
    assert size["candidates"] == 300 and size["schools"] == 150
    assert size["seats"] > size["candidates"]
    assert {post["subject"] for post in doc["posts"]} <= set(SUBJECTS)
    assert {post["stage"] for post in doc["posts"]} == {"primary", "junior", "senior"}
    flags = {flag for school in doc["schools"] for flag in school["flags"]}
    assert {"relocation_site", "small_rural"} <= flags
    assert all(1 <= len(candidate["counties"]) <= 3 for candidate in doc["candidates"])
    preferences = [candidate["preferences"] for candidate in doc["candidates"]]
    assert any(item is None for item in preferences) and any(item for item in preferences)
    post_ids = {post["id"] for post in doc["posts"]}
    assert all(set(item) <= post_ids for item in preferences if item)
    assert all(isinstance(school["lat"], float) for school in doc["schools"])
    assert all(post["weight"] >= 1 for post in doc["posts"])


def test_prefecture_document_has_key_aid_counties():
    doc = generate("prefecture", 1)
    assert len({school["county"] for school in doc["schools"]}) == 8
    assert any("key_aid_county" in school["flags"] for school in doc["schools"])


def test_documents_parse_with_the_exchange_format():
    io = pytest.importorskip("allocation.io")
    for scale in ("county", "prefecture"):
        problem = io.parse_problem(generate(scale, 3))
        assert len(problem.candidates) == problem_size(generate(scale, 3))["candidates"]


def test_rotation_document_has_source_caps_and_key_share():
    doc = generate("province", 2, kind="rotation")
    rules = doc["rules"]
    assert rules["min_key_teacher_share"] == 0.3
    assert len(rules["source_schools"]) == 500
    assert all(cap["min_out"] <= cap["max_out"] for cap in rules["source_schools"])
    assert all(candidate["home_school"] for candidate in doc["candidates"])
    assert any(candidate["is_key_teacher"] for candidate in doc["candidates"])
    io = pytest.importorskip("allocation.io")
    io.parse_problem(doc)


def test_unknown_scale_is_refused():
    with pytest.raises(ProblemError, match="scale"):
        generate("planet", 1)


def test_bench_command_prints_one_line_per_method():
    pytest.importorskip("allocation.api")
    completed = subprocess.run([sys.executable, "-m", "allocation", "bench", "--scale", "county", "--seed", "2"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    lines = [json.loads(line) for line in completed.stdout.strip().splitlines()]
    solved = [line for line in lines if line["method"] != "generate"]
    assert solved and all({"method", "seconds", "objective", "status"} <= set(line) for line in solved)
    assert solved[0]["status"] == "optimal"


def test_baselines_agree_with_each_other_on_a_small_instance():
    from allocation.baselines import solve_highs_lp, solve_plain_cp_sat

    doc = generate("county", 4)
    doc["candidates"] = doc["candidates"][:60]
    plain = solve_plain_cp_sat(doc, time_limit=20)
    relaxed = solve_highs_lp(doc)
    assert relaxed["status"] == "optimal"
    assert plain["objective"] == pytest.approx(relaxed["objective"])
