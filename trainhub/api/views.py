"""Token authentication, the generic list and item endpoints, JSON errors and the OpenAPI document."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from trainhub.accounts.permissions import can
from trainhub.api.blueprint import bp
from trainhub.api.models import ApiToken, hash_token
from trainhub.api.openapi import openapi_document
from trainhub.api.resources import REPORT_ENDPOINTS, RESOURCES, Resource
from trainhub.extensions import db
from trainhub.scoping import Scope, get_or_404, set_scope
from trainhub.security import scope_for

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
_LAST_USED_EVERY = timedelta(minutes=5)  # note use now and then, not one write per request


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _json_error(status: int, code: str, message: str):
    response = jsonify({"error": {"status": status, "code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="trainhub"'
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return _json_error(error.status, error.code, error.message)


def _http_error(error: HTTPException):
    messages = {
        400: ("bad_request", _("The request could not be understood.")),
        403: ("forbidden", _("Your role does not allow this.")),
        404: ("not_found", _("Not found, or outside your unit.")),
        405: ("method_not_allowed", _("The API is read-only: use GET.")),
    }
    code, message = messages.get(error.code, ("error", error.description or ""))
    return _json_error(error.code or 500, code, message)


# Per status code: the app's HTML error pages are registered per code and would otherwise win.
for _status in (400, 403, 404, 405, 413):
    bp.register_error_handler(_status, _http_error)


@bp.before_request
def _authenticate():
    g.api_user = None
    if request.endpoint in ("api.openapi", "api.unknown_path"):
        return None
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", _("Send an API token: Authorization: Bearer <token>."))
    set_scope(db.session, None)  # tokens and their users are looked up for the system
    record = db.session.scalars(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()),
                                                          ApiToken.revoked_at.is_(None))).first()
    if record is None or not record.user.is_enabled:
        set_scope(db.session, Scope.nothing())
        raise ApiError(401, "unauthorized", _("The API token is unknown or revoked."))
    scope = scope_for(record.user)
    now = datetime.utcnow()
    if record.last_used_at is None or now - record.last_used_at > _LAST_USED_EVERY:
        record.last_used_at = now
        db.session.commit()
    set_scope(db.session, scope)
    g.api_user = record.user
    return None


def _resource(name: str) -> Resource:
    resource = RESOURCES.get(name)
    if resource is None:
        raise ApiError(404, "not_found", _("There is no resource called %(name)s.", name=name))
    if not can(resource.capability, g.api_user):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))
    return resource


def _int_arg(name: str, default: int, least: int, most: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", _("%(name)s must be a whole number.", name=name)) from None
    if value < least or (most is not None and value > most):
        raise ApiError(400, "bad_request", _("%(name)s must be between %(least)d and %(most)d.",
                                             name=name, least=least, most=most or 10**9))
    return value


@bp.get("/<name>")
def list_resource(name: str):
    resource = _resource(name)
    page = _int_arg("page", 1, 1, 10**6)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    select = resource.select()
    for item in resource.filters:
        raw = request.args.get(item.name)
        if raw is None or raw == "":
            continue
        value = _int_arg(item.name, 0, 1) if item.kind is int else raw
        if item.choices and value not in item.choices:
            raise ApiError(400, "bad_request", _("%(name)s must be one of: %(choices)s.",
                                                 name=item.name, choices=", ".join(item.choices)))
        select = item.narrow(select, resource.model, value)
    pagination = db.paginate(select, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    arguments = request.args.to_dict()

    def link(number):
        return url_for("api.list_resource", name=name, **(arguments | {"page": number, "per_page": per_page}),
                       _external=True)

    return jsonify({
        "items": [resource.serialize(item) for item in pagination.items],
        "page": page, "per_page": per_page, "total": pagination.total,
        "next": link(page + 1) if pagination.has_next else None,
        "prev": link(page - 1) if page > 1 else None,
    })


@bp.get("/<name>/<int:object_id>")
def get_resource(name: str, object_id: int):
    resource = _resource(name)
    return jsonify(resource.serialize(get_or_404(resource.model, object_id)))


@bp.get("/reports/<name>")
def report(name: str):
    endpoint = REPORT_ENDPOINTS.get(name)
    if endpoint is None:
        raise ApiError(404, "not_found", _("There is no report called %(name)s.", name=name))
    if not can(endpoint.capability, g.api_user):
        raise ApiError(403, "forbidden", _("Your role does not allow this."))
    document, problems = endpoint.build(request.args.to_dict(), g.api_user)
    if problems:
        raise ApiError(400, "bad_request", " ".join(problems))
    return jsonify(document)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(RESOURCES, url_for("api.openapi", _external=True).rsplit("/", 1)[0],
                                    REPORT_ENDPOINTS))


@bp.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(anything: str):
    if request.method != "GET":
        raise ApiError(405, "method_not_allowed", _("The API is read-only: use GET."))
    raise ApiError(404, "not_found", _("Not found, or outside your unit."))
