"""The Business API's one answer shape: `{code, message, request_id, data}`, HTTP 200 even for
errors, which only a non-zero `code` tells apart (docs/sandbox.md lists the codes and sources).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.responses import JSONResponse

from tikpost.sandbox.errors import ApiError

OK = 0
NO_PERMISSION = 40001
INVALID_PARAMS = 40002
NOT_FOUND = 40007
RATE_LIMITED = 40100
INVALID_APP = 40101
ACCESS_TOKEN_INVALID = 40105
INVALID_AUTH_CODE = 40110
INTERNAL_ERROR = 50000
# What TikTok answers a music_sound_id that is not a song clip id (a commercial_music_id, say).
SOMETHING_WRONG = 51065

# The Content Posting checks the sandbox reuses raise v2 codes; here they mean these.
_FROM_V2 = {
    "invalid_params": INVALID_PARAMS,
    "invalid_param": INVALID_PARAMS,
    "url_ownership_unverified": INVALID_PARAMS,
    "rate_limit_exceeded": RATE_LIMITED,
    "access_token_invalid": ACCESS_TOKEN_INVALID,
}


def new_request_id() -> str:
    """Shaped like TikTok's (`20210817034316010245031056097316BA`)."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


class BusinessError(Exception):
    """A Business API failure; `http_status` stays 200 except for injected outages."""

    def __init__(self, code: int, message: str, http_status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status


def from_v2(exc: ApiError) -> BusinessError:
    """A Content Posting check's refusal, spoken in the Business API's codes."""
    if exc.http_status >= 500:
        return BusinessError(INTERNAL_ERROR, exc.message, exc.http_status)
    return BusinessError(_FROM_V2.get(exc.code, INVALID_PARAMS), exc.message)


def body(data: dict[str, Any], code: int = OK, message: str = "OK") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": new_request_id(), "data": data}


def ok(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body(data))


def error_response(exc: BusinessError) -> JSONResponse:
    return JSONResponse(body({}, exc.code, exc.message), status_code=exc.http_status)
