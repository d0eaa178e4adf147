"""Report figures on tiny worlds, computed by hand."""
from datetime import date

import pytest

from tests.conftest import make_school, make_subject, make_teacher, make_unit
from tests.reports.conftest import YEAR, add_hours, approved_run
from trainhub.extensions import db
from trainhub.reports import services
from trainhub.scoping import Scope, set_scope
from trainhub.staffing.models import Posting


def test_quota_completion_by_county_counts_persons_and_person_times(completions):
    report = services.quota_completion(completions["prefecture"], YEAR)
    rows = {row.name: row for row in report.rows}
    county_a, county_b = rows["临夏县"], rows["康乐县"]
    assert (county_a.persons, county_a.person_times, county_a.rural_persons) == (2, 3, 1)
    assert county_a.target == 4 and county_a.completion_rate == 0.5 and county_a.rural_share == 0.5
    assert county_a.teachers == 2 and county_a.hours == 130
    assert (county_b.persons, county_b.person_times) == (0, 0)  # 2023 and evidence do not count
    assert (report.total.persons, report.total.target) == (2, 10)
    assert report.level == "unit"


def test_quota_completion_for_a_province_adds_up_its_counties_into_prefectures(completions):
    # A second prefecture with a county, a teacher and a completion: its own row, nothing of the first's.
    other = make_unit("prefecture", completions["province"], code="623000", name="甘南藏族自治州")
    other_county = make_unit("county", other, code="623001", name="合作市")
    add_hours(make_teacher(make_school(other_county, locality="urban"), name="赵老师"), "county", 20, date(YEAR, 6, 1))
    db.session.flush()
    report = services.quota_completion(completions["province"], YEAR)
    assert report.level == "unit"
    rows = {row.name: row for row in report.rows}
    assert set(rows) == {"临夏回族自治州", "甘南藏族自治州"}
    linxia, gannan = rows["临夏回族自治州"], rows["甘南藏族自治州"]
    assert (linxia.code, linxia.teachers, linxia.persons, linxia.person_times, linxia.rural_persons) == \
        ("622900", 3, 2, 3, 1)
    assert linxia.hours == 130 and linxia.target == 10
    assert (gannan.code, gannan.teachers, gannan.persons, gannan.rural_persons, gannan.hours) == ("623000", 1, 1, 0, 20)
    assert (report.total.teachers, report.total.persons) == (4, 3)
    # Seen from one county, the province's report has that county's prefecture only, with its figures.
    set_scope(db.session, Scope(unit_path=completions["county_b"].path, home_path=completions["county_b"].path))
    report = services.quota_completion(completions["province"], YEAR)
    assert [(row.name, row.teachers, row.persons) for row in report.rows] == [("临夏回族自治州", 1, 0)]


def test_quota_completion_counts_a_teacher_who_left_as_trained_but_not_as_active(completions):
    completions["urban_teacher"].status = "left"
    db.session.flush()
    report = services.quota_completion(completions["county_a"], YEAR)
    urban = next(row for row in report.rows if row.name == "临夏县城关小学")
    assert (urban.teachers, urban.persons, urban.person_times) == (0, 1, 1)
    by_teacher = services.quota_completion(completions["county_a"], YEAR, school=completions["urban"])
    assert [(row.name, row.teachers, row.persons) for row in by_teacher.rows] == [("王老师", 0, 1)]


def test_quota_completion_for_one_tier(completions):
    report = services.quota_completion(completions["prefecture"], YEAR, "provincial")
    county_a = next(row for row in report.rows if row.name == "临夏县")
    assert (county_a.persons, county_a.person_times, county_a.rural_persons) == (1, 1, 0)
    assert county_a.target is None  # the target is set for all tiers


def test_quota_completion_drills_down_to_schools_and_teachers(completions):
    by_school = services.quota_completion(completions["county_a"], YEAR)
    assert by_school.level == "school"
    assert {row.name: row.persons for row in by_school.rows} == {"临夏县第一小学": 1, "临夏县城关小学": 1}
    by_teacher = services.quota_completion(completions["county_a"], YEAR, school=completions["school_a"])
    assert by_teacher.level == "teacher"
    assert [(row.name, row.person_times, row.hours) for row in by_teacher.rows] == [("张老师", 2, 70.0)]


def test_quota_completion_is_limited_by_the_session_scope(completions):
    set_scope(db.session, Scope(unit_path=completions["county_b"].path, home_path=completions["county_b"].path))
    report = services.quota_completion(completions["prefecture"], YEAR)
    assert report.total.persons == 0 and report.total.teachers == 1
    set_scope(db.session, Scope(home_path=completions["county_a"].path, school_id=completions["urban"].id))
    report = services.quota_completion(completions["county_a"], YEAR)
    assert [(row.name, row.persons) for row in report.rows] == [("临夏县城关小学", 1)]


def test_pace_line_and_teachers_behind(world):
    """Cycle 2021-2025; as of 31 Dec 2023 the share is 1095/1826 days: 215.9 hours, 107.9 at county level or above."""
    a, b = world["teacher_a"], world["teacher_b"]
    add_hours(a, "county", 120, date(2022, 5, 1))
    add_hours(a, "school", 100, date(2023, 5, 1))
    add_hours(b, "school", 100, date(2023, 5, 1))
    add_hours(b, "county", 50, date(2024, 5, 1))  # after the as-of day
    new = make_teacher(world["school_b"], name="新老师", hire_date=date(2023, 1, 1))
    add_hours(new, "county", 80, date(2023, 6, 1))  # 365/1826 of the cycle: 72 and 36 hours expected
    db.session.flush()
    report = services.hours_compliance(world["prefecture"], 2023, today=date(2025, 3, 1))
    assert report.pace.as_of == date(2023, 12, 31)
    assert report.pace.expected_total == pytest.approx(360 * 1095 / 1826)
    rows = {row.name: row for row in report.by_unit}
    assert (rows["临夏县"].teachers, rows["临夏县"].on_track, rows["临夏县"].county_on_track) == (1, 1, 1)
    assert (rows["康乐县"].teachers, rows["康乐县"].on_track, rows["康乐县"].county_on_track) == (2, 1, 1)
    assert report.total.on_track_share == pytest.approx(2 / 3)
    assert [(row.key, row.teachers, row.on_track) for row in report.by_school_type] == [("rural", 3, 2)]
    behind = services.teachers_behind(world["prefecture"], 2023, today=date(2025, 3, 1))
    assert [(row.name, row.hours, row.hours_needed, row.county_hours_needed) for row in behind] == [
        ("李老师", 100.0, 260.0, 180.0)]
    assert behind[0].behind_by == pytest.approx(360 * 1095 / 1826 - 100)


def test_shortage_before_and_after_an_approved_posting(world):
    """190 primary pupils at 19 per staff member: 10 required; 7 teachers before, 8 after one posting."""
    math = make_subject()
    school = make_school(world["county_b"], name="康乐县第二小学", stages={"primary": (190, 6)})
    for _ in range(7):
        make_teacher(school, subject=math)
    recruit = make_teacher(school, subject=math, employment_type="special_post", term_end=date(YEAR + 1, 8, 31))
    run = approved_run(world["prefecture"])
    db.session.add(Posting(teacher_id=recruit.id, school_id=school.id, subject_id=math.id, stage="primary",
                           kind="special_post", start_date=date(YEAR, 9, 1), end_date=date(YEAR + 3, 8, 31),
                           status="active", run_id=run.id))
    db.session.flush()
    report = services.staffing_shortage(world["county_b"], YEAR)
    assert report.postings == 1
    county = report.by_county[0]
    # school_b: 300 pupils -> 16 required (15.8 rounded up), 1 teacher; the new school: 10 required.
    assert (county.required, county.actual_before, county.actual_after) == (26, 8, 9)
    assert (county.shortage_before, county.shortage_after, county.filled) == (18, 17, 1)
    primary = report.by_stage[0]
    assert primary.key == "primary" and primary.actual_before == pytest.approx(8) and primary.actual_after == 9
    terms = services.staffing_terms(world["county_b"], YEAR)
    assert [(row.name, row.special_post) for row in terms.rows] == [("康乐县", 1)]


def test_rotations_due_count_urban_teachers_with_enough_years(world):
    urban = make_school(world["county_a"], locality="urban")
    for since in (date(2010, 9, 1), date(2019, 9, 1), date(2020, 1, 1)):  # due by 1 Sep 2025 after 6 years: two
        make_teacher(urban, at_school_since=since)
    make_teacher(world["school_a"], at_school_since=date(2000, 9, 1))  # rural: not a source of rotation
    db.session.flush()
    terms = services.staffing_terms(world["prefecture"], YEAR)
    row = next(row for row in terms.rows if row.name == "临夏县")
    assert (row.rotation_eligible, row.rotation_minimum) == (2, 1)
