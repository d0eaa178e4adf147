"""Describe the registered resources and reports as an OpenAPI 3 document."""
from trainhub.api.resources import Filter, ReportEndpoint, Resource

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}
_REPORT = {"type": "object", "properties": {
    "report": {"type": "string"},
    "title": {"type": "string", "description": "In the token user's language"},
    "unit": {"type": "string", "description": "Code of the unit reported on"},
    "school": {"type": "string", "nullable": True, "description": "Code of the school reported on, if one"},
    "year": {"type": "integer"},
    "tier": {"type": "string"},
    "columns": {"type": "array", "description": "The keys of each item, in order, with their headers",
                "items": {"type": "object", "properties": {"key": {"type": "string"}, "label": {"type": "string"}}}},
    "items": {"type": "array", "description": "One object per row, keyed by the columns' keys",
              "items": {"type": "object", "additionalProperties": True}},
}}


def _parameter(item: Filter) -> dict:
    schema = {"type": "integer"} if item.kind is int else {"type": "string"}
    if item.choices:
        schema["enum"] = list(item.choices)
    return {"name": item.name, "in": "query", "description": item.description, "schema": schema}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi_document(resources: dict[str, Resource], server_url: str,
                     reports: dict[str, ReportEndpoint] | None = None) -> dict:
    paths, schemas = {}, {"Error": _ERROR}
    errors = {"401": _error_response("Missing, unknown or revoked token"),
              "403": _error_response("The token user's role may not read this")}
    for name, resource in sorted(resources.items()):
        schema_name = name.capitalize()
        schemas[schema_name] = resource.schema
        item_ref = {"$ref": f"#/components/schemas/{schema_name}"}
        parameters = [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
        ]
        parameters += [_parameter(item) for item in resource.filters]
        paths[f"/{name}"] = {"get": {
            "summary": f"List {name}", "description": resource.description, "operationId": f"list_{name}",
            "parameters": parameters,
            "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "items": {"type": "array", "items": item_ref}, "page": {"type": "integer"},
                    "per_page": {"type": "integer"}, "total": {"type": "integer"},
                    "next": {"type": "string", "nullable": True}, "prev": {"type": "string", "nullable": True}}}}}},
                "400": _error_response("A parameter is not valid"), **errors},
        }}
        paths[f"/{name}/{{id}}"] = {"get": {
            "summary": f"One of {name}", "operationId": f"get_{name}",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "Found", "content": {"application/json": {"schema": item_ref}}},
                          "404": _error_response("Not found, or outside the token user's unit"), **errors},
        }}
    if reports:
        schemas["Report"] = _REPORT
    for name, report in sorted((reports or {}).items()):
        paths[f"/reports/{name}"] = {"get": {
            "summary": f"Report {name}", "description": report.description, "operationId": f"report_{name}",
            "tags": ["reports"], "parameters": [_parameter(item) for item in report.parameters],
            "responses": {"200": {"description": "The report's rows", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Report"}}}},
                "400": _error_response("A parameter cannot be used (a year, tier, unit, school, programme "
                                       "or run that is not valid or not within reach)"),
                "404": _error_response("No such report"), **errors},
        }}
    return {
        "openapi": "3.0.3",
        "info": {"title": "TrainHub API", "version": "1",
                 "description": "Read-only access to the registry and the reports, limited to the token user's "
                                "unit."},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
