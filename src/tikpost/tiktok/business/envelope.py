"""The Business API's envelope, `{code, message, request_id, data}`, as tikpost's TikTok errors.

Failures arrive with HTTP 200 and a non-zero `code`, so the body decides, never the status. The
codes TikTok shares with the Content Posting API's meanings become the same classes (a 40105 is
an `AccessTokenInvalid`, a 40100 a retryable `RateLimitExceeded`), so callers handle one family;
the number stays in the message, and a code not listed is a plain `TikTokError`.
"""

from __future__ import annotations

from typing import Any

import httpx

from tikpost.tiktok.errors import TikTokError, oauth_error, posting_error
from tikpost.tiktok.responses import json_object, retry_after_of, undecodable

# Numeric code → the v2 code string with the same meaning (docs/sandbox.md gives the sources).
API_CODES = {
    40001: "scope_not_authorized",  # no permission for this account or action
    40002: "invalid_params",
    40007: "invalid_publish_id",  # the object named does not exist
    40100: "rate_limit_exceeded",  # six posts a minute, fifteen a day, or request rate
    40105: "access_token_invalid",
    50000: "internal_error",
}
OAUTH_CODES = {
    40002: "invalid_request",
    40101: "invalid_client",
    40110: "invalid_grant",  # the auth code or refresh token is used, expired or unknown
}


def _failure(code: int, body: dict[str, Any], response: httpx.Response, oauth: bool) -> TikTokError:
    message = f"[{code}] {body.get('message') or ''}".strip()
    request_id = str(body["request_id"]) if body.get("request_id") else None
    status = response.status_code
    name = (OAUTH_CODES if oauth else API_CODES).get(code)
    if name is not None and oauth:
        return oauth_error(name, message, log_id=request_id, http_status=status)
    if name is not None:
        retry_after = retry_after_of(response)
        return posting_error(
            name, message, log_id=request_id, http_status=status, retry_after=retry_after
        )
    # 5xxxx codes are TikTok's side (51065 aside: TikTok's answer to a wrong sound id).
    transient = (code >= 50000 and code != 51065) or status >= 500 or status == 429
    return TikTokError(
        f"business_{code}", message, log_id=request_id, http_status=status, retryable=transient
    )


def decode(response: httpx.Response, *, oauth: bool = False) -> dict[str, Any]:
    """`data` of a successful answer; any non-zero `code` (or a body that is no envelope)
    raises. `oauth` reads the token endpoints' codes as OAuth errors (`InvalidGrant`...)."""
    body = json_object(response)
    if body is None:
        raise undecodable(response)
    code = body.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        if not response.is_success:
            raise undecodable(response)
        raise TikTokError(
            "invalid_response", "The answer has no numeric code.", http_status=response.status_code
        )
    if code != 0:
        raise _failure(code, body, response, oauth)
    if not response.is_success:
        raise undecodable(response)
    data = body.get("data")
    return data if isinstance(data, dict) else {}
