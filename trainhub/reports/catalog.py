"""The reports: their parameters, and each one as a flat table for XLSX, CSV and the JSON API.

The web pages, the `report` command and the API read parameters through `read_params`, so a
bad year or tier gets the same answer everywhere: a notice (the web) or a refusal (API, command).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from trainhub import vocab
from trainhub.extensions import db
from trainhub.reports import services
from trainhub.schools.models import School, Unit
from trainhub.staffing.models import AllocationRun
from trainhub.training.models import Programme
from trainhub.training.vocab import TIERS

SCHOOL_TYPES = {
    "teaching_point": _l("Teaching point"),
    "small_rural": _l("Small rural school"),
    "rural": _l("Rural"),
    "town": _l("Town"),
    "urban": _l("Urban"),
}
TIER_CHOICES = {services.ALL_TIERS: _l("All tiers")} | TIERS


@dataclass
class Params:
    unit: Unit
    year: int
    today: date
    tier: str = services.ALL_TIERS
    school: School | None = None
    programme: Programme | None = None
    run: AllocationRun | None = None
    notices: list[str] = field(default_factory=list)

    def query_args(self) -> dict:
        """The parameters as query-string arguments (for links and exports)."""
        args = {"unit": self.unit.code, "year": self.year, "tier": self.tier}
        if self.school is not None:
            args["school"] = self.school.code
        if self.programme is not None:
            args["programme"] = self.programme.id
        if self.run is not None:
            args["run"] = self.run.id
        return args


def read_params(args, home_unit: Unit, home_school: School | None, today: date) -> Params:
    """Read unit, school, year, tier, programme and run from a mapping of strings.

    Anything that cannot be used is left at its default and explained in `notices`. Units,
    schools, programmes and runs are looked up through the session's scope: one outside the
    viewer's reach is "not found", like a code that does not exist.
    """
    params = Params(home_unit, today.year, today, school=home_school)
    raw_year = (args.get("year") or "").strip()
    if raw_year:
        if raw_year.isdigit() and services.FIRST_YEAR <= int(raw_year) <= services.LAST_YEAR:
            params.year = int(raw_year)
        else:
            params.notices.append(str(_l("“%(value)s” is not a year between %(first)d and %(last)d; showing %(year)d.",
                                         value=raw_year, first=services.FIRST_YEAR, last=services.LAST_YEAR,
                                         year=params.year)))
    raw_tier = (args.get("tier") or "").strip()
    if raw_tier:
        if raw_tier in TIER_CHOICES:
            params.tier = raw_tier
        else:
            params.notices.append(str(_l("“%(value)s” is not a training tier; showing all tiers.", value=raw_tier)))
    raw_unit = (args.get("unit") or "").strip()
    if raw_unit and raw_unit != home_unit.code:
        unit = db.session.scalars(sa.select(Unit).where(Unit.code == raw_unit, Unit.path.startswith(home_unit.path))
                                  .options(joinedload(Unit.parent))).first()  # the breadcrumb shows the parent
        if unit is None:
            params.notices.append(str(_l("There is no unit %(code)s within your reach; showing %(name)s.",
                                         code=raw_unit, name=home_unit.name)))
        else:
            params.unit, params.school = unit, home_school
    raw_school = (args.get("school") or "").strip()
    if raw_school and home_school is None:
        school = db.session.scalars(sa.select(School).where(School.code == raw_school)).first()
        if school is None or not school.county.path.startswith(params.unit.path):
            params.notices.append(str(_l("There is no school %(code)s within your reach.", code=raw_school)))
        else:
            params.unit, params.school = school.county, school
    params.programme = _by_id(Programme, args.get("programme"), params.notices,
                              _l("There is no programme %(value)s within your reach."))
    params.run = _by_id(AllocationRun, args.get("run"), params.notices,
                        _l("There is no approved run %(value)s within your reach; showing all approved runs."))
    if params.run is not None and params.run.approved_at is None:
        params.notices.append(str(_l("There is no approved run %(value)s within your reach; showing all approved runs.",
                                     value=params.run.id)))
        params.run = None
    return params


def _by_id(model, raw, notices: list[str], message):
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if not raw:
        return None
    found = None
    if str(raw).isdigit():
        found = db.session.scalars(sa.select(model).where(model.id == int(raw))).first()
    if found is None:
        notices.append(str(message) % {"value": raw})
    return found


# ---- flat tables --------------------------------------------------------------------------------

@dataclass
class Table:
    title: str
    headers: list[str]
    keys: list[str]  # JSON field names, one per header
    rows: list[list]

    def records(self) -> list[dict]:
        return [dict(zip(self.keys, row)) for row in self.rows]


def _percent(value: float | None):
    return None if value is None else round(100 * value, 1)


def _one(value: float) -> float:
    return round(value, 1)


def _level_label(level: str):
    return {"unit": _l("Unit"), "school": _l("School"), "teacher": _l("Teacher")}[level]


def quota_table(report: services.QuotaCompletion) -> Table:
    headers = [_level_label(report.level), _l("Code"), _l("Active teachers"), _l("Target (persons)"),
               _l("Persons trained"), _l("Person-times"), _l("Completion rate (%)"), _l("Rural persons"),
               _l("Rural share (%)"), _l("Rural target"), _l("Hours")]
    keys = ["name", "code", "teachers", "target", "persons", "person_times", "completion_rate", "rural_persons",
            "rural_share", "rural_target", "hours"]
    rows = [[row.name, row.code, row.teachers, row.target, row.persons, row.person_times,
             _percent(row.completion_rate), row.rural_persons, _percent(row.rural_share), row.rural_target,
             _one(row.hours)] for row in [*report.rows, report.total]]
    rows[-1][0] = f"{report.total.name}（{_l('total')}）"
    return Table(_l("Training-quota completion"), [str(h) for h in headers], keys, rows)


def seats_table(report: services.ProgrammeSeats) -> Table:
    headers = [_l("Unit or school"), _l("Seats given"), _l("Seats used"), _l("Seats returned"), _l("Seats unused"),
               _l("Use rate (%)"), _l("Completed")]
    keys = ["holder", "seats", "used", "returned", "unused", "use_rate", "completed"]
    rows = [[row.holder or str(_l("Total")), row.seats, row.used, row.returned, row.unused, _percent(row.use_rate),
             row.completed] for row in [*report.rows, report.total]]
    return Table(_l("Seat quotas of a programme"), [str(h) for h in headers], keys, rows)


def compliance_table(report: services.HoursCompliance) -> Table:
    headers = [_l("Breakdown"), _l("Group"), _l("Active teachers"), _l("On track for the cycle hours"),
               _l("Share on track (%)"), _l("On track for county-or-above hours"),
               _l("Share on track, county or above (%)"), _l("Average hours")]
    keys = ["breakdown", "group", "teachers", "on_track", "on_track_share", "county_on_track",
            "county_on_track_share", "average_hours"]
    rows = []
    sections = ((_level_label(report.level), report.by_unit, lambda row: row.name),
                (_l("School type"), report.by_school_type, lambda row: vocab.label(SCHOOL_TYPES, row.key)),
                (_l("Subject"), report.by_subject, lambda row: row.name),
                (_l("Total"), [report.total], lambda row: row.name))
    for section, items, name in sections:
        for row in items:
            rows.append([str(section), str(name(row)), row.teachers, row.on_track, _percent(row.on_track_share),
                         row.county_on_track, _percent(row.county_on_track_share),
                         None if row.average_hours is None else _one(row.average_hours)])
    return Table(_l("Five-year hours compliance"), [str(h) for h in headers], keys, rows)


def behind_table(rows: list[services.BehindRow]) -> Table:
    headers = [_l("Teacher"), _l("School"), _l("Subject"), _l("Hours in the cycle"), _l("Hours expected by now"),
               _l("Behind by"), _l("Hours still needed"), _l("County-or-above hours"),
               _l("County-or-above hours still needed")]
    keys = ["name", "school", "subject", "hours", "expected", "behind_by", "hours_needed", "county_or_above",
            "county_hours_needed"]
    return Table(_l("Teachers behind"), [str(h) for h in headers], keys,
                 [[row.name, row.school, row.subject_code, _one(row.hours), _one(row.expected), _one(row.behind_by),
                   _one(row.hours_needed), _one(row.county_or_above), _one(row.county_hours_needed)] for row in rows])


def shortage_table(report: services.StaffingShortage) -> Table:
    headers = [_l("Breakdown"), _l("Group"), _l("Required"), _l("Teachers before"), _l("Teachers after"),
               _l("Shortage before"), _l("Shortage after"), _l("Filled by the allocation")]
    keys = ["breakdown", "group", "required", "actual_before", "actual_after", "shortage_before", "shortage_after",
            "filled"]
    rows = []
    sections = ((_l("Stage"), report.by_stage, lambda row: vocab.label(vocab.STAGES, row.key)),
                (_l("Subject"), report.by_subject, lambda row: row.name),
                (_l("County"), report.by_county, lambda row: row.name),
                (_l("Total"), [report.total], lambda row: row.name))
    for section, items, name in sections:
        for row in items:
            rows.append([str(section), str(name(row)), _one(row.required), _one(row.actual_before),
                         _one(row.actual_after), _one(row.shortage_before), _one(row.shortage_after), _one(row.filled)])
    for row in report.scarce:
        rows.append([str(_l("Scarce subject: schools covered")), row.name, row.schools_needing, row.covered_before,
                     row.covered_after, row.schools_needing - row.covered_before,
                     row.schools_needing - row.covered_after, row.covered_after - row.covered_before])
    return Table(_l("Staffing shortage before and after allocation"), [str(h) for h in headers], keys, rows)


def terms_table(report: services.StaffingTerms) -> Table:
    headers = [_l("County"), _l("Code"), _l("Special-post terms ending"), _l("Support terms ending"),
               _l("Silver-age terms ending"), _l("Due to rotate"), _l("Minimum to rotate")]
    keys = ["name", "code", "special_post", "support", "silver_age", "rotation_eligible", "rotation_minimum"]
    rows = [[row.name, row.code, row.special_post, row.support, row.silver_age, row.rotation_eligible,
             row.rotation_minimum] for row in [*report.rows, report.total]]
    return Table(_l("Terms ending and rotations due next year"), [str(h) for h in headers], keys, rows)


# ---- the registry -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    name: str
    title: object  # a lazy string
    description: object
    build: Callable[[Params], object]
    table: Callable[[object], Table]
    needs_programme: bool = False


def _quota(params: Params):
    return services.quota_completion(params.unit, params.year, params.tier, params.school)


def _seats(params: Params):
    return services.programme_seats(params.programme, params.today) if params.programme else None


REPORTS: dict[str, Report] = {report.name: report for report in (
    Report("quota-completion", _l("Training-quota completion"),
           _l("Target against persons trained, person-times and rural share, per unit, tier and year."),
           _quota, quota_table),
    Report("programme-seats", _l("Seat quotas of a programme"),
           _l("Seats given to each unit or school, used and returned."), _seats, seats_table, needs_programme=True),
    Report("hours-compliance", _l("Five-year hours compliance"),
           _l("Share of teachers on track for the cycle's hours, by unit, school type and subject."),
           lambda p: services.hours_compliance(p.unit, p.year, p.today, p.school), compliance_table),
    Report("hours-behind", _l("Teachers behind on hours"),
           _l("Teachers below the pace line, with the hours they still need."),
           lambda p: services.teachers_behind(p.unit, p.year, p.today, p.school, limit=None), behind_table),
    Report("staffing-shortage", _l("Staffing shortage before and after allocation"),
           _l("Shortage by stage, subject and county, and scarce-subject coverage."),
           lambda p: services.staffing_shortage(p.unit, p.year, p.run), shortage_table),
    Report("staffing-terms", _l("Terms ending and rotations due"),
           _l("Special-post, support and silver-age terms ending next year; teachers due to rotate."),
           lambda p: services.staffing_terms(p.unit, p.year), terms_table),
)}


def build_table(name: str, params: Params) -> Table | None:
    """The report as one flat table, or None when a required parameter (a programme) is missing."""
    report = REPORTS[name]
    data = report.build(params)
    return None if data is None else report.table(data)


def file_name(name: str, params: Params, extension: str) -> str:
    scope = params.school.code if params.school is not None else params.unit.code
    suffix = "" if params.tier == services.ALL_TIERS or name != "quota-completion" else f"-{params.tier}"
    return f"{name}-{scope}-{params.year}{suffix}.{extension}"

