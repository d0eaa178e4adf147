"""The JSON API: bearer tokens, the web's unit scoping, pagination, JSON errors, the OpenAPI document."""
from datetime import datetime

import pytest

from tests.conftest import login, make_teacher
from trainhub.api.models import ApiToken
from trainhub.extensions import db


def _token(user) -> str:
    _record, token = ApiToken.issue(user, "test")
    db.session.commit()
    return token


def _get(client, path, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", headers=headers, query_string=params)


def test_no_token_or_a_bad_one_answers_401_in_json(client, world):
    response = _get(client, "/teachers")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _get(client, "/teachers", "th_not-a-real-token").status_code == 401


def test_a_revoked_token_stops_working(client, world):
    record, token = ApiToken.issue(world["users"]["county_officer"], "test")
    db.session.commit()
    assert _get(client, "/teachers", token).status_code == 200
    record.revoked_at = datetime.utcnow()
    db.session.commit()
    assert _get(client, "/teachers", token).status_code == 401


def test_a_signed_in_browser_session_is_not_an_api_credential(client, world):
    login(client, world["users"]["province_admin"])
    assert _get(client, "/teachers").status_code == 401


def test_a_county_officers_token_sees_only_their_county(client, world):
    token = _token(world["users"]["county_officer"])
    body = _get(client, "/teachers", token).json
    assert [item["name"] for item in body["items"]] == ["张老师"] and body["total"] == 1
    assert body["items"][0]["id_number_masked"] == world["teacher_a"].id_number_masked
    assert world["teacher_a"].id_number not in str(body)
    assert _get(client, f"/teachers/{world['teacher_a'].id}", token).json["school_code"] == world["school_a"].code
    other = _get(client, f"/teachers/{world['teacher_b'].id}", token)
    assert other.status_code == 404 and other.json["error"]["code"] == "not_found"
    assert [item["code"] for item in _get(client, "/schools", token).json["items"]] == [world["school_a"].code]
    assert _get(client, f"/schools/{world['school_b'].id}", token).status_code == 404
    counties = _get(client, "/units", token, kind="county").json["items"]
    assert [unit["code"] for unit in counties] == [world["county_a"].code]


def test_a_school_administrators_token_sees_only_their_school(client, world):
    token = _token(world["users"]["school_admin"])
    assert [item["name"] for item in _get(client, "/teachers", token).json["items"]] == ["张老师"]


def test_roles_without_registry_access_are_refused(client, world):
    response = _get(client, "/teachers", _token(world["users"]["teacher"]))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_pagination_gives_totals_and_next_links(client, world):
    for n in range(4):
        make_teacher(world["school_a"], name=f"分页{n}")
    db.session.commit()
    token = _token(world["users"]["county_officer"])
    first = _get(client, "/teachers", token, per_page=2).json
    assert first["total"] == 5 and len(first["items"]) == 2 and first["prev"] is None
    assert "page=2" in first["next"] and "per_page=2" in first["next"]
    second = client.get(first["next"], headers={"Authorization": f"Bearer {token}"}).json
    assert second["page"] == 2 and len(second["items"]) == 2
    last = _get(client, "/teachers", token, page=3, per_page=2).json
    assert len(last["items"]) == 1 and last["next"] is None
    seen = [item["id"] for body in (first, second, last) for item in body["items"]]
    assert len(set(seen)) == 5


@pytest.mark.parametrize("params", [{"per_page": 201}, {"per_page": 0}, {"page": "x"},
                                    {"county": "abc"}, {"employment_type": "pirate"}])
def test_bad_parameters_answer_400_in_json(client, world, params):
    response = _get(client, "/teachers", _token(world["users"]["county_officer"]), **params)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    assert response.json["error"]["message"]


def test_filters_narrow_the_list(client, world):
    make_teacher(world["school_b"], name="特岗", employment_type="special_post")
    db.session.commit()
    token = _token(world["users"]["prefecture_admin"])
    in_b = _get(client, "/teachers", token, county=world["county_b"].id).json["items"]
    assert sorted(item["name"] for item in in_b) == ["李老师", "特岗"]
    special = _get(client, "/teachers", token, employment_type="special_post").json["items"]
    assert [item["name"] for item in special] == ["特岗"]


def test_unknown_paths_and_writes_answer_in_json(client, world):
    token = _token(world["users"]["county_officer"])
    assert _get(client, "/nothing-here", token).json["error"]["code"] == "not_found"
    response = client.post("/api/v1/teachers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405 and response.is_json


def test_openapi_document_lists_every_resource(client, world):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    for name in ("teachers", "schools", "units"):
        assert f"/{name}" in document["paths"] and f"/{name}/{{id}}" in document["paths"]
        assert document["components"]["schemas"][name.capitalize()]["type"] == "object"
    assert "id_number" not in document["components"]["schemas"]["Teachers"]["properties"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_document_describes_every_report_as_the_endpoint_answers_it(client, world):
    from trainhub.api.resources import REPORT_ENDPOINTS

    document = client.get("/api/v1/openapi.json").json
    assert REPORT_ENDPOINTS
    for name in REPORT_ENDPOINTS:
        operation = document["paths"][f"/reports/{name}"]["get"]
        assert {parameter["name"] for parameter in operation["parameters"]} >= {"unit", "year", "tier", "school"}
        assert {"200", "400", "401", "403"} <= set(operation["responses"])
    described = set(document["components"]["schemas"]["Report"]["properties"])
    token = _token(world["users"]["county_officer"])
    answer = _get(client, "/reports/quota-completion", token).json
    assert set(answer) == described


def test_the_command_line_creates_lists_and_revokes_tokens(app, client, world):
    runner = app.test_cli_runner()
    username = world["users"]["county_officer"].username
    result = runner.invoke(args=["api-token", "create", username, "--name", "reports"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("th_")
    assert _get(client, "/teachers", token).status_code == 200
    stored = db.session.scalars(db.select(ApiToken)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    listing = runner.invoke(args=["api-token", "list"]).output
    assert username in listing and token not in listing
    assert runner.invoke(args=["api-token", "revoke", str(stored.id)]).exit_code == 0
    assert _get(client, "/teachers", token).status_code == 401
    assert runner.invoke(args=["api-token", "create", "nobody"]).exit_code != 0
