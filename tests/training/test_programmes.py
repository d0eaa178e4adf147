"""Creating programmes by tier, and who sees them."""
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import login, make_school, make_user
from tests.training.conftest import TODAY, make_programme
from trainhub.extensions import db
from trainhub.training.models import Programme


def _form(**overrides):
    start = TODAY + timedelta(days=40)
    return {
        "code": "lx-2025-01", "title": "临夏州班主任培训", "tier": "prefecture", "sub_project": "", "year": start.year,
        "mode": "face_to_face", "hours": "40", "capacity": "100", "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=4)).isoformat(), "apply_from": TODAY.isoformat(),
        "apply_until": (TODAY + timedelta(days=20)).isoformat(), "approval": "school",
    } | overrides


def test_prefecture_admin_creates_a_prefecture_programme_with_credits_from_the_mode_rate(client, world):
    login(client, world["users"]["prefecture_admin"])
    response = client.post("/training/programmes/new", data=_form())
    assert response.status_code == 302
    programme = db.session.scalars(sa.select(Programme)).one()
    assert programme.code == "LX-2025-01" and programme.status == "draft"
    assert programme.organiser_unit_id == world["prefecture"].id
    assert programme.credits == 4.0  # 40 face-to-face hours at 10 hours a credit


def test_credit_rate_is_a_setting(app, client, world):
    app.config["TRAINING_CREDIT_HOURS"] = {"face_to_face": 8}
    login(client, world["users"]["prefecture_admin"])
    client.post("/training/programmes/new", data=_form())
    assert db.session.scalars(sa.select(Programme)).one().credits == 5.0


def test_county_officer_cannot_create_a_prefecture_programme(client, world):
    login(client, world["users"]["county_officer"])
    response = client.post("/training/programmes/new", data=_form(tier="prefecture"))
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Programme.id))) == 0


def test_refuses_dates_in_the_wrong_order_and_writes_nothing(client, world):
    login(client, world["users"]["prefecture_admin"])
    response = client.post("/training/programmes/new", data=_form(apply_from=(TODAY + timedelta(days=30)).isoformat()))
    assert "The application window cannot close before it opens." in response.get_data(as_text=True) or \
        "申请截止日期不能早于开始日期" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Programme.id))) == 0


def test_unit_users_see_programmes_of_their_subtree_and_above_only(client, world):
    by_county_b = make_programme(world["county_b"], tier="county", title="康乐县培")
    by_province = make_programme(world["province"], tier="provincial", title="甘肃省乡村骨干教师能力提升培训")
    own_school = make_programme(school=world["school_a"], title="校本研修")
    other_school = make_programme(school=world["school_b"], title="别校校本")
    login(client, world["users"]["county_officer"])  # county A
    assert client.get(f"/training/programmes/{by_county_b.id}").status_code == 404
    assert client.get(f"/training/programmes/{by_province.id}").status_code == 200
    assert client.get(f"/training/programmes/{own_school.id}").status_code == 200
    listing = client.get("/training/").get_data(as_text=True)
    assert "甘肃省乡村骨干教师能力提升培训" in listing and "康乐县培" not in listing and "别校校本" not in listing
    assert client.get(f"/training/programmes/{other_school.id}").status_code == 404


def test_teacher_sees_programmes_above_their_school_in_my_training(client, world):
    make_programme(world["province"], tier="provincial", title="省培项目")
    make_programme(world["county_b"], tier="county", title="别县县培")
    make_programme(school=world["school_a"], title="本校校本研修")
    login(client, world["users"]["teacher"])
    page = client.get("/training/my").get_data(as_text=True)
    assert "省培项目" in page and "本校校本研修" in page and "别县县培" not in page
    assert client.get("/training/").status_code == 403


def test_only_the_organiser_edits(client, world):
    programme = make_programme(world["prefecture"])
    other = make_user("prefecture_admin", unit=world["prefecture"])
    login(client, world["users"]["county_officer"])
    assert client.get(f"/training/programmes/{programme.id}/edit").status_code == 403
    client.post("/logout")
    login(client, other)
    assert client.get(f"/training/programmes/{programme.id}/edit").status_code == 200


def test_opening_needs_a_session(client, world):
    login(client, world["users"]["prefecture_admin"])
    client.post("/training/programmes/new", data=_form())
    programme = db.session.scalars(sa.select(Programme)).one()
    client.post(f"/training/programmes/{programme.id}/status/open")
    db.session.refresh(programme)
    assert programme.status == "draft"
    client.post(f"/training/programmes/{programme.id}/sessions",
                data={"day": programme.start_date.isoformat(), "title": "开班", "hours": "8"})
    client.post(f"/training/programmes/{programme.id}/status/open")
    db.session.refresh(programme)
    assert programme.status == "open" and len(programme.sessions) == 1


def test_school_admin_creates_school_based_programme(client, world):
    login(client, world["users"]["school_admin"])
    client.post("/training/programmes/new", data=_form(tier="school", code="XB-1"))
    programme = db.session.scalars(sa.select(Programme)).one()
    assert programme.organiser_school_id == world["school_a"].id and programme.tier == "school"
    make_school(world["county_a"])  # another school in the county still sees nothing of it
