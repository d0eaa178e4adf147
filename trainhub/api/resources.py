"""The registry of API resources: adding one is a serializer, a schema and a `register` call.

    register(Resource("programmes", Programme, serialize_programme, PROGRAMME_SCHEMA,
                      filters=(Filter("tier", str, "Training tier"),)))

gives GET /api/v1/programmes (paginated, filtered) and GET /api/v1/programmes/<id>, both scoped
to the token's user like every query, and their description in /api/v1/openapi.json.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Filter:
    """A query parameter that narrows a list: ?name=value.

    apply(select, value) returns the narrowed select; by default it compares the model's
    attribute of the same name (or `column`) with the value.
    """

    name: str
    kind: type  # int or str
    description: str
    column: str | None = None
    choices: tuple[str, ...] = ()
    apply: Callable | None = None

    def narrow(self, select: sa.Select, model: type, value) -> sa.Select:
        if self.apply is not None:
            return self.apply(select, value)
        return select.where(getattr(model, self.column or self.name) == value)


@dataclass(frozen=True)
class Resource:
    name: str  # the path segment: /api/v1/<name>
    model: type
    serialize: Callable[[object], dict]
    schema: dict  # OpenAPI schema of one item
    description: str = ""
    filters: tuple[Filter, ...] = ()
    options: tuple = ()  # loader options, so serializing a page runs no query per row
    capability: str = "view_registry"

    def select(self) -> sa.Select:
        return sa.select(self.model).options(*self.options).order_by(self.model.id)


RESOURCES: dict[str, Resource] = {}


def register(resource: Resource) -> Resource:
    RESOURCES[resource.name] = resource
    return resource


# The query parameters every report reads (trainhub.reports.catalog.read_params).
REPORT_PARAMETERS = (
    Filter("unit", str, "Code of a unit within the token user's reach; default: the user's own unit"),
    Filter("school", str, "Code of a school within reach: the report for that school"),
    Filter("year", int, "Year; default: the current year"),
    Filter("tier", str, "Training tier (national, provincial, prefecture, county, school) or all; default: all"),
    Filter("programme", int, "Programme id, for reports about one programme"),
    Filter("run", int, "Approved allocation run id, for staffing reports; default: all approved runs"),
)


@dataclass(frozen=True)
class ReportEndpoint:
    """A report's data at GET /api/v1/reports/<name>.

    build(args, user) returns (document, problems): the JSON document, or the reasons the
    parameters cannot be used (answered with 400).
    """

    name: str
    build: Callable[[dict, object], tuple[dict | None, list[str]]]
    description: str = ""
    capability: str = "view_reports"
    parameters: tuple[Filter, ...] = REPORT_PARAMETERS


REPORT_ENDPOINTS: dict[str, ReportEndpoint] = {}


def register_report(endpoint: ReportEndpoint) -> ReportEndpoint:
    REPORT_ENDPOINTS[endpoint.name] = endpoint
    return endpoint
