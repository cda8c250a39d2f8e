"""The Business API's token endpoints: JSON bodies with `client_id`/`client_secret`, answers in
the `{code, data}` envelope (not Login Kit's form-encoded OAuth shape)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from tikpost.sandbox.business.envelope import (
    INVALID_APP,
    INVALID_AUTH_CODE,
    INVALID_PARAMS,
    BusinessError,
    ok,
)
from tikpost.sandbox.business.guard import enter, json_object
from tikpost.sandbox.business.state import BusinessAccount, BusinessAuthCode, BusinessToken
from tikpost.sandbox.state import PUBLIC_OPTIONS, SandboxState

router = APIRouter(prefix="/open_api/v1.3/tt_user/oauth2")


def create_account(state: SandboxState, username: str, **settings: Any) -> BusinessAccount:
    """A business account: public, as Business API videos always are."""
    open_id = state.token_string("", 8) + "-" + state.token_string("", 27)
    account = BusinessAccount(
        open_id=open_id,
        username=username,
        display_name=username.replace("_", " ").title(),
        privacy_level_options=list(PUBLIC_OPTIONS),
        max_video_post_duration_sec=state.config.business.max_video_duration_sec,
        **settings,
    )
    state.business.accounts[open_id] = account
    return account


def issue_code(state: SandboxState, open_id: str, scopes: Iterable[str], redirect_uri: str) -> str:
    code = BusinessAuthCode(
        value=state.token_string("", 48),
        open_id=open_id,
        scopes=frozenset(scopes),
        redirect_uri=redirect_uri,
        expires_at=state.clock.now() + state.config.business.auth_code_ttl_sec,
    )
    state.business.codes[code.value] = code
    return code.value


def _token(state: SandboxState, kind: Any, open_id: str, scopes: frozenset[str]) -> BusinessToken:
    config = state.config.business
    ttl = config.access_token_ttl_sec if kind == "access" else config.refresh_token_ttl_sec
    token = BusinessToken(
        value=state.token_string("", 40),
        kind=kind,
        open_id=open_id,
        scopes=scopes,
        expires_at=state.clock.now() + ttl,
    )
    state.business.tokens[token.value] = token
    return token


def issue_tokens(state: SandboxState, open_id: str, scopes: frozenset[str]) -> dict[str, Any]:
    access = _token(state, "access", open_id, scopes)
    refresh = _token(state, "refresh", open_id, scopes)
    now = state.clock.now()
    return {
        "open_id": open_id,
        "scope": ",".join(sorted(scopes)),
        "access_token": access.value,
        "expires_in": round(access.expires_at - now),
        "refresh_token": refresh.value,
        "refresh_token_expires_in": round(refresh.expires_at - now),
        "token_type": "Bearer",
    }


async def _app_body(request: Request, grant_type: str) -> tuple[SandboxState, dict[str, Any]]:
    state = await enter(request, "business/oauth")
    body = await json_object(request)
    config = state.config.business
    if (
        body.get("client_id") != config.client_id
        or body.get("client_secret") != config.client_secret
    ):
        raise BusinessError(INVALID_APP, "The app_id or secret is invalid.")
    if body.get("grant_type") != grant_type:
        raise BusinessError(INVALID_PARAMS, f"grant_type must be {grant_type}.")
    return state, body


@router.post("/token/")
async def token(request: Request) -> JSONResponse:
    state, body = await _app_body(request, "authorization_code")
    code = state.business.codes.get(str(body.get("auth_code", "")))
    if code is None or code.used or state.clock.now() >= code.expires_at:
        raise BusinessError(INVALID_AUTH_CODE, "The auth_code is invalid or has expired.")
    if body.get("redirect_uri") != code.redirect_uri:
        raise BusinessError(INVALID_PARAMS, "redirect_uri does not match the authorization's.")
    code.used = True
    return ok(issue_tokens(state, code.open_id, code.scopes))


@router.post("/refresh_token/")
async def refresh_token(request: Request) -> JSONResponse:
    """A new pair; the old refresh token dies, so a client must keep the one returned."""
    state, body = await _app_body(request, "refresh_token")
    current = state.business.tokens.get(str(body.get("refresh_token", "")))
    if current is None or current.kind != "refresh" or not current.usable(state.clock.now()):
        raise BusinessError(INVALID_AUTH_CODE, "The refresh_token is invalid or has expired.")
    current.revoked = True
    return ok(issue_tokens(state, current.open_id, current.scopes))
