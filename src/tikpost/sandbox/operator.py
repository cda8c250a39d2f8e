"""The operator API under /_sandbox/: not TikTok's; for tests, demos and scripts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from tikpost.sandbox import accounts, processing
from tikpost.sandbox.config import DEFAULT_SCOPES, KNOWN_SCOPES, SandboxConfig
from tikpost.sandbox.guard import ENDPOINTS, state_of
from tikpost.sandbox.state import Fault, SandboxState

router = APIRouter(prefix="/_sandbox", tags=["operator"])


class CreatorIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    nickname: str | None = None
    privacy_level_options: list[str] | None = Field(default=None, min_length=1)
    max_video_post_duration_sec: int | None = Field(default=None, gt=0)
    scope: str = ",".join(DEFAULT_SCOPES)
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False


class CreatorPatch(BaseModel):
    banned: bool | None = None
    app_version: str | None = Field(default=None, pattern=r"^\d+(\.\d+)*$")
    privacy_level_options: list[str] | None = Field(default=None, min_length=1)
    max_video_post_duration_sec: int | None = Field(default=None, gt=0)
    comment_disabled: bool | None = None
    duet_disabled: bool | None = None
    stitch_disabled: bool | None = None


class ClockAdvance(BaseModel):
    seconds: float = Field(ge=0, allow_inf_nan=False)  # an infinite clock has no JSON


class FaultIn(BaseModel):
    endpoint: str
    error_rate: float = Field(default=0.0, ge=0, le=1)
    latency_ms: int = Field(default=0, ge=0)
    status: int = Field(default=500, ge=400, le=599)
    code: str = "internal_error"


class TokenExpire(BaseModel):
    access_token: str | None = None
    refresh_token: str | None = None


class UploadExpire(BaseModel):
    publish_id: str


def _creator(state: SandboxState, open_id: str) -> Any:
    creator = state.creators.get(open_id)
    if creator is None:
        raise HTTPException(404, "No such creator.")
    return creator


@router.post("/creators", status_code=201)
async def create_creator(body: CreatorIn, request: Request) -> dict[str, Any]:
    """A creator who has already authorized the app: tokens without a browser."""
    state = state_of(request)
    scopes = [s.strip() for s in body.scope.split(",") if s.strip()]
    if not set(scopes) <= KNOWN_SCOPES:
        raise HTTPException(422, f"Unknown scope; known: {sorted(KNOWN_SCOPES)}")
    if state.find_creator_by_username(body.username) is not None:
        raise HTTPException(409, "A creator with this username exists.")
    creator = accounts.create_creator(
        state,
        body.username,
        nickname=body.nickname,
        privacy_level_options=body.privacy_level_options,
        max_video_post_duration_sec=body.max_video_post_duration_sec,
        comment_disabled=body.comment_disabled,
        duet_disabled=body.duet_disabled,
        stitch_disabled=body.stitch_disabled,
    )
    return {**creator.public_view(), **accounts.issue_tokens(state, creator.open_id, scopes)}


@router.get("/creators")
async def list_creators(request: Request) -> dict[str, Any]:
    return {"creators": [c.public_view() for c in state_of(request).creators.values()]}


@router.patch("/creators/{open_id}")
async def patch_creator(open_id: str, body: CreatorPatch, request: Request) -> dict[str, Any]:
    creator = _creator(state_of(request), open_id)
    for name, value in body.model_dump(exclude_none=True).items():
        setattr(creator, name, value)
    view: dict[str, Any] = creator.public_view()
    return view


@router.get("/creators/{open_id}/posts")
async def creator_posts(open_id: str, request: Request) -> dict[str, Any]:
    state = state_of(request)
    _creator(state, open_id)
    return {"posts": [post.operator_view() for post in state.posts_of(open_id)]}


@router.post("/creators/{open_id}/deauthorize")
async def deauthorize(open_id: str, request: Request) -> dict[str, Any]:
    """The creator removes the app in TikTok's settings: tokens die, TikTok tells the app."""
    state = state_of(request)
    _creator(state, open_id)
    revoked = accounts.deauthorize(state, open_id, accounts.USER_DISCONNECTED)
    return {"open_id": open_id, "revoked": revoked}


@router.post("/posts/{publish_id}/complete")
async def complete_inbox_post(publish_id: str, request: Request) -> dict[str, Any]:
    """The creator opens the inbox notification and posts the draft from TikTok's editor."""
    state = state_of(request)
    post = state.posts.get(publish_id)
    if post is None:
        raise HTTPException(404, "No such post.")
    if post.status != "SEND_TO_USER_INBOX":
        raise HTTPException(409, f"The post is {post.status}, not SEND_TO_USER_INBOX.")
    processing.complete(state, post)
    view: dict[str, Any] = post.operator_view()
    return view


@router.get("/clock")
async def read_clock(request: Request) -> dict[str, float]:
    return {"now": state_of(request).clock.now()}


@router.post("/clock/advance")
async def advance_clock(body: ClockAdvance, request: Request) -> dict[str, float]:
    return {"now": state_of(request).clock.advance(body.seconds)}


@router.post("/faults")
async def add_fault(body: FaultIn, request: Request) -> dict[str, Any]:
    if body.endpoint not in (*ENDPOINTS, "*"):
        raise HTTPException(422, f"endpoint must be one of {[*ENDPOINTS, '*']}")
    fault = Fault(body.error_rate, body.latency_ms, body.status, body.code)
    state_of(request).faults[body.endpoint] = fault
    return body.model_dump()


@router.get("/faults")
async def read_faults(request: Request) -> dict[str, Any]:
    """The faults in force, and how many requests each endpoint's latency holds right now:
    a test waits for a request to be held, then acts while it is."""
    state = state_of(request)
    faults = {name: vars(fault) for name, fault in state.faults.items()}
    return {"faults": faults, "held": {name: n for name, n in state.held.items() if n}}


@router.delete("/faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    """Every fault ends now, the requests its latency holds included: they go on at once,
    unfailed, so a test that held one to act meanwhile need not wait the latency out."""
    state_of(request).clear_faults()
    return {"faults": {}}


@router.post("/tokens/expire")
async def expire_token(body: TokenExpire, request: Request) -> dict[str, Any]:
    state = state_of(request)
    value = body.access_token or body.refresh_token
    token = state.tokens.get(value or "")
    if token is None:
        raise HTTPException(404, "No such token.")
    token.expires_at = state.clock.now() - 1
    return {"expired": True}


@router.post("/uploads/expire")
async def expire_upload(body: UploadExpire, request: Request) -> dict[str, Any]:
    state = state_of(request)
    post = state.posts.get(body.publish_id)
    upload = state.uploads.get(post.upload_id or "") if post else None
    if upload is None:
        raise HTTPException(404, "No upload for that publish_id.")
    upload.expires_at = state.clock.now() - 1
    return {"expired": True}


@router.get("/webhooks")
async def webhook_deliveries(request: Request) -> dict[str, Any]:
    deliveries = [vars(d).copy() for d in state_of(request).webhooks]
    return {"deliveries": deliveries}


@router.get("/config")
async def read_config(request: Request) -> dict[str, Any]:
    return state_of(request).config.model_dump()


@router.patch("/config")
async def patch_config(body: dict[str, Any], request: Request) -> dict[str, Any]:
    """Change any configuration field at run time; the whole result is validated again."""
    state = state_of(request)
    merged = {**state.config.model_dump(), **body}
    unknown = set(body) - set(SandboxConfig.model_fields)
    if unknown:
        raise HTTPException(422, f"Unknown configuration fields: {sorted(unknown)}")
    state.config = SandboxConfig.model_validate(merged)
    return state.config.model_dump()


@router.post("/reset")
async def reset(request: Request) -> dict[str, bool]:
    state = state_of(request)
    await state.close()
    request.app.state.sandbox = SandboxState(state.config)
    return {"reset": True}
