"""What every Accounts API endpoint checks first: faults, the `Access-Token`, `business_id`."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from tikpost.sandbox.business.envelope import (
    ACCESS_TOKEN_INVALID,
    INVALID_PARAMS,
    NO_PERMISSION,
    BusinessError,
    from_v2,
)
from tikpost.sandbox.business.state import BusinessAccount, BusinessToken
from tikpost.sandbox.errors import ApiError
from tikpost.sandbox.guard import inject_fault, state_of
from tikpost.sandbox.state import SandboxState


async def enter(request: Request, endpoint: str) -> SandboxState:
    """Apply the operator's fault for `endpoint` (one of the `business/…` names in
    `sandbox.guard.ENDPOINTS`, or `*`): a 5xx answers its status with code 50000."""
    state = state_of(request)
    try:
        await inject_fault(state, endpoint)
    except ApiError as exc:
        raise from_v2(exc) from None
    return state


def authenticate(
    request: Request, state: SandboxState, business_id: Any, *scopes: str
) -> tuple[BusinessToken, BusinessAccount]:
    """The token must be live, belong to `business_id` and carry every scope named."""
    business = state.business
    token = business.tokens.get(request.headers.get("access-token", "").strip())
    if token is None or token.kind != "access" or not token.usable(state.clock.now()):
        raise BusinessError(ACCESS_TOKEN_INVALID, "Access token is incorrect or has been revoked.")
    if not isinstance(business_id, str) or not business_id:
        raise BusinessError(INVALID_PARAMS, "business_id: Missing data for required field.")
    if business_id != token.open_id:
        raise BusinessError(
            NO_PERMISSION, "The access token is not authorized for this business_id."
        )
    missing = [scope for scope in scopes if scope not in token.scopes]
    if missing:
        raise BusinessError(
            NO_PERMISSION, f"The TikTok account has not granted the {missing[0]} permission."
        )
    return token, business.accounts[token.open_id]


async def json_object(request: Request) -> dict[str, Any]:
    try:
        parsed = json.loads(await request.body() or b"{}")
    except ValueError:
        raise BusinessError(INVALID_PARAMS, "The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise BusinessError(INVALID_PARAMS, "The request body must be a JSON object.")
    try:
        json.dumps(parsed, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate written as "\ud800"
        raise BusinessError(INVALID_PARAMS, "The request body is not valid Unicode.") from None
    return parsed


def check_v2(check: Any, *args: Any) -> Any:
    """Run one of the Content Posting sandbox's checks, answering in Business API codes."""
    try:
        return check(*args)
    except ApiError as exc:
        raise from_v2(exc) from None
