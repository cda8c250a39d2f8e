"""One error shape for the whole API: `{"error": {"code", "message", "field"}}`.

Clients branch on `code` (stable, snake_case), show `message` to humans and highlight `field`.
Some errors add details beside them (a media check adds the `value` found and the `limit`).
FastAPI's own errors (unknown route, wrong method, validation) and unexpected exceptions are
rewritten into the same shape, so no client ever has to parse two formats.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tikpost.kit.db_outage import RETRY_AFTER_SEC, is_connection_loss, noticed

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}
# Where a parameter came from is not part of its name as the client knows it.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


class ApiError(Exception):
    """An error a client should see, with its HTTP status; raise it from services or endpoints."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})
        # Extra JSON-serialisable keys of the error object; they never replace the three above.
        self.details = dict(details or {})


class ErrorJSON(JSONResponse):
    """Renders any text an error quotes back, even a lone surrogate from a JSON `\\ud800`.

    Starlette's encoder would raise on one (UTF-8 cannot hold it), turning a 4xx about bad
    input into a 500; escaped (`\\ud800`), it is the same JSON string the client sent.
    """

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    details: Mapping[str, Any] | None = None,
) -> JSONResponse:
    error = {**(details or {}), "code": code, "message": message, "field": field}
    return ErrorJSON({"error": error}, status_code=status, headers=dict(headers or {}))


def field_name(loc: Sequence[Any]) -> str | None:
    """`("body", "photos", 2, "url")` -> `"photos.2.url"`: the path a client wrote."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or None


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers, exc.details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if not errors:
        return error_response(422, "validation_error", "invalid request")
    first = errors[0]
    if first.get("type") == "json_invalid":
        return error_response(400, "invalid_json", "request body is not valid JSON")
    field = field_name(first.get("loc", ()))
    message = str(first.get("msg", "invalid value"))
    if field:
        message = f"{field}: {message}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more)"
    return error_response(422, "validation_error", message, field)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    noticed()
    logger.warning(
        "database unavailable (%s) on %s %s", type(exc).__name__, request.method, request.url.path
    )
    return error_response(
        503,
        "database_unavailable",
        "the database is not answering (restarting or busy); try again shortly",
        headers={"Retry-After": str(RETRY_AFTER_SEC)},
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A lost database is the client's cue to try again later (503), not a bug (500)."""
    if is_connection_loss(exc):
        return _database_unavailable(request, exc)
    # Handled here, Starlette does not log it: the traceback goes with this line.
    name, method, path = type(exc).__name__, request.method, request.url.path
    logger.error("unhandled %s on %s %s", name, method, path, exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    if is_connection_loss(exc):  # raised where the handler above does not reach (middleware)
        return _database_unavailable(request, exc)
    # The exception text may hold tokens or SQL: never to the client. Starlette re-raises it
    # after this response, so the server logs the traceback once; this line names the request.
    logger.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(500, "internal_error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the JSON shape above."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
