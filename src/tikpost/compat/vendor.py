"""What a vendor is to tikpost, and how the app serves it: its router under its prefix, its
OpenAPI tag, and its error shape for everything that goes wrong under that prefix.

Errors are reshaped, not re-decided: the app's own handlers (kit/errors.py) choose the status,
code and message as for the native API, and the vendor only says how its body looks. So an
error in a vendor's shape is still never a 500 where the native API answers otherwise.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Scope

from tikpost.kit.body_limit import Refusal
from tikpost.kit.errors import ApiError, error_response

PREFIX = "/compat"

# (status, code, message, field) of the native error → the vendor's JSON body.
ErrorBody = Callable[[int, str, str, str | None], Any]
Handler = Callable[[Request, Exception], Awaitable[Response]]
# What Starlette holds in `app.exception_handlers`: sync or async.
Registered = Callable[[Request, Any], Response | Awaitable[Response]]


# The shape of vendors that answer every error as one string: `{"error": "…"}`.
ONE_STRING_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


@dataclass(frozen=True)
class Vendor:
    """One hosted API: `name` is its path segment (`/compat/<name>`), `title` its OpenAPI tag."""

    name: str
    title: str
    router: APIRouter
    error_body: ErrorBody
    # The JSON schema of `error_body`'s answers, for /openapi.json (and clients made from it).
    error_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})

    @property
    def prefix(self) -> str:
        return f"{PREFIX}/{self.name}"

    def owns(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")


def shaped_error(
    vendors: Sequence[Vendor],
    path: str,
    status: int,
    error: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> JSONResponse | None:
    """The native `error` object (code, message, field) in the shape of the vendor owning
    `path`; None outside every vendor's prefix."""
    vendor = next((v for v in vendors if v.owns(path)), None)
    if vendor is None:
        return None
    body = vendor.error_body(
        status,
        str(error.get("code", "error")),
        str(error.get("message", "error")),
        error.get("field"),
    )
    return JSONResponse(body, status_code=status, headers=headers)


def _reshaped(vendors: Sequence[Vendor], handler: Registered) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        given = handler(request, exc)
        answer = await given if inspect.isawaitable(given) else given
        if not isinstance(answer, JSONResponse):
            return answer
        headers = {
            name: value
            for name, value in answer.headers.items()
            if name.lower() not in {"content-length", "content-type"}
        }
        error = json.loads(bytes(answer.body)).get("error", {})
        shaped = shaped_error(vendors, request.url.path, answer.status_code, error, headers)
        return answer if shaped is None else shaped

    return handle


def body_refusal(vendors: Sequence[Vendor]) -> Refusal:
    """How the body cap (kit/body_limit.py), which answers before any handler, refuses: in
    the vendor's shape under its prefix, as every other error there."""

    def refuse(scope: Scope, error: ApiError) -> ASGIApp:
        native = {"code": error.code, "message": error.message, "field": error.field}
        shaped = shaped_error(vendors, scope["path"], error.status, native)
        return shaped or error_response(error.status, error.code, error.message, error.field)

    return refuse


def install_compat(app: FastAPI, vendors: Sequence[Vendor]) -> None:
    """Mount each vendor's routes and give its errors its shape (after the app's handlers)."""
    for vendor in vendors:
        app.include_router(vendor.router, prefix=vendor.prefix, tags=[vendor.title])
    for kind, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(kind, _reshaped(vendors, handler))
