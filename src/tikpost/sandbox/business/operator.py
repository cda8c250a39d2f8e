"""Operator views of the Business API under /_sandbox/business/: accounts, and what each
published with which sound at which volumes (not TikTok's; for tests, demos and scripts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from tikpost.sandbox.business import auth
from tikpost.sandbox.business.config import BUSINESS_SCOPES, DEFAULT_BUSINESS_SCOPES
from tikpost.sandbox.business.state import BusinessAccount
from tikpost.sandbox.guard import state_of
from tikpost.sandbox.state import SandboxState

router = APIRouter(prefix="/_sandbox/business", tags=["operator"])


class AccountSettings(BaseModel):
    max_video_post_duration_sec: int | None = Field(default=None, gt=0)
    comment_disabled: bool | None = None
    duet_disabled: bool | None = None
    stitch_disabled: bool | None = None


class AccountIn(AccountSettings):
    username: str = Field(min_length=1, max_length=64)
    scope: str = ",".join(DEFAULT_BUSINESS_SCOPES)
    redirect_uri: str | None = None


class TokenExpire(BaseModel):
    access_token: str | None = None
    refresh_token: str | None = None


def _account(state: SandboxState, open_id: str) -> BusinessAccount:
    account = state.business.accounts.get(open_id)
    if account is None:
        raise HTTPException(404, "No such business account.")
    return account


@router.post("/accounts", status_code=201)
async def create_account(body: AccountIn, request: Request) -> dict[str, Any]:
    """An account that has authorized the Business API app: an unused `auth_code` for
    `/tt_user/oauth2/token/`, and a token pair for tests that skip the exchange."""
    state = state_of(request)
    scopes = frozenset(s.strip() for s in body.scope.split(",") if s.strip())
    if not scopes <= BUSINESS_SCOPES:
        raise HTTPException(422, f"Unknown scope; known: {sorted(BUSINESS_SCOPES)}")
    if any(a.username == body.username for a in state.business.accounts.values()):
        raise HTTPException(409, "A business account with this username exists.")
    redirect_uri = body.redirect_uri or state.config.business.redirect_uris[0]
    if redirect_uri not in state.config.business.redirect_uris:
        raise HTTPException(422, "redirect_uri is not registered for the Business API app.")
    settings = body.model_dump(exclude_none=True, include=set(AccountSettings.model_fields))
    account = auth.create_account(state, body.username, **settings)
    code = auth.issue_code(state, account.open_id, scopes, redirect_uri)
    tokens = auth.issue_tokens(state, account.open_id, scopes)
    return {**account.view(), "auth_code": code, "redirect_uri": redirect_uri, **tokens}


@router.get("/accounts")
async def list_accounts(request: Request) -> dict[str, Any]:
    return {"accounts": [a.view() for a in state_of(request).business.accounts.values()]}


@router.patch("/accounts/{open_id}")
async def patch_account(open_id: str, body: AccountSettings, request: Request) -> dict[str, Any]:
    account = _account(state_of(request), open_id)
    for name, value in body.model_dump(exclude_none=True).items():
        setattr(account, name, value)
    return account.view()


@router.get("/accounts/{open_id}/posts")
async def account_posts(open_id: str, request: Request) -> dict[str, Any]:
    state = state_of(request)
    _account(state, open_id)
    return {"posts": [post.view() for post in state.business.posts_of(open_id)]}


@router.get("/posts")
async def posts(request: Request, music_sound_id: str | None = None) -> dict[str, Any]:
    """Every Business API post, or those published with one clip (`music_sound_id`)."""
    found = [
        post.view()
        for post in state_of(request).business.posts.values()
        if music_sound_id is None or (post.sound and post.sound.music_sound_id == music_sound_id)
    ]
    return {"posts": found}


@router.post("/tokens/expire")
async def expire_token(body: TokenExpire, request: Request) -> dict[str, bool]:
    state = state_of(request)
    token = state.business.tokens.get(body.access_token or body.refresh_token or "")
    if token is None:
        raise HTTPException(404, "No such token.")
    token.expires_at = state.clock.now() - 1
    return {"expired": True}
