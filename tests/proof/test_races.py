"""Races, proved on PostgreSQL: parallel sessions on real connections, in a forced order where it matters.

Each worker is a thread with its own app context (so its own session and connection). To make an
interleaving happen every time rather than now and then, the test holds a row lock on a
connection of its own while the workers start: each worker does its checks, then queues on the
lock, and PostgreSQL lets the queue through in order once the test lets go. Every connection
has a lock timeout and a statement timeout, and every thread is joined with a timeout, so a
deadlock fails the test instead of hanging it.
"""
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL, login, make_teacher
from tests.staffing.conftest import contest, request_context, staffed  # noqa: F401 (fixtures)
from tests.training.conftest import TODAY, make_programme
from trainhub.accounts.models import User
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.training import services
from trainhub.training.models import SEAT_HOLDING, Enrolment, Notification, Programme, SeatQuota

pytestmark = pytest.mark.postgres

JOIN_TIMEOUT = 60  # seconds for all workers together; far above what they need
QUEUE_PAUSE = 0.4  # seconds for a started worker to reach the lock it queues on


@pytest.fixture(autouse=True)
def _bounded_postgresql(app):
    """Skip without PostgreSQL; give every new connection a lock and a statement timeout."""
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        pytest.skip("needs TRAINHUB_TEST_DATABASE_URL pointing at PostgreSQL")

    def _timeouts(connection, _record):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '10s'")
            cursor.execute("SET statement_timeout = '30s'")
        connection.commit()

    sa.event.listen(db.engine, "connect", _timeouts)
    db.session.remove()
    db.engine.dispose()  # connections opened from here on carry the timeouts
    yield
    sa.event.remove(db.engine, "connect", _timeouts)


@contextmanager
def _row_locked(table: str, row_id: int):
    """Hold a row lock (FOR UPDATE) on a connection of the test's own until the block ends."""
    with db.engine.connect() as connection:
        connection.execute(sa.text(f'SELECT id FROM "{table}" WHERE id = :id FOR UPDATE'), {"id": row_id})
        yield
        connection.rollback()


def _in_order(app, jobs, table: str, row_id: int) -> list:
    """Start each job in its own thread and app context while the row is locked; release; return outcomes.

    A job runs up to the lock and queues there; the next one starts QUEUE_PAUSE later, so the
    queue is in job order. An outcome is the job's return value, the text of a UserError, or
    the repr of any other exception (a bug, which the caller's assertions show).
    """
    outcomes = [None] * len(jobs)

    def work(index, job):
        with app.test_request_context():
            try:
                outcomes[index] = job()
                db.session.commit()
            except UserError as error:
                db.session.rollback()
                outcomes[index] = "refused: " + str(error.message)
            except Exception as error:  # noqa: BLE001 (reported in the outcomes)
                db.session.rollback()
                outcomes[index] = "error: " + repr(error)
            finally:
                db.session.remove()

    db.session.commit()
    threads = [threading.Thread(target=work, args=(index, job), daemon=True) for index, job in enumerate(jobs)]
    with _row_locked(table, row_id):
        for thread in threads:
            thread.start()
            time.sleep(QUEUE_PAUSE)
    deadline = time.monotonic() + JOIN_TIMEOUT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck: deadlock or lost wake-up"
    db.session.expire_all()
    return outcomes


def _client_job(app, user, method: str, path: str, data: dict | None = None):
    """A job that sends one request through the test client as the user (signed in beforehand)."""
    client = app.test_client()
    login(client, user)

    def job():
        response = client.open(path, method=method, data=data)
        with client.session_transaction() as session:
            flashes = [message for _category, message in session.pop("_flashes", [])]
        return response.status_code, flashes

    return job


# ---- (a) waitlist promotion ----------------------------------------------------------------------

def _withdraw(enrolment_id: int, user_id: int):
    def job():
        enrolment = db.session.get(Enrolment, enrolment_id)
        services.withdraw(enrolment, "因工作调动退出", db.session.get(User, user_id), TODAY)
        return "withdrawn"
    return job


def _apply(programme_id: int, teacher_id: int, user_id: int):
    def job():
        programme, teacher = db.session.get(Programme, programme_id), db.session.get(services.Teacher, teacher_id)
        enrolment = services.enrol(programme, teacher, db.session.get(User, user_id), TODAY)
        return enrolment.status
    return job


def _seat_books(programme_id: int) -> dict:
    """What the counters say beside what the enrolment rows say."""
    programme = db.session.get(Programme, programme_id)
    holding = db.session.scalars(sa.select(Enrolment).where(
        Enrolment.programme_id == programme_id, Enrolment.status.in_(SEAT_HOLDING))).all()
    quotas = db.session.scalars(sa.select(SeatQuota).where(SeatQuota.programme_id == programme_id)).all()
    return {
        "counter": programme.seats_taken, "holding": len(holding), "capacity": programme.capacity,
        "quotas": {q.id: (q.seats_taken, sum(1 for e in holding if e.quota_id == q.id), q.seats) for q in quotas},
    }


def _assert_books_balance(programme_id: int) -> None:
    books = _seat_books(programme_id)
    assert books["counter"] == books["holding"] <= books["capacity"], books
    for taken, holding, seats in books["quotas"].values():
        assert taken == holding <= seats, books


@pytest.fixture
def full_programme(app, world):
    """Six seats, three per county, all taken; four teachers of each county on the waitlist, in order."""
    programme = make_programme(world["prefecture"], capacity=6)
    db.session.add_all([SeatQuota(programme_id=programme.id, unit_id=world["county_a"].id, seats=3),
                        SeatQuota(programme_id=programme.id, unit_id=world["county_b"].id, seats=3)])
    officer = world["users"]["prefecture_admin"]
    people = {}
    for county, school in (("a", world["school_a"]), ("b", world["school_b"])):
        people[f"enrolled_{county}"] = [make_teacher(school) for _ in range(3)]
        people[f"waiting_{county}"] = [make_teacher(school) for _ in range(4)]
        people[f"new_{county}"] = [make_teacher(school) for _ in range(2)]
    db.session.flush()
    for group in ("enrolled_a", "enrolled_b", "waiting_a", "waiting_b"):
        for teacher in people[group]:
            services.enrol(programme, teacher, officer, TODAY)
            db.session.flush()
    db.session.commit()
    enrolment_of = {e.teacher_id: e.id for e in db.session.scalars(sa.select(Enrolment))}
    assert [db.session.get(Enrolment, enrolment_of[t.id]).status for t in people["waiting_a"]] == ["waitlisted"] * 4
    return {"programme": programme, "officer": officer, "enrolment_of": enrolment_of} | people


def test_withdrawals_and_applications_at_once_keep_seats_quotas_and_waitlist_order(app, world, full_programme):
    fp = full_programme
    programme_id, officer_id, enrolment_of = fp["programme"].id, fp["officer"].id, fp["enrolment_of"]
    a1, a2, a3 = fp["enrolled_a"]
    b1, b2, b3 = fp["enrolled_b"]
    wa1, wa2, wa3, wa4 = fp["waiting_a"]
    wb1, wb2, wb3, wb4 = fp["waiting_b"]
    jobs = [
        _withdraw(enrolment_of[a1.id], officer_id),
        _apply(programme_id, fp["new_a"][0].id, officer_id),
        _withdraw(enrolment_of[a1.id], officer_id),  # the same withdrawal submitted twice
        _withdraw(enrolment_of[wa1.id], officer_id),  # read while waitlisted, promoted by the first withdrawal
        _withdraw(enrolment_of[b1.id], officer_id),
        _apply(programme_id, fp["new_b"][0].id, officer_id),
        _withdraw(enrolment_of[a2.id], officer_id),
        _apply(programme_id, fp["new_a"][1].id, officer_id),
        _apply(programme_id, fp["new_b"][1].id, officer_id),
    ]
    outcomes = _in_order(app, jobs, "programme", programme_id)

    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    assert outcomes.count("refused: 该报名已经结束。") == 1, outcomes  # the second of the twin withdrawals
    assert outcomes.count("waitlisted") == 4, outcomes  # newcomers queue behind the waitlist: no seat was free
    _assert_books_balance(programme_id)

    status = {teacher_id: db.session.get(Enrolment, enrolment_id).status
              for teacher_id, enrolment_id in db.session.execute(
                  sa.select(Enrolment.teacher_id, Enrolment.id).where(Enrolment.programme_id == programme_id))}
    enrolled = {teacher_id for teacher_id, s in status.items() if s == "enrolled"}
    # Three seats of county a were freed (a1, a2, and wa1's once promoted): wa2 and wa3 are next in line.
    # One seat of county b was freed (b1): wb1 takes it. Every quota is full again, nobody lost a seat.
    assert enrolled == {a3.id, wa2.id, wa3.id, b2.id, b3.id, wb1.id}
    assert {t.id for t in (wa4, wb2, wb3, wb4, *fp["new_a"], *fp["new_b"])} == {
        teacher_id for teacher_id, s in status.items() if s == "waitlisted"}

    promoted = db.session.scalars(sa.select(Notification.teacher_id).where(Notification.message == "promoted")).all()
    assert len(promoted) == len(set(promoted)), "someone was promoted twice"
    assert set(promoted) <= {wa1.id, wa2.id, wa3.id, wb1.id}
    assert {wa2.id, wa3.id, wb1.id} <= set(promoted)


def test_withdrawing_a_waitlisted_teacher_while_a_seat_frees_up_loses_no_seat(app, world, full_programme):
    """The waitlisted teacher's withdrawal is checked first and runs after the promotion it raced."""
    fp = full_programme
    enrolment_of, officer_id = fp["enrolment_of"], fp["officer"].id
    first_waiting = fp["waiting_a"][0]
    outcomes = _in_order(app, [_withdraw(enrolment_of[fp["enrolled_a"][0].id], officer_id),
                               _withdraw(enrolment_of[first_waiting.id], officer_id)],
                         "programme", fp["programme"].id)
    assert outcomes == ["withdrawn", "withdrawn"]
    _assert_books_balance(fp["programme"].id)
    second_waiting = fp["waiting_a"][1]
    assert db.session.get(Enrolment, enrolment_of[second_waiting.id]).status == "enrolled"


def test_the_same_approval_twice_at_once_takes_one_seat(app, world):
    programme = make_programme(world["prefecture"], capacity=5, approval="school")
    teacher_user = world["users"]["teacher"]
    with app.test_request_context():
        enrolment = services.enrol(programme, world["teacher_a"], teacher_user, TODAY)
    db.session.commit()
    school_admin_id = world["users"]["school_admin"].id

    def approve():
        services.approve(db.session.get(Enrolment, enrolment.id), db.session.get(User, school_admin_id), TODAY)
        return "approved"

    outcomes = _in_order(app, [approve, approve], "programme", programme.id)
    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    assert outcomes.count("approved") == 1, outcomes
    _assert_books_balance(programme.id)
    assert db.session.get(Programme, programme.id).seats_taken == 1


# ---- (b) double-submitted forms ------------------------------------------------------------------

def test_an_application_posted_twice_at_once_enrols_once(app, client, world):
    programme = make_programme(world["prefecture"], capacity=5)
    teacher = world["users"]["teacher"]
    path = f"/training/programmes/{programme.id}/apply"
    outcomes = _in_order(app, [_client_job(app, teacher, "POST", path), _client_job(app, teacher, "POST", path)],
                         "programme", programme.id)
    assert [status for status, _flashes in outcomes] == [302, 302]
    assert sorted(len(flashes) for _status, flashes in outcomes) == [1, 1]
    assert any("已经报名了这个项目" in flashes[0] for _status, flashes in outcomes), outcomes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1
    _assert_books_balance(programme.id)


def test_a_nomination_posted_twice_at_once_enrols_once(app, client, world):
    programme = make_programme(world["prefecture"], capacity=5)
    officer = world["users"]["county_officer"]
    path, data = f"/training/programmes/{programme.id}/nominate", {"teacher_id": str(world["teacher_a"].id)}
    outcomes = _in_order(app, [_client_job(app, officer, "POST", path, data),
                               _client_job(app, officer, "POST", path, data)], "programme", programme.id)
    assert [status for status, _flashes in outcomes] == [302, 302]
    assert any("已经报名了这个项目" in flashes[0] for _status, flashes in outcomes), outcomes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 1
    _assert_books_balance(programme.id)


def test_a_new_programme_posted_twice_at_once_is_saved_once_with_a_clear_message(app, client, world):
    """Both requests pass the code check, then queue on the organiser's row (the insert's foreign-key check)."""
    start = date.today() + timedelta(days=40)
    form = {"code": "GP2026-01", "title": "骨干教师研修", "tier": "prefecture", "year": str(start.year),
            "mode": "face_to_face", "hours": "24", "capacity": "30", "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=2)).isoformat(), "apply_from": date.today().isoformat(),
            "apply_until": (start - timedelta(days=5)).isoformat(), "approval": "none"}
    officer = world["users"]["prefecture_admin"]
    outcomes = _in_order(app, [_client_job(app, officer, "POST", "/training/programmes/new", form),
                               _client_job(app, officer, "POST", "/training/programmes/new", form)],
                         "unit", world["prefecture"].id)
    assert sorted(status for status, _flashes in outcomes) == [200, 302], outcomes  # the form again, not a 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 1


# ---- (c) approving allocation runs ---------------------------------------------------------------

def test_the_same_run_approved_twice_at_once_posts_once(app, contest):  # noqa: F811 (fixture)
    from tests.staffing.test_concurrency import _finished
    from trainhub.staffing import runs
    from trainhub.staffing.models import AllocationRun, Posting

    run_id = _finished(contest["pool"], "coverage")

    def approve():
        return len(runs.approve_run(db.session.get(AllocationRun, run_id), None))

    outcomes = _in_order(app, [approve, approve], "candidate_pool", contest["pool"].id)
    winners = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(winners) == 1, outcomes
    loser, = [outcome for outcome in outcomes if not isinstance(outcome, int)]
    assert loser.startswith("refused: "), loser
    assert "another officer" in loser or "其他工作人员" in loser, loser  # names this run, not "another run"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Posting)) == winners[0] > 0
    assert set(db.session.scalars(sa.select(Posting.run_id))) == {run_id}
