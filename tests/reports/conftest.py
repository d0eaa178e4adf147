"""Tiny worlds for the reports: hours records, targets, a posting, built by hand so the figures are known."""
from datetime import date, datetime

import pytest

from tests.conftest import make_school, make_teacher
from trainhub.extensions import db
from trainhub.scoping import set_scope
from trainhub.training.models import HoursRecord, TrainingTarget

YEAR = 2024


def add_hours(teacher, tier, hours, day, source="completion"):
    db.session.add(HoursRecord(teacher_id=teacher.id, tier=tier, hours=hours, day=day, source=source,
                               title="培训"))


@pytest.fixture
def completions(world):
    """county_a: teacher_a (rural) completes twice in 2024 and an urban teacher once; county_b: 2023 only.

    Targets: county_a 4 persons (all tiers, 2024); the prefecture 10.
    """
    urban = make_school(world["county_a"], name="临夏县城关小学", locality="urban")
    urban_teacher = make_teacher(urban, name="王老师")
    add_hours(world["teacher_a"], "county", 30, date(YEAR, 3, 1))
    add_hours(world["teacher_a"], "prefecture", 40, date(YEAR, 10, 1))
    add_hours(urban_teacher, "provincial", 60, date(YEAR, 8, 1))
    add_hours(world["teacher_b"], "county", 30, date(YEAR - 1, 11, 1))
    add_hours(world["teacher_b"], "county", 12, date(YEAR, 5, 1), source="evidence")  # not a completion
    db.session.add(TrainingTarget(unit_id=world["county_a"].id, tier="all", year=YEAR, persons=4))
    db.session.add(TrainingTarget(unit_id=world["prefecture"].id, tier="all", year=YEAR, persons=10))
    db.session.commit()
    set_scope(db.session, None)
    return world | {"urban": urban, "urban_teacher": urban_teacher}


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def approved_run(unit, year=YEAR):
    from trainhub.staffing.models import AllocationRun, CandidatePool

    pool = CandidatePool(unit_id=unit.id, kind="special_post", year=year, name="特岗", reference_date=date(year, 8, 31),
                         term_start=date(year, 9, 1), status="approved")
    db.session.add(pool)
    db.session.flush()
    run = AllocationRun(pool_id=pool.id, mechanism="merit", status="finished", approved_at=datetime(year, 8, 1))
    db.session.add(run)
    db.session.flush()
    return run
