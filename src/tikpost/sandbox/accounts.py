"""Creating creators and issuing their tokens: shared by the consent page and the operator API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from tikpost.sandbox import processing, webhooks
from tikpost.sandbox.state import PRIVATE_OPTIONS, PUBLIC_OPTIONS, Creator, SandboxState, Token

# `authorization.removed` reasons, as TikTok's webhook events page numbers them.
USER_DISCONNECTED = 1
DEVELOPER_REVOKED = 5


def create_creator(
    state: SandboxState,
    username: str,
    *,
    nickname: str | None = None,
    privacy_level_options: list[str] | None = None,
    max_video_post_duration_sec: int | None = None,
    public: bool | None = None,
    **flags: Any,
) -> Creator:
    """A new TikTok user; on an unaudited app new users are private, as its test users must be."""
    if privacy_level_options is None:
        is_public = state.config.audited if public is None else public
        privacy_level_options = list(PUBLIC_OPTIONS if is_public else PRIVATE_OPTIONS)
    open_id = "-000" + state.token_string("", 36)
    creator = Creator(
        open_id=open_id,
        union_id=state.token_string("u.", 30),
        username=username,
        nickname=nickname or username.replace("_", " ").title(),
        avatar_url=f"https://p16-sign.tiktokcdn-us.com/sandbox/{open_id}.jpeg",
        privacy_level_options=privacy_level_options,
        max_video_post_duration_sec=(
            max_video_post_duration_sec or state.config.default_max_video_post_duration_sec
        ),
        **flags,
    )
    state.creators[open_id] = creator
    return creator


def new_token(
    state: SandboxState,
    kind: Literal["access", "refresh"],
    open_id: str,
    scopes: frozenset[str],
    grant_id: str,
) -> Token:
    config = state.config
    ttl = config.access_token_ttl_sec if kind == "access" else config.refresh_token_ttl_sec
    token = Token(
        value=state.token_string("act." if kind == "access" else "rft."),
        kind=kind,
        open_id=open_id,
        scopes=scopes,
        expires_at=state.clock.now() + ttl,
        grant_id=grant_id,
    )
    state.tokens[token.value] = token
    return token


def issue_tokens(state: SandboxState, open_id: str, scopes: Iterable[str]) -> dict[str, Any]:
    """A new grant with a fresh access and refresh token, in the token endpoint's shape."""
    grant = state.token_string("grant.", 16)
    scope_set = frozenset(scopes)
    access = new_token(state, "access", open_id, scope_set, grant)
    refresh = new_token(state, "refresh", open_id, scope_set, grant)
    return token_response(state, access, refresh)


def token_response(state: SandboxState, access: Token, refresh: Token) -> dict[str, Any]:
    now = state.clock.now()
    return {
        "open_id": access.open_id,
        "scope": ",".join(sorted(access.scopes)),
        "access_token": access.value,
        "expires_in": max(0, round(access.expires_at - now)),
        "refresh_token": refresh.value,
        "refresh_expires_in": max(0, round(refresh.expires_at - now)),
        "token_type": "Bearer",
    }


def deauthorize(state: SandboxState, open_id: str, reason: int) -> bool:
    """The app leaves the creator's authorized apps: every token of the creator dies (TikTok
    holds one authorization per creator and app, whichever of its tokens was revoked), posts
    still in flight end with `auth_removed`, and the app hears `authorization.removed` with
    TikTok's `reason`. False, with nothing sent, when no token of the creator was alive."""
    now = state.clock.now()
    alive = False
    for token in state.tokens.values():
        if token.open_id == open_id:
            alive = alive or token.usable(now)
            token.revoked = True
    if alive:
        processing.remove_authorization(state, open_id)
        webhooks.emit(state, "authorization.removed", open_id, {"reason": reason})
    return alive
