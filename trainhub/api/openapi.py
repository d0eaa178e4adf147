"""Describe the registered resources as an OpenAPI 3 document."""
from trainhub.api.resources import Resource

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi_document(resources: dict[str, Resource], server_url: str) -> dict:
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
        for item in resource.filters:
            schema = {"type": "integer"} if item.kind is int else {"type": "string"}
            if item.choices:
                schema["enum"] = list(item.choices)
            parameters.append({"name": item.name, "in": "query", "description": item.description, "schema": schema})
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
    return {
        "openapi": "3.0.3",
        "info": {"title": "TrainHub API", "version": "1",
                 "description": "Read-only access to the registry, limited to the token user's unit."},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
