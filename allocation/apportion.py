"""Training-seat apportionment (名额分配): split a programme's seats among units.

Each unit gets seats in proportion to its weighted need, within its own
minimum and maximum, in whole seats, and the seats add up to those available.

Step 1 computes the bounded proportional shares: split the seats in
proportion to need, clamp every unit whose share falls outside its bounds to
that bound, and split what is left among the other units again, until no unit
is out of bounds. Step 2 rounds: every unit gets the floor of its share (or
its minimum, whichever is larger), and the remaining seats go one by one to
the largest fractional remainders among units still below their maximum.
When the bounds do not bind, every unit ends with the floor or the ceiling of
its plain proportional share (the quota rule).
"""
from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

from allocation.errors import ProblemError

DOCUMENT_FORMAT = "trainhub-apportionment/1"
RESULT_FORMAT = "trainhub-apportionment-result/1"
# Shares are reported rounded to this many decimals; the computation itself is exact.
SHARE_DECIMALS = 4


def apportion(seats: int, units: list[dict]) -> list[dict]:
    """Split seats among units in proportion to need within each unit's min and max.

    Return one {"id", "seats", "share"} per unit, in the input order; share is
    the bounded proportional share before rounding.
    """
    _check_seats(seats)
    ids, needs, lows, highs = _read_units(units)
    if sum(lows) > seats:
        raise ProblemError(f"units: the minimums add up to {sum(lows)}, more than the {seats} seats available")
    if all(high is not None for high in highs) and sum(highs) < seats:
        raise ProblemError(f"units: the maximums add up to {sum(highs)}, fewer than the {seats} seats available")
    shares = _bounded_shares(seats, needs, lows, highs)
    allocation = _round_largest_remainder(seats, shares, lows, highs)
    return [
        {"id": unit_id, "seats": count, "share": round(float(share), SHARE_DECIMALS)}
        for unit_id, count, share in zip(ids, allocation, shares)
    ]


def apportion_document(doc: dict) -> dict:
    """Apportion the seats of a problem document and return the result document."""
    if not isinstance(doc, dict):
        raise ProblemError("document: expected a JSON object")
    if doc.get("format") != DOCUMENT_FORMAT:
        raise ProblemError(f"format: expected {DOCUMENT_FORMAT!r}, got {doc.get('format')!r}")
    units = doc.get("units")
    if not isinstance(units, list):
        raise ProblemError("units: expected a list of objects")
    seats = doc.get("seats")
    allocation = apportion(seats, units)
    return {
        "format": RESULT_FORMAT,
        "status": "optimal",
        "seats": seats,
        "units": allocation,
    }


def _check_seats(seats) -> None:
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise ProblemError(f"seats: expected a whole number, got {seats!r}")
    if seats < 0:
        raise ProblemError(f"seats: must not be negative, got {seats}")


def _read_units(units) -> tuple[list[str], list[Fraction], list[int], list[int | None]]:
    """Validate the units and return their ids, needs, minimums and maximums."""
    if not isinstance(units, list):
        raise ProblemError("units: expected a list of objects")
    ids, needs, lows, highs = [], [], [], []
    seen = set()
    for position, unit in enumerate(units):
        if not isinstance(unit, dict):
            raise ProblemError(f"units[{position}]: expected an object")
        unit_id = unit.get("id")
        if not isinstance(unit_id, str) or not unit_id:
            raise ProblemError(f"units[{position}]: id must be a non-empty string")
        if unit_id in seen:
            raise ProblemError(f"unit {unit_id}: duplicate id")
        seen.add(unit_id)
        need = unit.get("need")
        if isinstance(need, bool) or not isinstance(need, Real) or not math.isfinite(need):
            raise ProblemError(f"unit {unit_id}: need must be a number, got {need!r}")
        if need < 0:
            raise ProblemError(f"unit {unit_id}: need must not be negative, got {need}")
        low = _bound(unit, unit_id, "min", 0)
        high = _bound(unit, unit_id, "max", None)
        if high is not None and high < low:
            raise ProblemError(f"unit {unit_id}: max {high} is below min {low}")
        ids.append(unit_id)
        needs.append(Fraction(need))
        lows.append(low)
        highs.append(high)
    return ids, needs, lows, highs


def _bound(unit: dict, unit_id: str, key: str, default: int | None) -> int | None:
    value = unit.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(f"unit {unit_id}: {key} must be a whole number, got {value!r}")
    if value < 0:
        raise ProblemError(f"unit {unit_id}: {key} must not be negative, got {value}")
    return value


def _bounded_shares(seats: int, needs, lows, highs) -> list[Fraction]:
    """Return share_i = clamp(factor * need_i, min_i, max_i) with the factor that makes them sum to seats.

    This is the proportional split with units clamped at their bounds and the
    rest re-split in proportion. The total is piecewise linear and increasing
    in the factor, so the factor is found exactly between two breakpoints.
    When every unit with need is at its maximum, the seats left go evenly to
    the units without need.
    """
    positive = [index for index, need in enumerate(needs) if need > 0]
    if not positive:
        return _bounded_shares(seats, [Fraction(1)] * len(needs), lows, highs) if needs else []

    def total(factor: Fraction) -> Fraction:
        return sum((_clamp(factor * needs[index], lows[index], highs[index]) for index in positive), Fraction(0)) \
            + sum((Fraction(lows[index]) for index in range(len(needs)) if index not in set(positive)), Fraction(0))

    breakpoints = sorted({Fraction(lows[index]) / needs[index] for index in positive}
                         | {Fraction(highs[index]) / needs[index] for index in positive if highs[index] is not None})
    shares = [Fraction(low) for low in lows]
    previous, previous_total = Fraction(0), total(Fraction(0))
    for point in breakpoints:
        point_total = total(point)
        if point_total >= seats:
            factor = previous if point_total == previous_total else \
                previous + (seats - previous_total) * (point - previous) / (point_total - previous_total)
            for index in positive:
                shares[index] = _clamp(factor * needs[index], lows[index], highs[index])
            return shares
        previous, previous_total = point, point_total
    open_need = sum((needs[index] for index in positive if highs[index] is None), Fraction(0))
    if open_need > 0:
        # Past the last breakpoint only the units without a maximum keep growing.
        factor = previous + (seats - previous_total) / open_need
        for index in positive:
            shares[index] = _clamp(factor * needs[index], lows[index], highs[index])
        return shares
    # Every unit with need is at its maximum: the rest goes evenly to the units without need.
    for index in positive:
        shares[index] = Fraction(highs[index])
    idle = [index for index in range(len(needs)) if needs[index] == 0]
    rest = seats - sum((shares[index] for index in positive), Fraction(0))
    idle_shares = _bounded_shares(
        int(rest) if rest.denominator == 1 else rest, [Fraction(1)] * len(idle),
        [lows[index] for index in idle], [highs[index] for index in idle],
    )
    for index, share in zip(idle, idle_shares):
        shares[index] = share
    return shares


def _clamp(value: Fraction, low: int, high: int | None) -> Fraction:
    if value < low:
        return Fraction(low)
    if high is not None and value > high:
        return Fraction(high)
    return value


def _round_largest_remainder(seats: int, shares, lows, highs) -> list[int]:
    """Round shares to whole seats: floors first, then the largest remainders, within bounds."""
    counts = [max(low, math.floor(share)) for share, low in zip(shares, lows)]
    counts = [count if high is None else min(count, high) for count, high in zip(counts, highs)]
    left = seats - sum(counts)
    # Hand out the remaining seats to the largest remainders; ties go to the earlier unit.
    order = sorted(range(len(shares)), key=lambda index: (-(shares[index] - counts[index]), index))
    while left > 0:
        progressed = False
        for index in order:
            if left == 0:
                break
            if highs[index] is None or counts[index] < highs[index]:
                counts[index] += 1
                left -= 1
                progressed = True
        if not progressed:
            raise ProblemError("units: the maximums leave no room for all the seats")
    return counts
