"""The access matrix: every route of `app.url_map` x every role x an object inside and outside reach.

Each endpoint is classified in ENDPOINTS with what it needs: public, any signed-in user, or a
capability (the roles come from `CAPABILITIES`, so a change of a role's rights shows up here), the
kind of object its URL names, and any check the view makes after loading the object (the
organiser of a programme, say). From that the expected status follows:

    anonymous                      -> 302 to the sign-in page (200 for public pages)
    role without the capability    -> 403
    object outside the role's unit -> 404
    inside, but a later check fails -> 403
    inside and allowed             -> 200 for GET; 200, 302 or 400 for POST (empty form: no change)

A refused POST must also leave every table's row count unchanged. An endpoint missing from the
table fails `test_every_endpoint_is_classified`, so coverage cannot silently erode.
"""
import inspect
import re
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from tests.proof.conftest import ROLES, row_counts, signed_in_client
from trainhub.accounts.permissions import CAPABILITIES
from trainhub.extensions import db
from trainhub.scoping import set_scope

PUBLIC, SIGNED_IN, API = "public", "signed_in", "api"
VARIANTS = ("a", "b", "x")
# Which variants each role reaches: its own county (a) and, from the prefecture up, the sibling (b).
REACH = {"province_admin": {"a", "b"}, "prefecture_admin": {"a", "b"}, "inspector": {"a", "b"},
         "county_officer": {"a"}, "school_admin": {"a"}, "teacher": {"a"}}
# URL argument -> the kind of object it names in a variant of the world.
OBJECT_ARGS = {"school_id": "school", "teacher_id": "teacher", "programme_id": "programme",
               "enrolment_id": "enrolment", "session_id": "session", "pool_id": "pool", "run_id": "run",
               "post_id": "post", "rule_id": "rule", "plan_id": "plan"}
# Other URL arguments: one fixed, valid value.
PLAIN_ARGS = {"status": "bogus", "action": "withdraw", "what": "teachers", "file_format": "csv",
              "name": "teachers", "code": "zh_CN", "filename": "trainhub.css",
              "extension": "csv"}


@dataclass(frozen=True)
class Access:
    need: str  # PUBLIC, SIGNED_IN, API or a capability
    organiser: bool = False  # only the programme's organiser (403 for others who see it)
    then: tuple[str, ...] = ()  # after loading: any of these capabilities, else 403
    post_then: tuple[str, ...] = ()  # the same, for POST only
    signed_in_status: int | None = None  # what a signed-in user gets instead of 200 (login: 302)
    post_status: int = 302  # a public POST with an empty form
    args: dict = field(default_factory=dict)


ENDPOINTS = {
    "static": Access(PUBLIC),
    "bootstrap.static": Access(PUBLIC, args={"filename": "css/bootstrap.min.css"}),
    "accounts.login": Access(PUBLIC, signed_in_status=302, post_status=200),
    "accounts.set_language": Access(PUBLIC),
    "accounts.logout": Access(SIGNED_IN),
    "dashboard.index": Access(SIGNED_IN),
    # registry
    "schools.index": Access("view_registry"),
    "schools.detail": Access("view_registry"),
    "schools.create": Access("edit_schools"),
    "schools.edit": Access("edit_schools"),
    "teachers.index": Access("view_teachers"),
    "teachers.detail": Access("view_teachers"),
    "teachers.create": Access("edit_registry"),
    "teachers.edit": Access("edit_registry"),
    "teachers.show_id_number": Access("view_full_id"),
    # spreadsheet exchange
    "exchange.imports": Access("edit_registry"),
    "exchange.template": Access("edit_registry"),
    "exchange.check": Access("edit_registry"),
    "exchange.confirm": Access("edit_registry"),
    "exchange.exports_page": Access("view_registry"),
    "exchange.export": Access("view_registry"),
    "exchange.export_form": Access("view_registry"),
    # training
    "training.index": Access("view_training"),
    "training.new_programme": Access("manage_training"),
    "training.programme": Access("view_training"),
    "training.edit_programme": Access("manage_training", organiser=True),
    "training.programme_status": Access("manage_training", organiser=True),
    "training.add_session": Access("manage_training", organiser=True),
    "training.quotas": Access("manage_training", organiser=True),
    "training.results": Access("manage_training", organiser=True),
    "training.confirm_results": Access("manage_training", organiser=True),
    "training.results_template": Access("manage_training", organiser=True),
    "training.apply": Access("own_training"),
    "training.nominate": Access("manage_training"),
    "training.approve": Access("manage_training"),
    "training.end_enrolment": Access("see_training", then=("manage_training", "own_training")),
    "training.attendance": Access("manage_training"),
    "training.certificate": Access("see_training"),
    "training.teacher_hours": Access("view_training"),
    "training.targets": Access("view_training"),
    "training.my_training": Access("own_training"),
    "training.notifications": Access("own_training"),
    # staffing
    "staffing.shortages": Access("view_staffing"),
    "staffing.school": Access("view_staffing"),
    "staffing.norms": Access("edit_norms"),
    "staffing.scarce_subjects": Access("edit_norms"),
    "staffing.posts": Access("view_staffing"),
    "staffing.generate_posts": Access("manage_staffing"),
    "staffing.edit_post": Access("manage_staffing"),
    "staffing.pool_list": Access("view_allocations"),
    "staffing.create_pool": Access("manage_staffing"),
    "staffing.pool": Access("view_allocations"),
    "staffing.applicant_template": Access("manage_staffing"),
    "staffing.import_applicants": Access("manage_staffing"),
    "staffing.confirm_applicants": Access("manage_staffing"),
    "staffing.add_teachers": Access("manage_staffing"),
    "staffing.start_runs": Access("manage_staffing"),
    "staffing.compare": Access("view_allocations"),
    "staffing.import_problem": Access("manage_staffing"),
    "staffing.add_rule": Access("manage_staffing"),
    "staffing.delete_rule": Access("manage_staffing"),
    "staffing.runs": Access("view_allocations"),
    "staffing.run": Access("view_allocations"),
    "staffing.approve": Access("approve_runs"),
    "staffing.export_problem": Access("manage_staffing"),
    "staffing.export_result": Access("view_allocations"),
    "staffing.export_result_xlsx": Access("view_allocations"),
    "staffing.import_result": Access("manage_staffing"),
    "staffing.postings": Access("view_postings"),
    "staffing.retention": Access("view_allocations"),
    "staffing.obligations": Access("view_allocations"),
    "staffing.itinerant_plans": Access("view_allocations", post_then=("manage_staffing",)),
    "staffing.itinerant_plan": Access("view_allocations"),
    # reports (no object in the URL; units and schools chosen by query parameters, see test_hostile)
    "reports.index": Access("view_reports"),
    "reports.quota_completion": Access("view_reports"),
    "reports.programme_seats": Access("view_reports"),
    "reports.hours_compliance": Access("view_reports"),
    "reports.staffing": Access("view_reports"),
    "reports.export": Access("view_reports", args={"name": "quota-completion"}),
    # the JSON API: tested per resource in test_api_matrix
    "api.list_resource": Access(API),
    "api.get_resource": Access(API),
    "api.report": Access(API),
    "api.openapi": Access(API),
    "api.unknown_path": Access(API),
}


def _declared_capability(view) -> str | None:
    """The capability in the view's @requires(...) decorator, read from its source."""
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return None
    found = re.search(r'@requires\("([a-z_]+)"\)', source)
    if found:
        return found.group(1)
    return SIGNED_IN if "@login_required" in source else None


def test_the_table_agrees_with_the_views(proof_app):
    """A view whose @requires changed must be reclassified here (and its expectations reviewed)."""
    drift = []
    for endpoint, view in proof_app.view_functions.items():
        declared, access = _declared_capability(view), ENDPOINTS.get(endpoint)
        if access is not None and declared is not None and access.need != declared:
            drift.append(f"{endpoint}: the table says {access.need}, the view requires {declared}")
    assert not drift, "\n".join(drift)


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def _cases():
    """(endpoint, method) for every route in the app, built without a database."""
    from tests.conftest import _test_app

    app = _test_app("sqlite://")
    cases = []
    for rule in _rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            cases.append(pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}"))
    return cases


CASES = _cases()
# The API routes are requested with tokens by test_api_matrix below; the web matrix takes the rest.
WEB_CASES = [case for case in CASES if getattr(ENDPOINTS.get(case.values[0]), "need", None) != API]


def test_every_endpoint_is_classified(proof_app):
    missing = sorted({rule.endpoint for rule in proof_app.url_map.iter_rules()} - set(ENDPOINTS))
    assert not missing, f"classify these endpoints in ENDPOINTS: {missing}"
    stale = sorted(set(ENDPOINTS) - {rule.endpoint for rule in proof_app.url_map.iter_rules()})
    assert not stale, f"these endpoints no longer exist: {stale}"
    unknown = {access.need for access in ENDPOINTS.values()} - set(CAPABILITIES) - {PUBLIC, SIGNED_IN, API}
    assert not unknown, f"unknown capabilities: {unknown}"


@pytest.fixture(scope="module")
def clients(proof_app, proof_world):
    clients = {"anonymous": proof_app.test_client()}
    for role in ROLES:
        clients[role] = signed_in_client(proof_app, proof_world["users"][role])
    return clients


def _ensure_rule(variant: dict) -> int:
    """delete_rule removes its object: put it back before the next request."""
    from trainhub.staffing.models import PairRule

    rule = db.session.scalars(sa.select(PairRule).where(PairRule.pool_id == variant["pool"].id)).first()
    if rule is None:
        rule = PairRule(pool_id=variant["pool"].id, candidate_id=variant["candidate"].id,
                        post_id=variant["post"].id, kind="forbid", reason="测试")
        db.session.add(rule)
        db.session.commit()
    return rule.id


def _url(rule_text: str, access: Access, variant: dict, endpoint: str) -> tuple[str, bool]:
    """The URL with arguments from a variant; True if it names an object."""
    from flask import current_app, url_for

    rule = next(r for r in current_app.url_map.iter_rules() if r.rule == rule_text and r.endpoint == endpoint)
    values, names_object = {}, False
    for argument in rule.arguments:
        if argument in access.args:
            values[argument] = access.args[argument]
        elif argument in OBJECT_ARGS:
            kind = OBJECT_ARGS[argument]
            values[argument] = _ensure_rule(variant) if kind == "rule" else variant[kind].id
            names_object = True
        else:
            values[argument] = PLAIN_ARGS[argument]
    with current_app.test_request_context():
        return url_for(endpoint, **values), names_object


def _has(role: str, capabilities) -> bool:
    return any(role in CAPABILITIES[name] for name in capabilities)


def expected(access: Access, method: str, role: str, variant_key: str, names_object: bool) -> set[int]:
    if access.need == PUBLIC:
        if role != "anonymous" and access.signed_in_status:
            return {access.signed_in_status}
        return {200} if method == "GET" else {access.post_status}
    if role == "anonymous":
        return {302}
    if access.need != SIGNED_IN and not _has(role, [access.need]):
        return {403}
    if names_object and variant_key not in REACH[role]:
        return {404}
    if access.then and not _has(role, access.then):
        return {403}
    if method == "POST" and access.post_then and not _has(role, access.post_then):
        return {403}
    if access.organiser and not (role == "county_officer" and variant_key == "a"):
        return {403}
    return {200} if method == "GET" else {200, 302, 400}


@pytest.mark.parametrize("endpoint, rule_text, method", WEB_CASES)
def test_access(proof_app, proof_world, clients, endpoint, rule_text, method):
    access = ENDPOINTS.get(endpoint)
    if access is None:  # also reported, all at once, by test_every_endpoint_is_classified
        pytest.fail(f"{endpoint} is not classified in ENDPOINTS")
    set_scope(db.session, None)
    failures = []
    for variant_key in VARIANTS:
        variant = proof_world["variants"][variant_key]
        for role in ("anonymous", *ROLES):
            url, names_object = _url(rule_text, access, variant, endpoint)
            if not names_object and variant_key != "a":
                continue  # nothing differs between variants
            want = expected(access, method, role, variant_key, names_object)
            client = clients[role]
            if endpoint == "accounts.logout" and role != "anonymous":
                client = signed_in_client(proof_app, proof_world["users"][role])
            before = row_counts() if method == "POST" and not want & {200} else None
            response = client.open(url, method=method, data={})
            got = response.status_code
            if got not in want:
                failures.append(f"{role:16} {variant_key} {method} {url}: {got}, expected {sorted(want)}")
            elif got == 302 and role == "anonymous" and access.need != PUBLIC:
                if "/login" not in response.headers["Location"]:
                    failures.append(f"anonymous {url}: redirected to {response.headers['Location']}")
            if before is not None and got in (302, 403, 404) and want != {200, 302, 400}:
                after = row_counts()
                if after != before:
                    changed = {name: (before[name], after[name]) for name in after if after[name] != before[name]}
                    failures.append(f"{role:16} {variant_key} {method} {url}: refused but wrote {changed}")
    assert not failures, "\n".join(failures)


# ---- the JSON API ----------------------------------------------------------------------------------

API_OBJECTS = {"teachers": "teacher", "schools": "school", "units": "county"}


@pytest.mark.parametrize("resource", sorted(API_OBJECTS))
def test_api_matrix(proof_app, proof_world, resource):
    from trainhub.api.resources import RESOURCES

    assert set(RESOURCES) == set(API_OBJECTS), "classify every API resource in API_OBJECTS"
    capability = RESOURCES[resource].capability
    client = proof_app.test_client()
    failures = []
    for role in ("anonymous", *ROLES):
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {proof_world['tokens'][role]}"}
        allowed = role != "anonymous" and role in CAPABILITIES[capability]
        response = client.get(f"/api/v1/{resource}", headers=headers)
        want = 401 if role == "anonymous" else 200 if allowed else 403
        if response.status_code != want:
            failures.append(f"{role} list {resource}: {response.status_code}, expected {want}")
        if response.status_code == 200:
            ids = {item["id"] for item in response.get_json()["items"]}
            outside = proof_world["variants"]["x"][API_OBJECTS[resource]]
            if outside.id in ids:
                failures.append(f"{role} list {resource} shows an object of another province")
        for key in VARIANTS:
            obj = proof_world["variants"][key][API_OBJECTS[resource]]
            response = client.get(f"/api/v1/{resource}/{obj.id}", headers=headers)
            visible = key in REACH.get(role, set()) or (resource == "units" and role != "anonymous" and key == "a")
            want = 401 if role == "anonymous" else 403 if not allowed else 200 if visible else 404
            if response.status_code != want:
                failures.append(f"{role} get {resource} {key}: {response.status_code}, expected {want}")
            assert response.is_json
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/{resource}",
                                           headers={"Authorization": f"Bearer {proof_world['tokens']['province_admin']}"})
        if response.status_code != 405:
            failures.append(f"{method.upper()} /api/v1/{resource}: {response.status_code}, expected 405")
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/nothing/here").status_code in (401, 404)
    assert not failures, "\n".join(failures)


def test_api_reports(proof_app, proof_world):
    """Every report of the API: 401 without a token, 403 without the capability, nothing from outside."""
    from trainhub.api.resources import REPORT_ENDPOINTS

    client, failures = proof_app.test_client(), []
    outside = proof_world["variants"]["x"]
    for name, endpoint in sorted(REPORT_ENDPOINTS.items()):
        for role in ("anonymous", *ROLES):
            headers = {} if role == "anonymous" else {"Authorization": f"Bearer {proof_world['tokens'][role]}"}
            for query in ({}, {"unit": outside["county"].code}, {"programme": outside["programme"].id}):
                response = client.get(f"/api/v1/reports/{name}", headers=headers, query_string=query)
                allowed = role != "anonymous" and role in CAPABILITIES[endpoint.capability]
                want = {401} if role == "anonymous" else {200, 400} if allowed else {403}
                if response.status_code not in want or not response.is_json:
                    failures.append(f"{role} {name} {query}: {response.status_code}, expected {sorted(want)}")
                body = response.get_data(as_text=True)
                if outside["county"].name in body or outside["school"].name in body:
                    failures.append(f"{role} {name} {query}: shows another province's data")
    assert not failures, "\n".join(failures)
