"""PostPost's error answers: `{"error": "<message>"}`, and 400 where tikpost says 422.

PostPost refuses every request it will not take with a 400 (tikpost's 422: a body that fails
validation, or a post TikTok would refuse), so its routes use `PostPostRoute`, which turns those
into 400 before the app's handlers (and compat.vendor's reshaping) see them. The messages its
clients are likely to match are PostPost's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from tikpost.kit.errors import ApiError, field_name

_MESSAGES = {
    "api_key_missing": "API key is required",
    "api_key_invalid": "Invalid API key",
    "api_key_revoked": "Invalid API key",
    "post_not_found": "Post group not found",
}


def error_body(status: int, code: str, message: str, field: str | None) -> dict[str, Any]:
    """PostPost's one-string error; tikpost's message says what to fix."""
    return {"error": _MESSAGES.get(code, message)}


def _as_400(exc: RequestValidationError) -> ApiError:
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return ApiError(400, "invalid_json", "Request body is not valid JSON")
    field = field_name(first.get("loc", ()))
    message = str(first.get("msg", "invalid request"))
    return ApiError(400, "validation_error", f"{field}: {message}" if field else message, field)


class PostPostRoute(APIRoute):
    """A route answering PostPost's 400 where tikpost's own would answer 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise _as_400(exc) from exc
            except ApiError as exc:
                if exc.status != 422:
                    raise
                raise ApiError(
                    400, exc.code, exc.message, exc.field, exc.headers, exc.details
                ) from exc

        return handle
