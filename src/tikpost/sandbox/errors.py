"""TikTok's two error shapes: the v2 API envelope and the OAuth error body."""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.responses import JSONResponse


def new_log_id() -> str:
    """A log id shaped like TikTok's (`202210112248442CB9319E1FB30C1073F3`)."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    return stamp + secrets.token_hex(10).upper()


class ApiError(Exception):
    """A v2 API failure: answered as `{"data": {}, "error": {code, message, log_id}}`."""

    def __init__(self, http_status: int, code: str, message: str) -> None:
        super().__init__(f"{http_status} {code}: {message}")
        self.http_status = http_status
        self.code = code
        self.message = message


class OAuthError(Exception):
    """An OAuth endpoint failure: answered as `{"error", "error_description", "log_id"}`."""

    def __init__(self, error: str, description: str, http_status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.http_status = http_status


def envelope(data: dict[str, Any], code: str = "ok", message: str = "") -> dict[str, Any]:
    return {"data": data, "error": {"code": code, "message": message, "log_id": new_log_id()}}


def api_response(data: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(envelope(data), status_code=status_code)


def api_error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(envelope({}, exc.code, exc.message), status_code=exc.http_status)


def oauth_error_response(exc: OAuthError) -> JSONResponse:
    body = {"error": exc.error, "error_description": exc.description, "log_id": new_log_id()}
    return JSONResponse(body, status_code=exc.http_status)
