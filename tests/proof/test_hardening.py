"""Hardening: the content security policy, cookies, CSRF, sign-in throttling, password rules,
session renewal, and an audit record for every full ID number shown or exported."""
import csv
import io
import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.proof.conftest import PASSWORD, ROLES, row_counts, signed_in_client
from tests.proof.test_access_matrix import API, ENDPOINTS, REACH, _cases, _url, expected
from trainhub.accounts.models import AuditEvent, User
from trainhub.accounts.passwords import password_problem
from trainhub.extensions import db
from trainhub.scoping import set_scope

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
GET_CASES = [case for case in _cases() if case.values[2] == "GET" and ENDPOINTS.get(case.values[0], ENDPOINTS["api.openapi"]).need != API]


@pytest.fixture(scope="module")
def clients(proof_app, proof_world):
    clients = {"anonymous": proof_app.test_client()}
    for role in ROLES:
        clients[role] = signed_in_client(proof_app, proof_world["users"][role])
    return clients


@pytest.mark.parametrize("endpoint, rule_text, method", GET_CASES)
def test_every_html_page_has_a_strict_policy_and_no_inline_script(proof_world, clients, endpoint, rule_text,
                                                                    method):
    """Every role's view of every page: a CSP without 'unsafe-inline', no inline script, handler or style."""
    set_scope(db.session, None)
    access, problems = ENDPOINTS[endpoint], []
    for role, client in clients.items():
        url, _names_object = _url(rule_text, access, proof_world["variants"]["a"], endpoint)
        response = client.get(url)
        if not response.mimetype == "text/html":
            continue
        policy = response.headers.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy or "unsafe-inline" in policy or "unsafe-eval" in policy:
            problems.append(f"{role} {url}: policy {policy!r}")
        page = response.get_data(as_text=True)
        for name, pattern in (("inline script", INLINE_SCRIPT), ("inline handler", INLINE_HANDLER),
                              ("style attribute", STYLE_ATTRIBUTE)):
            found = pattern.search(page)
            if found:
                problems.append(f"{role} {url} ({response.status_code}): {name} {found.group(0)[:80]!r}")
        for header in ("X-Content-Type-Options", "X-Frame-Options"):
            if header not in response.headers:
                problems.append(f"{role} {url}: no {header}")
    assert not problems, "\n".join(problems)


def test_session_cookie_is_http_only_same_site_and_secure_when_configured(proof_app, proof_world):
    user = proof_world["users"]["inspector"]
    response = proof_app.test_client().post("/login", data={"username": user.username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    proof_app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = proof_app.test_client().post("/login", data={"username": user.username, "password": PASSWORD})
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        proof_app.config["SESSION_COOKIE_SECURE"] = False


POST_CASES = [case for case in _cases() if case.values[2] == "POST" and ENDPOINTS.get(case.values[0], ENDPOINTS["api.openapi"]).need != API]


def test_every_state_changing_request_needs_a_csrf_token(proof_app, proof_world, clients):
    """With CSRF on (as in production), every POST without a token is refused with 400 and writes nothing."""
    set_scope(db.session, None)
    problems = []
    proof_app.config["WTF_CSRF_ENABLED"] = True
    try:
        before = row_counts()
        for case in POST_CASES:
            endpoint, rule_text, _method = case.values
            url, _ = _url(rule_text, ENDPOINTS[endpoint], proof_world["variants"]["a"], endpoint)
            for role in ("anonymous", "province_admin", "county_officer", "teacher"):
                response = clients[role].post(url, data={})
                if response.status_code != 400:
                    problems.append(f"{role} POST {url}: {response.status_code}")
        assert row_counts() == before
    finally:
        proof_app.config["WTF_CSRF_ENABLED"] = False
    assert not problems, "\n".join(problems)


def test_repeated_failures_lock_the_account_and_an_unknown_name_reveals_nothing(proof_app, proof_world):
    user = make_throwaway_user(proof_world)
    client = proof_app.test_client()
    for _ in range(proof_app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/login", data={"username": user.username, "password": "wrong one"}).status_code == 200
    locked = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert locked.status_code == 200 and "锁定" in locked.get_data(as_text=True)
    unknown = client.post("/login", data={"username": "nobody-at-all", "password": "wrong one"})
    assert "用户名或密码错误" in unknown.get_data(as_text=True)


def make_throwaway_user(world) -> User:
    from tests.conftest import make_user

    set_scope(db.session, None)
    user = make_user("inspector", unit=world["prefecture"])
    db.session.commit()
    return user


@pytest.mark.parametrize("password, username, refused", [
    ("short1", "wang", True),
    ("1234567890123", "wang", True),
    ("wangxiaoming", "WangXiaoMing", True),
    ("correct horse 42", "wang", False),
    ("长城长城长城长城长城", "wang", False),
])
def test_password_rules(password, username, refused):
    assert (password_problem(password, username) is not None) == refused
    user = User(username=username, display_name="x", role="inspector")
    if refused:
        with pytest.raises(ValueError):
            user.set_password(password)
    else:
        user.set_password(password)


def test_create_user_refuses_a_password_of_digits_or_the_username(proof_app, proof_world):
    runner = proof_app.test_cli_runner()
    for username, password in (("digits", "12345678901"), ("samesame10", "samesame10")):
        result = runner.invoke(args=["create-user", username, "--role", "inspector", "--unit", "622900",
                                     "--password", password])
        assert result.exit_code != 0 and "password must not" in result.output
    assert db.session.scalar(sa.select(User.id).where(User.username.in_(("digits", "samesame10")))) is None


def test_signing_in_renews_the_session(proof_app, proof_world):
    """The cookie before sign-in (with a chosen language) is replaced, and the old one is not signed in."""
    user = proof_world["users"]["county_officer"]
    client = proof_app.test_client()
    client.post("/language/en", data={"next": "/login"})
    before = client.get_cookie("session").value
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    after = client.get_cookie("session").value
    assert after != before
    assert client.get("/").status_code == 200
    replay = proof_app.test_client()
    replay.set_cookie("session", before)
    assert replay.get("/").status_code == 302  # the pre-login cookie carries no sign-in


def _audit_count(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_every_full_id_display_and_export_is_audited(proof_app, proof_world, clients):
    set_scope(db.session, None)
    teacher = proof_world["variants"]["a"]["teacher"]
    client = clients["county_officer"]
    assert teacher.id_number not in client.get(f"/teachers/{teacher.id}").get_data(as_text=True)
    shown = _audit_count("id_number_shown")
    page = client.post(f"/teachers/{teacher.id}/id-number").get_data(as_text=True)
    assert teacher.id_number in page and _audit_count("id_number_shown") == shown + 1

    masked = client.get("/exports/teachers.csv").get_data(as_text=True)
    assert teacher.id_number not in masked and teacher.id_number_masked in masked
    exported = _audit_count("export_full_ids")
    full = client.post("/exports/teachers", data={"format": "csv", "full_ids": "y"})
    assert full.status_code == 200 and teacher.id_number in full.get_data(as_text=True)
    assert _audit_count("export_full_ids") == exported + 1
    refused = clients["inspector"].post("/exports/teachers", data={"format": "csv", "full_ids": "y"})
    assert refused.status_code == 403 and _audit_count("export_full_ids") == exported + 1


@pytest.mark.parametrize("role", ["county_officer", "inspector"])
def test_staffing_downloads_and_the_api_show_no_unaudited_full_id(proof_app, proof_world, clients, role):
    """Run documents, result workbooks and API answers carry masked (or no) ID numbers."""
    set_scope(db.session, None)
    variant = proof_world["variants"]["a"]
    full_numbers = {variant["teacher"].id_number, variant["candidate"].id_number}
    run = variant["run"]
    client = clients[role]
    bodies = []
    for url in (f"/staffing/runs/{run.id}/problem.json", f"/staffing/runs/{run.id}/result.json",
                f"/staffing/pools/{variant['pool'].id}", f"/staffing/runs/{run.id}",
                f"/training/programmes/{variant['programme'].id}", "/staffing/postings"):
        response = client.get(url)
        if response.status_code == 200:
            bodies.append((url, response.get_data(as_text=True)))
    response = client.get(f"/staffing/runs/{run.id}/result.xlsx")
    if response.status_code == 200:
        sheet_text = " ".join(str(cell) for sheet in load_workbook(io.BytesIO(response.data)).worksheets
                              for row in sheet.iter_rows(values_only=True) for cell in row)
        bodies.append(("result.xlsx", sheet_text))
    token = proof_world["tokens"][role]
    bodies.append(("api", proof_app.test_client().get(
        "/api/v1/teachers", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)))
    leaks = [url for url, body in bodies for number in full_numbers if number in body]
    assert not leaks, f"full ID numbers without an audit record in: {leaks}"
