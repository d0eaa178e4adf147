"""Report queries: each report is a few grouped SQL queries, scoped like every ORM query.

The viewer's Scope on the session limits every SELECT here, so a county officer's report counts
only their county's teachers even when they ask about the prefecture above. Rows are grouped by
the level below the chosen one (prefecture -> counties -> schools -> teachers), never fetched per
unit or per teacher.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from trainhub.extensions import db
from trainhub.schools.models import STAGE_ORDER, School, Subject, Unit
from trainhub.staffing import services as staffing
from trainhub.staffing.models import AllocationRun, CandidatePool, Posting
from trainhub.teachers.models import Teacher
from trainhub.training.models import Enrolment, HoursRecord, Programme, SeatQuota, TrainingTarget
from trainhub.training.services import cycle_of
from trainhub.training.vocab import COUNTY_OR_ABOVE, setting

ALL_TIERS = "all"
FIRST_YEAR, LAST_YEAR = 2000, 2100
BEHIND_LIST_LIMIT = 500  # teachers shown on the page; exports carry all of them
# Rotations are counted at the start of the next school year (month, day).
ROTATION_SCHOOL_YEAR_START = (9, 1)


def child_kind(unit: Unit | None, school: School | None) -> str:
    """What the rows of a drill-down are: units, schools or teachers."""
    if school is not None:
        return "teacher"
    return "school" if unit.kind == "county" else "unit"


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _under(unit: Unit):
    """Criterion: the school's county lies in the unit's subtree."""
    return School.county_id.in_(sa.select(Unit.id).where(Unit.path.startswith(unit.path)))


def _grouping(unit: Unit, school: School | None):
    """Return (key column, name column, joins) that group teachers by the level below unit or school.

    `joins(select)` adds the joins (from Teacher) and the filter to the unit or school. Below a
    prefecture or province the key is the county, and the rows are summed into the units below
    afterwards (`_sum_into_child_units`): joining units on their paths in the grouped query misled
    the planner into nested loops over every teacher.
    """
    if school is not None:
        def joins(select):
            return select.where(Teacher.school_id == school.id)
        return Teacher.id, Teacher.name, joins
    if unit.kind == "county":
        def joins(select):
            return select.join(School, Teacher.school_id == School.id).where(School.county_id == unit.id)
        return School.id, School.name, joins

    county = aliased(Unit)

    def joins(select):
        return (select.join(School, Teacher.school_id == School.id).join(county, School.county_id == county.id)
                .where(county.path.startswith(unit.path)))
    return county.id, county.name, joins


# ---- 1. training-quota completion ------------------------------------------------------------

@dataclass
class CompletionRow:
    key: int | None
    name: str
    code: str = ""  # a unit or school code, for the drill-down link
    teachers: int = 0  # active teachers
    persons: int = 0  # distinct teachers who completed
    person_times: int = 0  # completions
    rural_persons: int = 0
    hours: float = 0.0
    target: int | None = None
    rural_target: int | None = None

    @property
    def completion_rate(self) -> float | None:
        return self.persons / self.target if self.target else None

    @property
    def rural_completion_rate(self) -> float | None:
        return self.rural_persons / self.rural_target if self.rural_target else None

    @property
    def rural_share(self) -> float | None:
        return self.rural_persons / self.persons if self.persons else None

    @property
    def coverage(self) -> float | None:
        return self.persons / self.teachers if self.teachers else None


@dataclass
class QuotaCompletion:
    unit: Unit
    school: School | None
    year: int
    tier: str
    level: str  # unit, school or teacher: what the rows are
    rows: list[CompletionRow]
    total: CompletionRow


def quota_completion(unit: Unit, year: int, tier: str = ALL_TIERS, school: School | None = None) -> QuotaCompletion:
    """Target against achievement for the units (or schools, or teachers) below `unit` (or `school`).

    One grouped query for headcount and completions together, one for the targets. Persons are
    distinct teachers with a completion of the tier in the year; they add up across rows because a
    teacher has one school.
    """
    key, name, joins = _grouping(unit, school)
    first, last = _year_range(year)
    # One row per teacher who completed: counting those rows needs no DISTINCT (which sorted every
    # completion of the year), and the headcount comes from the same pass over the teachers.
    per_teacher = (sa.select(HoursRecord.teacher_id, sa.func.count().label("times"),
                             sa.func.sum(HoursRecord.hours).label("hours"))
                   .where(HoursRecord.source == "completion", HoursRecord.day.between(first, last)))
    if tier != ALL_TIERS:
        per_teacher = per_teacher.where(HoursRecord.tier == tier)
    per_teacher = per_teacher.group_by(HoursRecord.teacher_id).subquery()
    completed = per_teacher.c.teacher_id
    figures = (sa.select(key, name, sa.func.count(sa.case((Teacher.status == "active", Teacher.id))),
                         sa.func.count(completed), sa.func.coalesce(sa.func.sum(per_teacher.c.times), 0),
                         sa.func.count(sa.case((School.locality == "rural", completed))),
                         sa.func.coalesce(sa.func.sum(per_teacher.c.hours), 0))
               .select_from(Teacher).outerjoin(per_teacher, completed == Teacher.id))
    if school is not None:  # the rural flag needs the school even when grouping by teacher
        figures = figures.join(School, Teacher.school_id == School.id)
    figures = joins(figures).group_by(key, name)

    rows: dict[int, CompletionRow] = {}
    for row_key, row_name, teachers, persons, times, rural_persons, hours in db.session.execute(figures):
        rows[row_key] = CompletionRow(row_key, row_name, teachers=teachers, persons=persons,
                                      person_times=int(times), rural_persons=rural_persons, hours=float(hours))
    level = child_kind(unit, school)
    if level == "unit":
        rows = _sum_into_child_units(rows, unit)
    elif level == "school":
        _code_rows(rows)
    # A unit whose teachers all left and never completed has no row.
    rows = {row_key: row for row_key, row in rows.items() if row.teachers or row.persons}

    total = CompletionRow(school.id if school else unit.id, school.name if school else unit.name,
                          school.code if school else unit.code,
                          teachers=sum(row.teachers for row in rows.values()),
                          persons=sum(row.persons for row in rows.values()),
                          person_times=sum(row.person_times for row in rows.values()),
                          rural_persons=sum(row.rural_persons for row in rows.values()),
                          hours=sum(row.hours for row in rows.values()))
    if school is None:
        unit_ids = [unit.id] + (list(rows) if level == "unit" else [])
        targets = db.session.execute(sa.select(TrainingTarget.unit_id, TrainingTarget.rural_only,
                                               TrainingTarget.persons)
                                     .where(TrainingTarget.unit_id.in_(unit_ids), TrainingTarget.year == year,
                                            TrainingTarget.tier == tier))
        for unit_id, rural_only, persons in targets:
            holder = total if unit_id == unit.id else rows.get(unit_id)
            if holder is not None:
                setattr(holder, "rural_target" if rural_only else "target", persons)
    ordered = sorted(rows.values(), key=lambda row: (row.code or "", row.name, row.key or 0))
    return QuotaCompletion(unit, school, year, tier, level, ordered, total)


def _sum_into_child_units(by_county: dict[int, CompletionRow], unit: Unit) -> dict[int, CompletionRow]:
    """Add up county rows into the units directly below `unit`, named and coded (for drill-down links).

    One query for the units of the subtree; the Unit query is scoped, so a unit the viewer may not
    see gets no row.
    """
    depth = unit.path.count("/")  # "/620000/622900/" -> 3; its children's paths have one more
    units = db.session.execute(sa.select(Unit.id, Unit.code, Unit.name, Unit.path)
                               .where(Unit.path.startswith(unit.path), Unit.id != unit.id)).all()
    children = {path: CompletionRow(unit_id, name, code) for unit_id, code, name, path in units
                if path.count("/") == depth + 1}
    path_of = {unit_id: path for unit_id, _code, _name, path in units}
    rows: dict[int, CompletionRow] = {}
    for county_id, county in by_county.items():
        child = children.get("/".join(path_of.get(county_id, "").split("/")[:depth + 1]) + "/")
        if child is None:
            continue
        child.teachers += county.teachers
        child.persons += county.persons
        child.person_times += county.person_times
        child.rural_persons += county.rural_persons
        child.hours += county.hours
        rows[child.key] = child
    return rows


def _code_rows(rows: dict[int, CompletionRow]) -> None:
    """Fill in school codes (for drill-down links): one query for all rows."""
    if not rows:
        return
    for school_id, code in db.session.execute(sa.select(School.id, School.code).where(School.id.in_(list(rows)))):
        rows[school_id].code = code


@dataclass
class SeatRow:
    holder: str
    seats: int
    used: int
    returned: int  # unused seats given back to the common pool on the release date
    completed: int

    @property
    def unused(self) -> int:
        return self.seats - self.used - self.returned

    @property
    def use_rate(self) -> float | None:
        return self.used / self.seats if self.seats else None


@dataclass
class ProgrammeSeats:
    programme: Programme
    rows: list[SeatRow]
    released: bool  # the quota release date has come

    @property
    def total(self) -> SeatRow:
        return SeatRow("", sum(r.seats for r in self.rows), sum(r.used for r in self.rows),
                       sum(r.returned for r in self.rows), sum(r.completed for r in self.rows))

    @property
    def open_seats(self) -> int:
        """Seats never split into quotas: anyone eligible may take them."""
        return max(self.programme.capacity - self.total.seats, 0)


def programme_seats(programme: Programme, today: date) -> ProgrammeSeats:
    """Seats given to each unit or school, used, returned; completions through each quota."""
    released = programme.quota_release_date is not None and programme.quota_release_date <= today
    completed = (sa.select(Enrolment.quota_id, sa.func.count(Enrolment.id))
                 .where(Enrolment.programme_id == programme.id, Enrolment.status == "completed")
                 .group_by(Enrolment.quota_id).subquery())
    holder = sa.func.coalesce(School.name, Unit.name)
    rows = db.session.execute(
        sa.select(holder, SeatQuota.seats, SeatQuota.seats_taken, sa.func.coalesce(completed.c[1], 0))
        .select_from(SeatQuota).outerjoin(Unit, SeatQuota.unit_id == Unit.id)
        .outerjoin(School, SeatQuota.school_id == School.id)
        .outerjoin(completed, completed.c.quota_id == SeatQuota.id)
        .where(SeatQuota.programme_id == programme.id).order_by(holder))
    return ProgrammeSeats(programme, [SeatRow(name, seats, used, seats - used if released else 0, done)
                                      for name, seats, used, done in rows], released)


def programmes_with_quotas(year: int) -> list[tuple[int, str, str]]:
    """(id, code, title) of the year's programmes that split seats, for the picker."""
    return db.session.execute(
        sa.select(Programme.id, Programme.code, Programme.title).where(
            Programme.year == year, Programme.id.in_(sa.select(SeatQuota.programme_id)))
        .order_by(Programme.code).limit(500)).all()


# ---- 2. five-year hours compliance -----------------------------------------------------------

SCHOOL_TYPES = ("teaching_point", "small_rural", "rural", "town", "urban")


def _epoch_seconds(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86400


@dataclass(frozen=True)
class Pace:
    """The line a teacher must be on: hours at least the requirement times the elapsed share.

    The share runs from the cycle's first day (or the hire date, for teachers hired during the
    cycle) to the as-of day, over the cycle's length.
    """

    cycle_start: date
    cycle_end: date
    as_of: date
    required_total: int
    required_county_or_above: int

    @property
    def elapsed_share(self) -> float:
        days = (self.cycle_end - self.cycle_start).days + 1
        return min(max(((self.as_of - self.cycle_start).days + 1) / days, 0.0), 1.0)

    @property
    def expected_total(self) -> float:
        return self.required_total * self.elapsed_share

    @property
    def expected_county_or_above(self) -> float:
        return self.required_county_or_above * self.elapsed_share

    def share_expression(self):
        """SQL: the elapsed share of the cycle for each teacher, from max(cycle start, hire date)."""
        cycle_seconds = ((self.cycle_end - self.cycle_start).days + 1) * 86400
        start = sa.case((Teacher.hire_date > self.cycle_start, sa.extract("epoch", Teacher.hire_date)),
                        else_=_epoch_seconds(self.cycle_start))
        elapsed = (_epoch_seconds(self.as_of) + 86400 - start) * (1.0 / cycle_seconds)
        return sa.case((elapsed > 1.0, 1.0), (elapsed < 0.0, 0.0), else_=elapsed)


def pace_for(year: int, today: date) -> Pace:
    cycle = cycle_of(year)
    as_of = min(max(today, cycle.start) if year >= today.year else date(year, 12, 31), cycle.end)
    return Pace(cycle.start, cycle.end, as_of, setting("TRAINING_CYCLE_HOURS"),
                setting("TRAINING_COUNTY_OR_ABOVE_HOURS"))


def _per_teacher(unit: Unit, school: School | None, pace: Pace):
    """Subquery: one row per active teacher with hours in the cycle up to the as-of day and the expected hours."""
    county_hours = sa.case((HoursRecord.tier.in_(COUNTY_OR_ABOVE), HoursRecord.hours), else_=0)
    share = pace.share_expression()
    query = (sa.select(Teacher.id.label("teacher_id"), Teacher.school_id.label("school_id"),
                       Teacher.subject_id.label("subject_id"),
                       sa.func.coalesce(sa.func.sum(HoursRecord.hours), 0).label("total"),
                       sa.func.coalesce(sa.func.sum(county_hours), 0).label("county_or_above"),
                       (share * pace.required_total).label("expected_total"),
                       (share * pace.required_county_or_above).label("expected_county"))
             .select_from(Teacher)
             .outerjoin(HoursRecord, sa.and_(HoursRecord.teacher_id == Teacher.id,
                                             HoursRecord.day.between(pace.cycle_start, pace.as_of)))
             .where(Teacher.status == "active"))
    query = query.where(Teacher.school_id == school.id) if school is not None else query.where(
        Teacher.school_id.in_(sa.select(School.id).where(_under(unit))))
    return query.group_by(Teacher.id, Teacher.school_id, Teacher.subject_id, Teacher.hire_date).subquery()


@dataclass
class ComplianceRow:
    key: object
    name: str
    code: str = ""
    teachers: int = 0
    on_track: int = 0
    county_on_track: int = 0
    hours: float = 0.0

    @property
    def on_track_share(self) -> float | None:
        return self.on_track / self.teachers if self.teachers else None

    @property
    def county_on_track_share(self) -> float | None:
        return self.county_on_track / self.teachers if self.teachers else None

    @property
    def average_hours(self) -> float | None:
        return self.hours / self.teachers if self.teachers else None


@dataclass
class HoursCompliance:
    unit: Unit
    school: School | None
    year: int
    pace: Pace
    by_unit: list[ComplianceRow]
    by_school_type: list[ComplianceRow]
    by_subject: list[ComplianceRow]
    total: ComplianceRow
    level: str


def _school_type():
    return sa.case((School.is_teaching_point.is_(True), "teaching_point"),
                   (School.is_small_rural.is_(True), "small_rural"), else_=School.locality)


def hours_compliance(unit: Unit, year: int, today: date, school: School | None = None) -> HoursCompliance:
    """Share of teachers on pace for the cycle's hours, by unit (or school), school type and subject."""
    pace = pace_for(year, today)
    per_teacher = _per_teacher(unit, school, pace)
    measures = (sa.func.count(),
                sa.func.sum(sa.case((per_teacher.c.total >= per_teacher.c.expected_total, 1), else_=0)),
                sa.func.sum(sa.case((per_teacher.c.county_or_above >= per_teacher.c.expected_county, 1), else_=0)),
                sa.func.sum(per_teacher.c.total))

    def grouped(keys, joins, rows_from):
        query = joins(sa.select(*keys, *measures).select_from(per_teacher)).group_by(*keys)
        return [rows_from(row[: len(keys)], ComplianceRow(None, "", teachers=row[-4], on_track=row[-3] or 0,
                                                          county_on_track=row[-2] or 0, hours=float(row[-1] or 0)))
                for row in db.session.execute(query)]

    def named(parts, row):
        row.key, row.name = parts[0], parts[1]
        row.code = parts[2] if len(parts) > 2 else ""
        return row

    level = child_kind(unit, school)
    school_join = School, per_teacher.c.school_id == School.id
    if level == "teacher":
        by_unit = grouped((Teacher.id, Teacher.name), lambda q: q.join(Teacher, per_teacher.c.teacher_id == Teacher.id),
                          named)
    elif level == "school":
        by_unit = grouped((School.id, School.name, School.code), lambda q: q.join(*school_join), named)
    else:
        county, child = aliased(Unit), aliased(Unit)
        by_unit = grouped((child.id, child.name, child.code), lambda q: q.join(*school_join)
                          .join(county, School.county_id == county.id)
                          .join(child, sa.and_(child.parent_id == unit.id, county.path.startswith(child.path))), named)
    school_type = _school_type()
    by_type = grouped((school_type,), lambda q: q.join(*school_join), lambda parts, row: named((parts[0], ""), row))
    by_type.sort(key=lambda row: SCHOOL_TYPES.index(row.key) if row.key in SCHOOL_TYPES else 99)
    by_subject = grouped((Subject.id, Subject.name_zh, Subject.code),
                         lambda q: q.join(Subject, per_teacher.c.subject_id == Subject.id), named)
    by_subject.sort(key=lambda row: -row.teachers)
    by_unit.sort(key=lambda row: (row.code, row.name))
    total = ComplianceRow(None, school.name if school else unit.name,
                          teachers=sum(r.teachers for r in by_unit), on_track=sum(r.on_track for r in by_unit),
                          county_on_track=sum(r.county_on_track for r in by_unit), hours=sum(r.hours for r in by_unit))
    return HoursCompliance(unit, school, year, pace, by_unit, by_type, by_subject, total, level)


@dataclass(frozen=True)
class BehindRow:
    teacher_id: int
    name: str
    school: str
    subject_code: str
    hours: float
    expected: float
    county_or_above: float
    expected_county: float
    required_total: int
    required_county: int

    @property
    def hours_needed(self) -> float:
        """Hours still needed to complete the cycle."""
        return max(self.required_total - self.hours, 0.0)

    @property
    def county_hours_needed(self) -> float:
        return max(self.required_county - self.county_or_above, 0.0)

    @property
    def behind_by(self) -> float:
        return max(self.expected - self.hours, 0.0)

    @property
    def needs_county_or_above(self) -> bool:
        return self.county_or_above < self.expected_county


def teachers_behind(unit: Unit, year: int, today: date, school: School | None = None,
                    limit: int | None = BEHIND_LIST_LIMIT) -> list[BehindRow]:
    """Teachers below the pace line (total or county-or-above), furthest behind first."""
    pace = pace_for(year, today)
    per_teacher = _per_teacher(unit, school, pace)
    gap = per_teacher.c.expected_total - per_teacher.c.total
    query = (sa.select(Teacher.id, Teacher.name, School.name, Subject.code, per_teacher.c.total,
                       per_teacher.c.expected_total, per_teacher.c.county_or_above, per_teacher.c.expected_county)
             .select_from(per_teacher).join(Teacher, per_teacher.c.teacher_id == Teacher.id)
             .join(School, per_teacher.c.school_id == School.id).join(Subject, per_teacher.c.subject_id == Subject.id)
             .where(sa.or_(per_teacher.c.total < per_teacher.c.expected_total,
                           per_teacher.c.county_or_above < per_teacher.c.expected_county))
             .order_by(gap.desc(), Teacher.id))
    if limit:
        query = query.limit(limit)
    return [BehindRow(row[0], row[1], row[2], row[3], float(row[4]), float(row[5]), float(row[6]), float(row[7]),
                      pace.required_total, pace.required_county_or_above) for row in db.session.execute(query)]


def open_programme_count(today: date) -> int:
    """Open programmes in the viewer's reach taking applications today."""
    return db.session.scalar(sa.select(sa.func.count(Programme.id)).where(
        Programme.status == "open", Programme.apply_from <= today, Programme.apply_until >= today))


# ---- 3. staffing: shortages before and after an approved allocation --------------------------

@dataclass
class ShortageRow:
    key: str
    name: str
    required: float = 0.0
    actual_before: float = 0.0
    actual_after: float = 0.0
    shortage_before: float = 0.0
    shortage_after: float = 0.0

    @property
    def filled(self) -> float:
        return self.shortage_before - self.shortage_after


@dataclass
class ScarceRow:
    code: str
    name: str
    schools_needing: int = 0
    covered_before: int = 0
    covered_after: int = 0

    @property
    def coverage_before(self) -> float | None:
        return self.covered_before / self.schools_needing if self.schools_needing else None

    @property
    def coverage_after(self) -> float | None:
        return self.covered_after / self.schools_needing if self.schools_needing else None


@dataclass
class StaffingShortage:
    unit: Unit
    year: int
    run: AllocationRun | None
    postings: int  # postings taken back to compute "before"
    by_stage: list[ShortageRow]
    by_subject: list[ShortageRow]
    by_county: list[ShortageRow]
    scarce: list[ScarceRow]
    total: ShortageRow


def approved_runs(year: int) -> list[AllocationRun]:
    """Approved runs of the year's pools in the viewer's reach, newest first."""
    return db.session.scalars(sa.select(AllocationRun).join(CandidatePool, AllocationRun.pool_id == CandidatePool.id)
                              .where(CandidatePool.year == year, AllocationRun.approved_at.is_not(None))
                              .order_by(AllocationRun.approved_at.desc())).all()


def _placed_by(run_ids: list[int]) -> list[tuple[int, int | None, int, int]]:
    """(school, home school or None, teacher's subject, count) of the runs' postings still in force."""
    if not run_ids:
        return []
    return db.session.execute(
        sa.select(Posting.school_id, Posting.home_school_id, Teacher.subject_id, sa.func.count(Posting.id))
        .join(Teacher, Posting.teacher_id == Teacher.id)
        .where(Posting.run_id.in_(run_ids), Posting.status != "ended", Teacher.status == "active")
        .group_by(Posting.school_id, Posting.home_school_id, Teacher.subject_id)).all()


def _without_postings(rows: list[staffing.SchoolStaffing], placed, codes: dict[int, str]):
    """The schools as they were before the postings: posted teachers back home (or not yet hired)."""
    change: dict[int, dict[str, int]] = {}
    for school_id, home_id, subject_id, count in placed:
        code = codes[subject_id]
        change.setdefault(school_id, {})[code] = change.get(school_id, {}).get(code, 0) - count
        if home_id is not None:
            change.setdefault(home_id, {})[code] = change.get(home_id, {}).get(code, 0) + count
    before = []
    for row in rows:
        delta = change.get(row.school.id)
        if not delta:
            before.append(row)
            continue
        actual = dict(row.actual_by_subject)
        for code, difference in delta.items():
            actual[code] = max(actual.get(code, 0) + difference, 0)
        copy = replace(row, actual_by_subject=actual, actual_by_stage={})
        total_need = sum(copy.required_by_stage.values())
        for stage, need in copy.required_by_stage.items():
            copy.actual_by_stage[stage] = copy.actual * need / total_need if total_need else 0.0
        before.append(copy)
    return before


def staffing_shortage(unit: Unit, year: int, run: AllocationRun | None = None) -> StaffingShortage:
    """Shortage by stage, subject and county now, and as it was before the approved postings.

    "After" is the registry as it stands (approval moves posted teachers); "before" takes the
    postings of the chosen run (or of every approved run of the year) back out.
    """
    after = staffing.school_staffing(staffing.schools_under(unit), year)
    run_ids = [run.id] if run is not None else [item.id for item in approved_runs(year)]
    placed = _placed_by(run_ids)
    subjects = db.session.execute(sa.select(Subject.id, Subject.code, Subject.name_zh)).all()
    codes = {subject_id: code for subject_id, code, _name in subjects}
    names = {code: name for _id, code, name in subjects}
    before = _without_postings(after, placed, codes)

    by_stage: dict[str, ShortageRow] = {}
    by_subject: dict[str, ShortageRow] = {}
    by_county: dict[int, ShortageRow] = {}
    scarce: dict[str, ScarceRow] = {}
    total = ShortageRow("", unit.name)
    for old, new in zip(before, after):
        county = by_county.setdefault(new.school.county_id, ShortageRow(new.school.county.code, new.school.county.name))
        for target in (county, total):
            target.required += new.required
            target.actual_before += old.actual
            target.actual_after += new.actual
            target.shortage_before += old.shortage
            target.shortage_after += new.shortage
        for (stage, required, actual_old, gap_old), (_s, _r, actual_new, gap_new) in zip(old.stage_rows(),
                                                                                         new.stage_rows()):
            row = by_stage.setdefault(stage, ShortageRow(stage, stage))
            row.required += required
            row.actual_before += actual_old
            row.actual_after += actual_new
            row.shortage_before += gap_old
            row.shortage_after += gap_new
        old_subjects = {code: (actual, gap) for code, _required, actual, gap in old.subject_rows()}
        for code, required, actual_new, gap_new in new.subject_rows():
            actual_old, gap_old = old_subjects.get(code, (0, 0.0))
            row = by_subject.setdefault(code, ShortageRow(code, names.get(code, code)))
            row.required += required
            row.actual_before += actual_old
            row.actual_after += actual_new
            row.shortage_before += gap_old
            row.shortage_after += gap_new
        needed = {code for (_stage, code), value in new.required_by_subject.items() if value > 0}
        for code in sorted(new.scarce_codes & needed):
            row = scarce.setdefault(code, ScarceRow(code, names.get(code, code)))
            row.schools_needing += 1
            row.covered_before += bool(old.actual_by_subject.get(code))
            row.covered_after += bool(new.actual_by_subject.get(code))
    return StaffingShortage(
        unit, year, run, sum(count for *_keys, count in placed),
        sorted(by_stage.values(), key=lambda row: STAGE_ORDER.get(row.key, 9)),
        sorted(by_subject.values(), key=lambda row: (-row.shortage_before, row.key)),
        sorted(by_county.values(), key=lambda row: row.key),
        sorted(scarce.values(), key=lambda row: row.code), total)


@dataclass
class TermsRow:
    key: int
    name: str
    code: str
    special_post: int = 0  # special-post terms ending: the permanent-post (入编) review
    support: int = 0
    silver_age: int = 0
    rotation_eligible: int = 0
    rotation_share: float = 0.0

    @property
    def rotation_minimum(self) -> int:
        """Teachers who must rotate: at least the province's share of those eligible."""
        return math.ceil(self.rotation_eligible * self.rotation_share - 1e-9)


@dataclass
class StaffingTerms:
    unit: Unit
    year: int  # the report's year; terms ending and rotations due are those of the next year
    rotation_years: int
    rows: list[TermsRow] = field(default_factory=list)

    @property
    def total(self) -> TermsRow:
        return TermsRow(0, self.unit.name, self.unit.code, sum(r.special_post for r in self.rows),
                        sum(r.support for r in self.rows), sum(r.silver_age for r in self.rows),
                        sum(r.rotation_eligible for r in self.rows), self.rows[0].rotation_share if self.rows else 0)


def staffing_terms(unit: Unit, year: int) -> StaffingTerms:
    """Per county: terms ending next year by kind, and teachers due to rotate at next school year's start."""
    norm = staffing.norm_for_path(unit.path)
    first, last = _year_range(year + 1)
    school_year = date(year + 1, *ROTATION_SCHOOL_YEAR_START)
    try:
        since = school_year.replace(year=school_year.year - norm.rotation_years)
    except ValueError:
        since = school_year.replace(year=school_year.year - norm.rotation_years, day=28)
    county = aliased(Unit)
    base = (sa.select(county.id, county.name, county.code).select_from(Teacher)
            .join(School, Teacher.school_id == School.id).join(county, School.county_id == county.id)
            .where(county.path.startswith(unit.path), Teacher.status == "active"))
    kinds = ("special_post", "support", "silver_age")
    ending = base.add_columns(*[sa.func.sum(sa.case((Teacher.employment_type == kind, 1), else_=0)) for kind in kinds])
    ending = ending.where(Teacher.term_end.between(first, last)).group_by(county.id, county.name, county.code)
    due = (base.add_columns(sa.func.count(Teacher.id))
           .where(Teacher.employment_type == "regular", School.locality.in_(("urban", "town")),
                  Teacher.at_school_since <= since).group_by(county.id, county.name, county.code))
    rows: dict[int, TermsRow] = {}
    for county_id, name, code, special_post, support, silver_age in db.session.execute(ending):
        rows[county_id] = TermsRow(county_id, name, code, int(special_post or 0), int(support or 0),
                                   int(silver_age or 0), rotation_share=norm.rotation_min_share)
    for county_id, name, code, count in db.session.execute(due):
        row = rows.setdefault(county_id, TermsRow(county_id, name, code, rotation_share=norm.rotation_min_share))
        row.rotation_eligible = count
    return StaffingTerms(unit, year, norm.rotation_years, sorted(rows.values(), key=lambda row: row.code))

