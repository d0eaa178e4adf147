"""Seats and quotas hold under parallel enrolments (PostgreSQL: real row locks and parallel sessions)."""
import threading

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL, make_school, make_teacher
from tests.training.conftest import TODAY, make_programme
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.training import services
from trainhub.training.models import Enrolment, Programme, SeatQuota
from trainhub.accounts.models import User

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        pytest.skip("needs TRAINHUB_TEST_DATABASE_URL pointing at PostgreSQL")


def _run_in_parallel(app, programme_id, teacher_ids, user_id):
    barrier = threading.Barrier(len(teacher_ids))
    failures = []

    def enrol(teacher_id):
        barrier.wait()  # all start together; each then waits for a pooled connection
        with app.test_request_context():  # its own app context, so its own session and connection
            try:
                programme = db.session.get(Programme, programme_id)
                teacher = db.session.get(services.Teacher, teacher_id)
                user = db.session.get(User, user_id)
                services.enrol(programme, teacher, user, TODAY)
                db.session.commit()
            except UserError as error:
                db.session.rollback()
                failures.append(str(error.message))
            except Exception as error:  # a bug: report it in the assertion below
                db.session.rollback()
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=enrol, args=(teacher_id,)) for teacher_id in teacher_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_forty_parallel_enrolments_fill_ten_seats_within_quotas(app, world):
    programme = make_programme(world["prefecture"], capacity=10)
    db.session.add_all([SeatQuota(programme_id=programme.id, unit_id=world["county_a"].id, seats=5),
                        SeatQuota(programme_id=programme.id, unit_id=world["county_b"].id, seats=5)])
    teachers = [make_teacher(world["school_a"]) for _ in range(20)] + [make_teacher(world["school_b"]) for _ in range(20)]
    db.session.commit()
    failures = _run_in_parallel(app, programme.id, [t.id for t in teachers], world["users"]["prefecture_admin"].id)
    db.session.expire_all()
    assert failures == []
    statuses = db.session.execute(sa.select(Enrolment.status, sa.func.count()).where(
        Enrolment.programme_id == programme.id).group_by(Enrolment.status)).all()
    assert dict(statuses) == {"enrolled": 10, "waitlisted": 30}
    per_county = dict(db.session.execute(
        sa.select(services.School.county_id, sa.func.count()).select_from(Enrolment)
        .join(services.Teacher, Enrolment.teacher_id == services.Teacher.id)
        .join(services.School, services.Teacher.school_id == services.School.id)
        .where(Enrolment.status == "enrolled").group_by(services.School.county_id)).all())
    assert per_county == {world["county_a"].id: 5, world["county_b"].id: 5}
    assert db.session.get(Programme, programme.id).seats_taken == 10
    assert sorted(q.seats_taken for q in db.session.scalars(sa.select(SeatQuota))) == [5, 5]


def test_parallel_duplicate_applications_leave_one_enrolment(app, world):
    programme = make_programme(world["prefecture"], capacity=10)
    db.session.commit()
    teacher_id = world["teacher_a"].id
    failures = _run_in_parallel(app, programme.id, [teacher_id] * 8, world["users"]["prefecture_admin"].id)
    db.session.expire_all()
    assert len(failures) == 7 and all("Exception" not in failure and "Error(" not in failure for failure in failures)
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 1
    assert db.session.get(Programme, programme.id).seats_taken == 1
