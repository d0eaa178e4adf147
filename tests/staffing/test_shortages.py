"""Norms, shortages by stage and subject, and the grouped queries behind them."""
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.conftest import make_school, make_teacher
from tests.staffing.conftest import YEAR
from trainhub.accounts.models import AuditEvent
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.schools.models import Unit
from trainhub.staffing import services
from trainhub.staffing.models import StaffingNorm


def _row(rows, school):
    return next(row for row in rows if row.school.id == school.id)


def test_primary_school_norm_is_students_over_nineteen(staffed):
    rows = services.shortage_report(None, YEAR)
    row = _row(rows, staffed["school_a"])
    assert row.required_by_stage["primary"] == 300 / 19
    assert (row.required, row.actual, row.shortage) == (16, 1, 15)


def test_teaching_point_uses_the_class_ratio_when_larger(staffed):
    row = _row(services.shortage_report(None, YEAR), staffed["small"])
    assert row.required_by_stage["primary"] == 4 * 1.5  # 40 pupils / 19 would be only 2.1
    assert row.shortage == 6


def test_school_above_norm_has_no_shortage_and_lists_scarce_subjects_uncovered(staffed):
    row = _row(services.shortage_report(None, YEAR), staffed["urban"])
    assert (row.required, row.actual, row.shortage) == (20, 30, 0)
    assert row.uncovered_scarce == ["music"]


def test_shortage_by_subject_follows_the_curriculum_shares(staffed):
    row = _row(services.shortage_report(None, YEAR), staffed["school_a"])
    by_subject = {code: (required, actual, shortage) for code, required, actual, shortage in row.subject_rows()}
    assert by_subject["math"] == (round(300 / 19 * 0.15, 1), 1, round(300 / 19 * 0.15 - 1, 1))
    assert by_subject["music"][1] == 0


def test_province_norm_changes_the_requirement(staffed):
    norm = services.default_norm(staffed["province"].id)
    norm.students_per_staff_primary = 15.0
    db.session.add(norm)
    db.session.flush()
    row = _row(services.shortage_report(None, YEAR), staffed["school_a"])
    assert row.required == 20


def test_schools_furthest_below_norm_come_first(staffed):
    rows = services.shortage_report(staffed["prefecture"], YEAR)
    shares = [row.shortage_share for row in rows]
    assert shares == sorted(shares, reverse=True)
    assert rows[-1].school.id == staffed["urban"].id


def test_county_summary_counts_schools_lacking_a_scarce_subject(staffed):
    counties = services.summarise_by_county(services.shortage_report(staffed["prefecture"], YEAR))
    county_a = next(row for row in counties if row.unit.id == staffed["county_a"].id)
    assert county_a.schools == 2 and county_a.shortage == 21
    assert county_a.uncovered_scarce == {"music": 2}


def _count_queries(function):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_the_query_count_does_not_grow_with_the_number_of_schools(staffed):
    prefecture = staffed["prefecture"]
    db.session.expire_all()
    before = _count_queries(lambda: services.shortage_report(prefecture, YEAR))
    for _ in range(6):
        school = make_school(staffed["county_b"])
        make_teacher(school)
    db.session.commit()
    db.session.expire_all()
    after = _count_queries(lambda: services.shortage_report(prefecture, YEAR))
    assert after == before


def test_parse_shares_names_the_bad_line(staffed):
    assert services.parse_shares("math: 0.2\n\nmusic:0.1", {"math", "music"}) == {"math": 0.2, "music": 0.1}
    with pytest.raises(UserError, match="第 2 行"):
        services.parse_shares("math: 0.2\nmusic 0.1", {"math", "music"})
    with pytest.raises(UserError):
        services.parse_shares("math: 0.7\nmusic: 0.4", {"math", "music"})


def test_save_norm_is_audited_and_only_for_provinces(staffed):
    data = services.NormInput({"primary": 18, "junior": 13, "senior": 12}, {"primary": 1.7, "junior": 2.5},
                              services.DEFAULT_CURRICULUM_SHARES, 6, 0.1, 0.2, 30, 35, 65,
                              {"special_post": 3, "rotation": 1, "support": 1, "silver_age": 1})
    with pytest.raises(UserError):
        services.save_norm(staffed["county_a"], data, staffed["users"]["province_admin"])
    services.save_norm(staffed["province"], data, staffed["users"]["province_admin"])
    db.session.commit()
    assert db.session.scalar(sa.select(StaffingNorm.students_per_staff_primary)) == 18
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "staffing_norm_saved")) == 1
    assert db.session.get(Unit, staffed["province"].id).kind == "province"
