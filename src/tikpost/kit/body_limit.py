"""A cap on request bodies, answered in our JSON error shape (413 `payload_too_large`).

JSON requests are small; without a cap a client could make the server read gigabytes into
memory before validation even starts. Media uploads are exempt: they stream to storage under
their own cap. A declared Content-Length over the cap is refused before reading anything; a
chunked body is counted as it arrives and refused the moment it crosses the cap.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tikpost.kit.errors import ApiError, error_response
from tikpost.kit.parse import parse_uint

# How a refusal before the app is answered: the native error shape unless told otherwise (the
# compat vendors answer in their own shape under their prefixes).
Refusal = Callable[[Scope, ApiError], ASGIApp]


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"request bodies here are limited to {limit} bytes")


def _too_large_midway(limit: int) -> HTTPException:
    """Raised from `receive` once a chunked body crosses the cap: an `HTTPException`, because
    FastAPI turns any other exception raised while it reads a body into a 400 "error parsing
    the body". The app's handler answers it as 413 `payload_too_large` (kit/errors.py)."""
    return HTTPException(413, _too_large(limit).message)


def _native(_scope: Scope, error: ApiError) -> ASGIApp:
    return error_response(error.status, error.code, error.message)


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        exempt: Callable[[Scope], bool],
        refusal: Refusal = _native,
    ) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        declared = parse_uint(dict(scope["headers"]).get(b"content-length"))
        if declared is not None and declared > self.limit:
            await self.refusal(scope, _too_large(self.limit))(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _too_large_midway(self.limit)
            return message

        await self.app(scope, counting_receive, send)
