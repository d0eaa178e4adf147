"""Itinerant teaching: the GAP model, OR-Library files, the document form and the gap command."""
import csv
import json
import itertools
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from allocation.errors import ProblemError
from allocation.itinerant import (
    _solve_mip,
    _solve_partition,
    read_gap_file,
    solve_itinerant,
    solve_itinerant_document,
)

GAP_DATA = Path(__file__).resolve().parents[2].parent / "shared/data/gap"
SMALL_INSTANCES = ["cattrysse1994/gap1-0", "cattrysse1994/gap1-1", "cattrysse1994/gap1-2", "cattrysse1994/gap2-0"]


def run_gap(path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "allocation", "gap", str(path), *extra],
                          capture_output=True, text=True, timeout=120)


def test_cheapest_assignment_within_capacity():
    # Jobs 0 and 1 are both cheap on agent 0 but only one fits there; job 0 loses less by moving.
    result = solve_itinerant([[1, 1, 9], [5, 6, 1]], [[3, 3, 3], [3, 3, 3]], [3, 6], time_limit=5)
    assert result.status == "optimal"
    assert result.cost == 5 + 1 + 1
    assert result.assignment == [1, 0, 1]


def test_capacity_too_small_is_infeasible():
    result = solve_itinerant([[1, 1]], [[2, 2]], [3], time_limit=5)
    assert result.status == "infeasible"
    assert result.assignment is None


def test_job_nobody_may_take_is_infeasible():
    result = solve_itinerant([[1], [1]], [[9], [9]], [5, 5], time_limit=5)
    assert result.status == "infeasible"


def test_no_jobs_is_trivially_optimal():
    assert solve_itinerant([[], []], [[], []], [1, 1], time_limit=5).cost == 0


def test_allowed_mask_is_respected():
    result = solve_itinerant([[1, 1], [9, 9]], [[1, 1], [1, 1]], [5, 5], time_limit=5,
                             allowed=[[False, True], [True, True]])
    assert result.assignment == [1, 0]
    assert result.cost == 10


def test_non_integer_costs_are_refused():
    with pytest.raises(ProblemError, match="costs"):
        solve_itinerant([[1.5]], [[1]], [1], time_limit=5)


def test_mismatched_shapes_are_refused():
    with pytest.raises(ProblemError, match="weights"):
        solve_itinerant([[1, 2]], [[1]], [1], time_limit=5)


def test_trade_off_instance_is_still_solved_exactly():
    # Costs fall as resource use rises on every job (the hard shape of tight itinerant weeks).
    weights = [[2, 3, 4, 5], [5, 4, 3, 2]]
    costs = [[10 - w for w in row] for row in weights]
    result = solve_itinerant(costs, weights, [7, 7], time_limit=5)
    assert result.status == "optimal"
    assert result.cost == min(
        sum(costs[a][j] for j, a in enumerate(choice))
        for choice in itertools.product(range(2), repeat=4)
        if all(sum(weights[a][j] for j, b in enumerate(choice) if b == a) <= 7 for a in range(2))
    )


def best_known() -> dict:
    with (GAP_DATA / "optima.csv").open() as handle:
        return {row["Path"]: int(row["Best known solution value"]) for row in csv.DictReader(handle)}


@pytest.mark.skipif(not GAP_DATA.is_dir(), reason="shared GAP data not present")
@pytest.mark.parametrize("name", SMALL_INSTANCES)
def test_small_benchmark_instances_reach_the_optimum(name):
    instance = read_gap_file(GAP_DATA / name)
    result = solve_itinerant(instance.costs, instance.weights, instance.capacities, time_limit=20)
    assert result.status == "optimal"
    assert result.cost == best_known()[name]
    used = [0] * len(instance.capacities)
    for job, agent in enumerate(result.assignment):
        used[agent] += int(instance.weights[agent][job])
    assert all(load <= capacity for load, capacity in zip(used, instance.capacities))
    assert result.cost == sum(int(instance.costs[agent][job]) for job, agent in enumerate(result.assignment))


@pytest.mark.skipif(not GAP_DATA.is_dir(), reason="shared GAP data not present")
def test_gap_command_prints_one_json_line():
    completed = run_gap(GAP_DATA / "cattrysse1994/gap1-0", "--time-limit", "10")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.strip().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert list(line) == ["instance", "status", "cost", "seconds"]
    assert line["instance"] == "gap1-0"
    assert line["status"] == "optimal"
    assert line["cost"] == 261


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("2 2\n1 2 3 x\n", "is not an integer"),
        ("2 2\n1 2 3 4\n1 1 1 1\n", "expected 12 numbers"),
        ("0 3\n", "must be positive"),
        ("", "agent and job counts"),
        ("1 1\n" + "9" * 40 + " 1 1\n", "number 3 is larger than 1000000000"),
    ],
)
def test_bad_gap_files_exit_with_status_2(tmp_path, content, message):
    path = tmp_path / "instance.txt"
    if content is not None:
        path.write_text(content)
    completed = run_gap(path)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "Traceback" not in completed.stderr


def itinerant_doc(**overrides) -> dict:
    doc = {
        "format": "trainhub-itinerant/1",
        "kind": "itinerant",
        "schools": [
            {"id": "S1", "lat": 35.60, "lon": 103.20},
            {"id": "S2", "lat": 35.70, "lon": 103.20},
            {"id": "S3", "lat": 35.60, "lon": 103.60},
        ],
        "teachers": [
            {"id": "M1", "capacity_periods": 10, "home_school": "S1", "subjects": ["music"]},
            {"id": "M2", "capacity_periods": 10, "home_school": "S3", "subjects": ["music", "art"]},
        ],
        "demands": [
            {"id": "D1", "school": "S2", "subject": "music", "periods": 4},
            {"id": "D2", "school": "S3", "subject": "art", "periods": 4},
            {"id": "D3", "school": "S1", "subject": "music", "periods": 4},
        ],
    }
    doc.update(overrides)
    return doc


def test_document_form_uses_distances_subjects_and_capacities():
    result = solve_itinerant_document(itinerant_doc(), time_limit=5)
    assert result["format"] == "trainhub-itinerant-result/1"
    assert result["status"] == "optimal"
    placed = {row["demand"]: row["teacher"] for row in result["assignments"]}
    # Art only M2 teaches; the home-school demand D3 costs M1 nothing; D1 is 11 km from S1.
    assert placed == {"D1": "M1", "D2": "M2", "D3": "M1"}
    d1 = next(row for row in result["assignments"] if row["demand"] == "D1")
    assert d1["cost"] == 11 and d1["overhead_periods"] == 1
    assert {row["teacher"]: row["periods_used"] for row in result["loads"]} == {"M1": 9, "M2": 4}


def test_document_form_explicit_travel_overrides_coordinates():
    travel = {"pairs": [{"teacher": "M1", "school": "S2", "cost": 100, "overhead_periods": 0},
                        {"teacher": "M2", "school": "S2", "cost": 1, "overhead_periods": 0}]}
    result = solve_itinerant_document(itinerant_doc(travel=travel), time_limit=5)
    placed = {row["demand"]: row["teacher"] for row in result["assignments"]}
    assert placed["D1"] == "M2"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"format": "trainhub-allocation/1"}, "format"),
        ({"teachers": [{"id": "M1", "capacity_periods": -1}]}, "teacher M1: capacity_periods"),
        ({"demands": [{"id": "D1", "school": "S9", "subject": "music", "periods": 2}]}, "demand D1: school"),
        ({"demands": [{"id": "D1", "school": "S1", "periods": 2}, {"id": "D1", "school": "S1", "periods": 2}]},
         "demand D1: duplicate id"),
        ({"travel": {"km_per_overhead_period": 0}}, "travel.km_per_overhead_period"),
        # Numbers beyond 64-bit integers or floating point.
        ({"teachers": [{"id": "M1", "capacity_periods": 10**400}]}, "capacities: values must be at most"),
        ({"demands": [{"id": "D1", "school": "S1", "periods": 2**64}]}, "weights: values must be at most"),
        ({"travel": {"cost_per_km": 1e300}}, "travel.cost_per_km"),
        ({"travel": {"pairs": [{"teacher": "M1", "school": "S2", "cost": 2**70}]}}, "costs: values must be at most"),
    ],
)
def test_bad_documents_name_the_problem(overrides, message):
    with pytest.raises(ProblemError, match=message):
        solve_itinerant_document(itinerant_doc(**overrides), time_limit=5)


def brute_force(costs, weights, capacities):
    """Return the least cost of any assignment within capacities, None when there is none."""
    agent_count, job_count = len(capacities), len(costs[0])
    best = None
    for assignment in itertools.product(range(agent_count), repeat=job_count):
        used = [0] * agent_count
        for job, agent in enumerate(assignment):
            used[agent] += weights[agent][job]
        if all(load <= capacity for load, capacity in zip(used, capacities)):
            value = sum(costs[agent][job] for job, agent in enumerate(assignment))
            best = value if best is None else min(best, value)
    return best


def random_problem(seed, agent_count=3, job_count=6):
    rng = random.Random(seed)
    costs = [[rng.randint(1, 20) for _ in range(job_count)] for _ in range(agent_count)]
    weights = [[rng.randint(1, 9) for _ in range(job_count)] for _ in range(agent_count)]
    capacities = [rng.randint(6, 14) for _ in range(agent_count)]
    return costs, weights, capacities


@pytest.mark.parametrize("seed", range(8))
def test_generated_problems_match_brute_force(seed):
    costs, weights, capacities = random_problem(seed)
    expected = brute_force(costs, weights, capacities)
    result = solve_itinerant(costs, weights, capacities, time_limit=5)
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal"
        assert result.cost == expected


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("seed", range(20, 26))
def test_tight_generated_problems_match_brute_force_on_one_or_two_cores(seed, workers):
    # Capacities near the least a job needs, so most assignments overload someone.
    rng = random.Random(seed)
    costs = [[rng.randint(1, 30) for _ in range(7)] for _ in range(3)]
    weights = [[rng.randint(2, 9) for _ in range(7)] for _ in range(3)]
    least = sum(min(weights[a][j] for a in range(3)) for j in range(7))
    capacities = [least // 3 + rng.randint(1, 4) for _ in range(3)]
    expected = brute_force(costs, weights, capacities)
    result = solve_itinerant(costs, weights, capacities, time_limit=5, workers=workers)
    if expected is None:
        assert result.status == "infeasible"
    else:
        assert (result.status, result.cost) == ("optimal", expected)
        used = [0, 0, 0]
        for job, agent in enumerate(result.assignment):
            used[agent] += weights[agent][job]
        assert all(load <= capacity for load, capacity in zip(used, capacities))


def test_set_partition_over_listed_plans_finds_the_cheapest_cover_or_none():
    costs = np.array([[1, 4, 4], [5, 1, 1]])
    # Agent 0 may take {0} or {0, 1}; agent 1 may take {1, 2} or {2}.
    agents = [0, 0, 1, 1]
    plans = [np.array([0]), np.array([0, 1]), np.array([1, 2]), np.array([2])]
    status, assignment = _solve_partition(costs, agents, plans, upper=10, seconds=5)
    assert status == "optimal"
    assert assignment.tolist() == [0, 1, 1]
    # The cheapest cover costs 3: nothing costs 2 or less.
    assert _solve_partition(costs, agents, plans, upper=2, seconds=5) == ("infeasible", None)


def test_branch_and_cut_proves_that_nothing_beats_the_optimum():
    seed = next(seed for seed in range(50) if brute_force(*random_problem(seed)) is not None)
    costs, weights, capacities = (np.asarray(part) for part in random_problem(seed))
    optimum = brute_force(*random_problem(seed))
    usable = weights <= capacities[:, None]
    status, assignment, _ = _solve_mip(costs, weights, capacities, usable, optimum, 5)
    assert status == "optimal"
    assert sum(int(costs[agent, job]) for job, agent in enumerate(assignment)) == optimum
    status, assignment, _ = _solve_mip(costs, weights, capacities, usable, optimum - 1, 5)
    assert (status, assignment) == ("infeasible", None)
