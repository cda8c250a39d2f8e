"""The OpenAPI document says what the API really answers, errors included.

FastAPI documents only its own validation-error shape; every error here is
`{"error": {"code", "message", "field"}}` (kit/errors.py), so the schema is rewritten to say
that, for every status an operation can answer. Clients generated from `/openapi.json` and the
schemathesis run in the tests then agree with the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, snake_case."},
                "message": {"type": "string", "description": "For people."},
                "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "value": {
                    "anyOf": [{"type": "string"}, {"type": "number"}],
                    "description": "Media checks: the value found in the file.",
                },
                "limit": {
                    "type": "string",
                    "description": "Media checks: what TikTok takes.",
                },
            },
        }
    },
}
ERROR_STATUSES = {
    "400": "Malformed request",
    "401": "Missing, unknown or revoked API key",
    "403": "Forbidden",
    "404": "Not found (or another team's)",
    "405": "Method not allowed",
    "409": "Conflicts with the resource's state",
    "413": "Too large",
    "415": "Unsupported media",
    "422": "Invalid input; `field` names it",
    "429": "Rate limited; see Retry-After",
    "500": "Internal error",
    "502": "TikTok failed or refused",
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def document_errors(app: FastAPI, shapes: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
    """Replace `app.openapi` with one that documents the JSON error shape everywhere; under a
    prefix of `shapes` ({prefix: (component name, schema)}), that prefix's own shape."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["Error"] = ERROR_SCHEMA
        for name, shape in shapes.values():
            components[name] = shape
        for route, path in schema.get("paths", {}).items():
            ref = ERROR_REF
            for prefix, (name, _) in shapes.items():
                if route.startswith(prefix + "/"):
                    ref = {"$ref": f"#/components/schemas/{name}"}
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
