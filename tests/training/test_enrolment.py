"""Applying, nominating, approving, seats, quotas, the waitlist and its promotions."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, make_school, make_teacher, make_user
from tests.training.conftest import TODAY, make_programme
from trainhub.errors import UserError
from trainhub.extensions import db
from trainhub.training import services
from trainhub.training.models import Enrolment, Notification, SeatQuota


def _enrol(programme, teacher, user):
    return services.enrol(programme, teacher, user, TODAY)


def test_teacher_applies_and_takes_a_seat(client, world):
    programme = make_programme(world["prefecture"])
    login(client, world["users"]["teacher"])
    client.post(f"/training/programmes/{programme.id}/apply")
    enrolment = db.session.scalars(sa.select(Enrolment)).one()
    assert enrolment.status == "enrolled" and enrolment.teacher_id == world["teacher_a"].id
    db.session.refresh(programme)
    assert programme.seats_taken == 1


@pytest.mark.parametrize("overrides, expected", [
    ({"rural_only": True}, "rural"),
    ({"target_stages": ["senior"]}, "stages"),
    ({"target_roles": ["principal"]}, "Principals"),
    ({"apply_until": TODAY - timedelta(days=1), "apply_from": TODAY - timedelta(days=9)}, "Applications are accepted"),
    ({"status": "draft"}, "not open"),
])
def test_refusals_name_the_criterion_and_write_nothing(world, overrides, expected, app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    school = make_school(world["county_a"], locality="urban")
    teacher = make_teacher(school)
    programme = make_programme(world["prefecture"], **overrides)
    with app.test_request_context():
        with pytest.raises(UserError) as refused:
            _enrol(programme, teacher, world["users"]["prefecture_admin"])
        assert expected in str(refused.value.message)
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 0


def test_refuses_duplicates_and_overlapping_dates(world, app):
    teacher = world["teacher_a"]
    first = make_programme(world["prefecture"])
    overlapping = make_programme(world["province"], tier="provincial", start_date=first.start_date + timedelta(days=2))
    later = make_programme(world["province"], tier="provincial", start_date=first.end_date + timedelta(days=1))
    admin = world["users"]["prefecture_admin"]
    with app.test_request_context():
        _enrol(first, teacher, admin)
        with pytest.raises(UserError, match="already applied|已经报名"):
            _enrol(first, teacher, admin)
        with pytest.raises(UserError, match="overlapping|日期重叠"):
            _enrol(overlapping, teacher, world["users"]["province_admin"])
        assert _enrol(later, teacher, world["users"]["province_admin"]).status == "enrolled"


def test_full_programme_waitlists_and_a_withdrawal_promotes_with_a_notification(world, app):
    programme = make_programme(world["prefecture"], capacity=1)
    admin = world["users"]["prefecture_admin"]
    with app.test_request_context():
        first = _enrol(programme, world["teacher_a"], admin)
        second = _enrol(programme, world["teacher_b"], admin)
        assert (first.status, second.status, second.waitlist_reason) == ("enrolled", "waitlisted", "full")
        services.withdraw(first, "生病", admin, TODAY)
    assert first.status == "withdrawn" and second.status == "enrolled"
    assert programme.seats_taken == 1
    note = db.session.scalars(sa.select(Notification)).all()
    assert [n.teacher_id for n in note if n.message == "promoted"] == [world["teacher_b"].id]


def test_quota_of_a_county_is_enforced_and_freed_seats_go_to_a_unit_with_quota_left(world, app):
    programme = make_programme(world["prefecture"], capacity=4)
    admin = world["users"]["prefecture_admin"]
    db.session.add_all([SeatQuota(programme_id=programme.id, unit_id=world["county_a"].id, seats=1),
                        SeatQuota(programme_id=programme.id, unit_id=world["county_b"].id, seats=1)])
    db.session.flush()
    a2 = make_teacher(world["school_a"])
    b2 = make_teacher(world["school_b"])
    with app.test_request_context():
        a1 = _enrol(programme, world["teacher_a"], admin)
        a_wait = _enrol(programme, a2, admin)
        b1 = _enrol(programme, world["teacher_b"], admin)
        b_wait = _enrol(programme, b2, admin)
        # One seat each is reserved for the two counties; the other two are a common pool.
        assert [e.status for e in (a1, a_wait, b1, b_wait)] == ["enrolled", "enrolled", "enrolled", "enrolled"]
        third_a = make_teacher(world["school_a"])
        waiting = _enrol(programme, third_a, admin)
        assert waiting.status == "waitlisted" and waiting.waitlist_reason == "full"
        services.reject(b1, "不符合条件", admin, TODAY)
        # County B's quota seat is free, but only county B may take it before the release date.
        assert waiting.status == "waitlisted"
    quotas = {q.unit_id: q.seats_taken for q in db.session.scalars(sa.select(SeatQuota))}
    assert quotas == {world["county_a"].id: 1, world["county_b"].id: 0}


def test_unused_quota_seats_return_to_the_pool_on_the_release_date(world, app):
    programme = make_programme(world["prefecture"], capacity=2, quota_release_date=TODAY + timedelta(days=3))
    db.session.add_all([SeatQuota(programme_id=programme.id, unit_id=world["county_a"].id, seats=1),
                        SeatQuota(programme_id=programme.id, unit_id=world["county_b"].id, seats=1)])
    db.session.flush()
    admin = world["users"]["prefecture_admin"]
    with app.test_request_context():
        _enrol(programme, world["teacher_a"], admin)
        second_a = _enrol(programme, make_teacher(world["school_a"]), admin)
        assert second_a.waitlist_reason == "quota"
        assert services.release_quotas(TODAY) == 0
        assert services.release_quotas(TODAY + timedelta(days=3)) == 1
    assert second_a.status == "enrolled" and programme.seats_taken == 2


def test_county_officer_sees_and_approves_only_their_county(client, world):
    programme = make_programme(world["prefecture"], approval="school_county")
    for teacher in (world["teacher_a"], world["teacher_b"]):
        login_user = make_user("teacher", teacher=teacher) if teacher is world["teacher_b"] else world["users"]["teacher"]
        db.session.add(services.Enrolment(programme=programme, teacher=teacher, status="applied"))
    db.session.commit()
    mine, theirs = db.session.scalars(sa.select(Enrolment).order_by(Enrolment.id)).all()
    login(client, world["users"]["county_officer"])
    page = client.get(f"/training/programmes/{programme.id}").get_data(as_text=True)
    assert "张老师" in page and "李老师" not in page
    assert client.post(f"/training/enrolments/{theirs.id}/approve").status_code == 404
    # The school has not approved yet; a county officer may stand in for it, then approve as county.
    client.post(f"/training/enrolments/{mine.id}/approve")
    db.session.refresh(mine)
    assert mine.school_approved_at is not None and mine.status == "applied"
    client.post(f"/training/enrolments/{mine.id}/approve")
    db.session.refresh(mine)
    assert mine.status == "enrolled"
    assert login_user is not None


def test_school_admin_cannot_give_the_county_approval(client, world):
    programme = make_programme(world["prefecture"], approval="school_county")
    login(client, world["users"]["school_admin"])
    client.post(f"/training/programmes/{programme.id}/nominate", data={"teacher_id": [world["teacher_a"].id]})
    enrolment = db.session.scalars(sa.select(Enrolment)).one()
    assert enrolment.school_approved_at is not None and enrolment.status == "applied"
    client.post(f"/training/enrolments/{enrolment.id}/approve")
    db.session.refresh(enrolment)
    assert enrolment.county_approved_at is None and enrolment.status == "applied"


def test_bulk_nomination_reports_each_refusal(client, world):
    programme = make_programme(world["prefecture"], rural_only=True)
    urban = make_teacher(make_school(world["county_a"], locality="urban"), name="城区老师")
    login(client, world["users"]["county_officer"])
    response = client.post(f"/training/programmes/{programme.id}/nominate",
                           data={"teacher_id": [world["teacher_a"].id, urban.id]}, follow_redirects=True)
    assert "城区老师" in response.get_data(as_text=True)
    assert [e.teacher_id for e in db.session.scalars(sa.select(Enrolment))] == [world["teacher_a"].id]


def test_teacher_sees_only_their_own_enrolments_and_certificates(client, world):
    programme = make_programme(world["prefecture"])
    db.session.add_all([Enrolment(programme=programme, teacher=world["teacher_a"], status="enrolled"),
                        Enrolment(programme=programme, teacher=world["teacher_b"], status="completed",
                                  certificate_no="PX-2025-000002")])
    db.session.commit()
    other = db.session.scalars(sa.select(Enrolment).where(Enrolment.teacher_id == world["teacher_b"].id)).one()
    login(client, world["users"]["teacher"])
    assert client.get(f"/training/certificates/{other.id}").status_code == 404
    assert client.post(f"/training/enrolments/{other.id}/withdraw", data={"reason": "x"}).status_code == 404
    assert client.get(f"/training/programmes/{programme.id}").status_code == 403


def test_teacher_withdraws_with_a_reason_only(client, world):
    programme = make_programme(world["prefecture"])
    login(client, world["users"]["teacher"])
    client.post(f"/training/programmes/{programme.id}/apply")
    enrolment = db.session.scalars(sa.select(Enrolment)).one()
    client.post(f"/training/enrolments/{enrolment.id}/withdraw", data={"reason": ""})
    db.session.refresh(enrolment)
    assert enrolment.status == "enrolled"
    client.post(f"/training/enrolments/{enrolment.id}/withdraw", data={"reason": "家中有事"})
    db.session.refresh(enrolment)
    db.session.refresh(programme)
    assert enrolment.status == "withdrawn" and programme.seats_taken == 0
