from tests.conftest import login, make_tree, make_user
from trainhub.accounts.models import AuditEvent
from trainhub.extensions import db
import sqlalchemy as sa


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page


def test_login_records_an_audit_event(app, client):
    province, *_ = make_tree()
    user = make_user("province_admin", unit=province)
    login(client, user)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.user_id == user.id)).all()
    assert actions == ["login"]


def test_wrong_password_is_refused_and_repeated_failures_lock_the_account(app, client):
    province, *_ = make_tree()
    user = make_user("province_admin", unit=province)
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = client.post("/login", data={"username": user.username, "password": "wrong"})
        assert response.status_code == 200
    # Locked now: even the right password is refused.
    response = client.post("/login", data={"username": user.username, "password": "correct horse 42"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.locked_until is not None


def test_pages_need_a_signed_in_user(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_responses_carry_a_content_security_policy(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_address_that_fails_too_often_is_refused_whatever_the_username(app, client):
    province, *_ = make_tree()
    user = make_user("province_admin", unit=province)
    db.session.commit()
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for attempt in range(3):
        client.post("/login", data={"username": f"nobody{attempt}", "password": "wrong"})
    # The right password for a real account is refused from this address now, and nothing signs in.
    response = client.post("/login", data={"username": user.username, "password": "correct horse 42"})
    assert response.status_code == 200
    assert "login_throttled" in db.session.scalars(sa.select(AuditEvent.action)).all()
    assert client.get("/").status_code == 302
