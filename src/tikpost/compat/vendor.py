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


def _reshaped(vendors: Sequence[Vendor], handler: Registered) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        given = handler(request, exc)
        answer = await given if inspect.isawaitable(given) else given
        vendor = next((v for v in vendors if v.owns(request.url.path)), None)
        if vendor is None or not isinstance(answer, JSONResponse):
            return answer
        error = json.loads(bytes(answer.body)).get("error", {})
        body = vendor.error_body(
            answer.status_code,
            str(error.get("code", "error")),
            str(error.get("message", "error")),
            error.get("field"),
        )
        headers = {
            name: value
            for name, value in answer.headers.items()
            if name.lower() not in {"content-length", "content-type"}
        }
        return JSONResponse(body, status_code=answer.status_code, headers=headers)

    return handle


def install_compat(app: FastAPI, vendors: Sequence[Vendor]) -> None:
    """Mount each vendor's routes and give its errors its shape (after the app's handlers)."""
    for vendor in vendors:
        app.include_router(vendor.router, prefix=vendor.prefix, tags=[vendor.title])
    for kind, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(kind, _reshaped(vendors, handler))
