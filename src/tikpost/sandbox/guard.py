"""What every v2 endpoint checks before its own rules: faults, the bearer token, scopes, rate."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from typing import Any

from starlette.requests import Request

from tikpost.sandbox.errors import ApiError, OAuthError
from tikpost.sandbox.state import Creator, SandboxState, Token

# Fault-injection names, one per TikTok endpoint (docs/sandbox.md lists them).
ENDPOINTS = (
    "oauth/token",
    "oauth/revoke",
    "user/info",
    "creator_info",
    "video/init",
    "inbox/video/init",
    "content/init",
    "status/fetch",
    "cancel",
    "upload",
    "processing",
    # TikTok's API for Business (sandbox/business/guard.py).
    "business/oauth",
    "business/publish",
    "business/status",
    "business/settings",
    "business/profile",
    "business/trending",
)
OAUTH_ENDPOINTS = frozenset({"oauth/token", "oauth/revoke"})
# Faults here do not raise: the upload answers a bare status, processing ends the post FAILED.
RAW_ENDPOINTS = frozenset({"upload", "processing"})


def state_of(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def inject_fault(state: SandboxState, endpoint: str) -> int | None:
    """Apply the operator's latency and maybe fail; returns a status for raw (upload) endpoints."""
    fault = state.faults.get(endpoint) or state.faults.get("*")
    if fault is None:
        return None
    if fault.latency_ms:
        cleared = state.faults_cleared
        state.held[endpoint] += 1
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(fault.latency_ms / 1000 * (0.5 + state.rng.random())):
                    await cleared.wait()
        finally:
            state.held[endpoint] -= 1
        if cleared.is_set():
            return None  # the operator cleared the faults meanwhile: it goes on unharmed
    if fault.error_rate <= 0 or state.rng.random() >= fault.error_rate:
        return None
    if endpoint in RAW_ENDPOINTS:
        return fault.status
    if endpoint in OAUTH_ENDPOINTS:
        error = "server_error" if fault.code == "internal_error" else fault.code
        raise OAuthError(error, "Injected fault.", fault.status)
    raise ApiError(fault.status, fault.code, "Injected fault: the server failed to respond.")


def authenticate(
    request: Request, state: SandboxState, *any_of_scopes: str
) -> tuple[Token, Creator]:
    """The bearer token must be live and carry one of the scopes the endpoint needs."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    token = state.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.kind != "access" or not token.usable(state.clock.now()):
        raise ApiError(
            401,
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        )
    if any_of_scopes and not state.config.app_scopes.intersection(any_of_scopes):
        raise ApiError(
            400,
            "scope_permission_missed",
            "The app has not been approved for the scope this endpoint needs.",
        )
    if any_of_scopes and not token.scopes.intersection(any_of_scopes):
        raise ApiError(
            401,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        )
    return token, state.creators[token.open_id]


def enforce_rate_limit(state: SandboxState, token: Token, endpoint: str, limit: int) -> None:
    """TikTok counts requests per user token per endpoint in a one-minute window."""
    now = state.clock.now()
    window = state.rate_windows.setdefault((token.value, endpoint), deque())
    while window and window[0] <= now - 60:
        window.popleft()
    if len(window) >= limit:
        raise ApiError(
            429,
            "rate_limit_exceeded",
            "API rate limit was exceeded, please try again later.",
        )
    window.append(now)


async def json_body(request: Request, state: SandboxState) -> dict[str, Any]:
    """Parse a JSON object body, answering TikTok's invalid-params error for anything else."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid_params(state, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid_params(state, "The request body must be a JSON object.")
    try:
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate, written as a JSON escape ("\ud800")
        raise invalid_params(state, "The request body is not valid Unicode text.") from None
    return body


def invalid_params(state: SandboxState, message: str) -> ApiError:
    return ApiError(400, state.config.invalid_params_code, message)
