"""Training-seat apportionment: hand examples, properties and bad input."""
import math
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.apportion import apportion, apportion_document
from allocation.errors import ProblemError


def make_unit(unit_id, need, **bounds):
    return {"id": unit_id, "need": need, **bounds}


def seats_by_id(result):
    return {row["id"]: row["seats"] for row in result}


def test_exact_proportions_are_kept():
    result = apportion(10, [make_unit("A", 5), make_unit("B", 3), make_unit("C", 2)])
    assert seats_by_id(result) == {"A": 5, "B": 3, "C": 2}


def test_largest_remainder_gets_the_odd_seat_and_ties_go_to_the_earlier_unit():
    result = apportion(10, [make_unit("A", 1), make_unit("B", 1), make_unit("C", 1)])
    assert seats_by_id(result) == {"A": 4, "B": 3, "C": 3}
    assert result[0]["share"] == pytest.approx(10 / 3, abs=1e-4)


def test_classic_largest_remainder_example():
    # Shares 4.5, 3.25, 2.25: floors 4 + 3 + 2 = 9, the last seat to the largest remainder (A).
    result = apportion(10, [make_unit("A", 18), make_unit("B", 13), make_unit("C", 9)])
    assert seats_by_id(result) == {"A": 5, "B": 3, "C": 2}


def test_maximum_clamps_a_unit_and_the_rest_is_resplit():
    result = apportion(100, [make_unit("A", 90, max=50), make_unit("B", 5), make_unit("C", 5, min=20)])
    assert seats_by_id(result) == {"A": 50, "B": 25, "C": 25}


def test_minimum_lifts_a_small_unit_and_the_others_share_the_rest():
    result = apportion(20, [make_unit("A", 1, min=5), make_unit("B", 10), make_unit("C", 9)])
    assert seats_by_id(result) == {"A": 5, "B": 8, "C": 7}


def test_units_without_need_get_their_minimum_then_the_overflow():
    result = apportion(10, [make_unit("A", 0, min=1), make_unit("B", 1, max=4), make_unit("C", 0)])
    assert seats_by_id(result) == {"A": 3, "B": 4, "C": 3}


def test_all_zero_need_splits_evenly():
    assert seats_by_id(apportion(7, [make_unit("A", 0), make_unit("B", 0)])) == {"A": 4, "B": 3}


def test_no_units_and_no_seats():
    assert apportion(0, []) == []
    assert seats_by_id(apportion(0, [make_unit("A", 3)])) == {"A": 0}


def test_fractional_needs_are_accepted():
    assert seats_by_id(apportion(4, [make_unit("A", 0.5), make_unit("B", 1.5)])) == {"A": 1, "B": 3}


def test_document_form_round_trip():
    doc = {"format": "trainhub-apportionment/1", "seats": 6,
           "units": [make_unit("C1", 2), make_unit("C2", 1, min=3)]}
    result = apportion_document(doc)
    assert result["format"] == "trainhub-apportionment-result/1"
    assert result["status"] == "optimal"
    assert seats_by_id(result["units"]) == {"C1": 3, "C2": 3}


@pytest.mark.parametrize(
    ("seats", "units", "message"),
    [
        (5, [make_unit("A", 1, min=3), make_unit("B", 1, min=3)], "minimums add up to 6"),
        (5, [make_unit("A", 1, max=2), make_unit("B", 1, max=2)], "maximums add up to 4"),
        (5, [make_unit("A", -1)], "unit A: need must not be negative"),
        (5, [make_unit("A", 1), make_unit("A", 2)], "unit A: duplicate id"),
        (5, [make_unit("A", "many")], "unit A: need must be a number"),
        (5, [make_unit("A", 1, min=3, max=2)], "unit A: max 2 is below min 3"),
        (5, [make_unit("A", 1, min=1.5)], "unit A: min must be a whole number"),
        (-1, [make_unit("A", 1)], "seats: must not be negative"),
        (2.5, [make_unit("A", 1)], "seats: expected a whole number"),
        (5, [{"need": 1}], "units[0]: id must be a non-empty string"),
        (5, "A", "units: expected a list"),
    ],
)
def test_bad_input_names_the_problem(seats, units, message):
    with pytest.raises(ProblemError, match=re.escape(message)):
        apportion(seats, units)


def test_bad_document_format():
    with pytest.raises(ProblemError, match="format"):
        apportion_document({"format": "trainhub-allocation/1", "seats": 1, "units": []})


# --- properties ---------------------------------------------------------------

unit_lists = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
        st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    ),
    min_size=1,
    max_size=12,
)


def build_units(raw):
    units = []
    for index, (need, low, high) in enumerate(raw):
        unit = make_unit(f"U{index}", need)
        if low is not None:
            unit["min"] = low
        if high is not None:
            unit["max"] = max(high, low or 0)
        units.append(unit)
    return units


@settings(max_examples=300, deadline=None)
@given(raw=unit_lists, seats=st.integers(min_value=0, max_value=400))
def test_sum_and_bounds_hold_whenever_feasible(raw, seats):
    units = build_units(raw)
    lows = sum(unit.get("min", 0) for unit in units)
    highs = math.inf if any("max" not in unit for unit in units) else sum(unit["max"] for unit in units)
    if not lows <= seats <= highs:
        with pytest.raises(ProblemError):
            apportion(seats, units)
        return
    result = apportion(seats, units)
    assert [row["id"] for row in result] == [unit["id"] for unit in units]
    assert sum(row["seats"] for row in result) == seats
    for unit, row in zip(units, result):
        assert row["seats"] >= unit.get("min", 0)
        assert row["seats"] <= unit.get("max", math.inf)
        # Bounded quota rule: the floor or the ceiling of the bounded share.
        assert math.floor(row["share"] - 1e-3) <= row["seats"] <= math.ceil(row["share"] + 1e-3)


@settings(max_examples=300, deadline=None)
@given(
    needs=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(lambda n: sum(n) > 0),
    seats=st.integers(min_value=0, max_value=400),
)
def test_quota_rule_without_binding_bounds(needs, seats):
    units = [make_unit(f"U{index}", need) for index, need in enumerate(needs)]
    result = apportion(seats, units)
    total = sum(needs)
    for need, row in zip(needs, result):
        quota = Fraction(seats * need, total)
        assert math.floor(quota) <= row["seats"] <= math.ceil(quota)


@settings(max_examples=200, deadline=None)
@given(
    needs=st.lists(st.integers(min_value=1, max_value=1000), min_size=2, max_size=10),
    seats=st.integers(min_value=0, max_value=300),
)
def test_more_need_never_means_fewer_seats(needs, seats):
    result = apportion(seats, [make_unit(f"U{index}", need) for index, need in enumerate(needs)])
    pairs = sorted(zip(needs, (row["seats"] for row in result)))
    for (need_a, seats_a), (need_b, seats_b) in zip(pairs, pairs[1:]):
        if need_a < need_b:
            assert seats_a <= seats_b


@settings(max_examples=100, deadline=None)
@given(raw=unit_lists, seats=st.integers(min_value=0, max_value=200))
def test_same_input_same_output(raw, seats):
    units = build_units(raw)
    try:
        first = apportion(seats, units)
    except ProblemError:
        return
    assert apportion(seats, units) == first
