"""PostPost's routes (`/compat/postpost/api/v1/...`): thin, over compat.postpost.groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from tikpost.compat.auth import key_from_header
from tikpost.compat.postpost import groups, translate
from tikpost.compat.postpost.errors import PostPostRoute
from tikpost.compat.postpost.schemas import (
    PostPostCreate,
    PostPostCreated,
    PostPostDeleted,
    PostPostGroup,
    PostPostUpdate,
    PostPostUpdated,
    PostPostUploadRequest,
    PostPostUploadUrl,
)
from tikpost.deps import DatabaseDep, SettingsDep, TokensDep
from tikpost.kit.idempotency import mark_replayed
from tikpost.posts import review, service
from tikpost.posts.consent import Consent
from tikpost.teams.service import Authenticated

router = APIRouter(prefix="/api/v1", route_class=PostPostRoute)
Key = Annotated[Authenticated, Depends(key_from_header("x-api-key"))]
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


@router.post("/create-post", response_model=PostPostCreated)
async def create_post(
    body: PostPostCreate,
    key: Key,
    database: DatabaseDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PostPostCreated:
    """A post group for one TikTok account, held until its video is uploaded and it is
    scheduled (update-post); PostPost's draft. `Idempotency-Key` replays it."""
    async with database.session(write=True) as session:
        post, created = await groups.create(session, key.team, body, idempotency_key)
    mark_replayed(response, not created)
    return PostPostCreated(post_group_id=post.id)


@router.post("/get-upload-url", response_model=PostPostUploadUrl)
async def get_upload_url(
    body: PostPostUploadRequest,
    key: Key,
    database: DatabaseDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PostPostUploadUrl:
    """A presigned URL (PUT the raw bytes, within the hour, once) for the group's video; the
    group must be the caller's own draft. `Idempotency-Key` gives a retry the same URL."""
    async with database.session(write=True) as session:
        slot = await groups.upload_for(
            session, settings, key.team, body.post_group_id, body, idempotency_key
        )
    return PostPostUploadUrl(
        upload_url=slot.put_url, file_url=slot.public_url, media_id=slot.slot_id
    )


@router.put("/update-post/{post_group_id}", response_model=PostPostUpdated)
async def update_post(
    post_group_id: str,
    body: PostPostUpdate,
    key: Key,
    database: DatabaseDep,
    settings: SettingsDep,
    tokens: TokensDep,
) -> PostPostUpdated:
    """`status: "scheduled"` sends a draft on with its uploaded video (at `scheduledTime`, or
    now); `scheduledTime` alone moves a draft's or a scheduled post's time."""
    if body.status is None and body.scheduled_time is None:
        raise translate.invalid("At least one of status or scheduledTime must be provided")
    creator = await review.fresh_creator(database, tokens, key.team, post_group_id)
    consent = Consent.api_key(key.api_key_id)
    async with database.session(write=True) as session:
        post, deliveries = await groups.update(
            session, settings, key.team, post_group_id, body, consent, creator
        )
        state = translate.group_state(post)
    await review.after_commit(post, deliveries)
    return PostPostUpdated(post_group=state)


@router.get(
    "/get-post/{post_group_id}", response_model=PostPostGroup, response_model_exclude_none=True
)
async def get_post(post_group_id: str, key: Key, database: DatabaseDep) -> PostPostGroup:
    """The group and its one TikTok post: status, and `postedId` once published."""
    async with database.session() as session:
        post = await service.get_post(session, key.team, post_group_id)
        open_id = await groups.account_open_id(session, key.team, post)
        return PostPostGroup(post_group_id=post.id, posts=[translate.platform_post(post, open_id)])


@router.delete("/delete-post/{post_group_id}", response_model=PostPostDeleted)
async def delete_post(post_group_id: str, key: Key, database: DatabaseDep) -> PostPostDeleted:
    """Cancels the group's post (before its upload to TikTok has started; 409 after)."""
    async with database.session(write=True) as session:
        await groups.delete(session, key.team, post_group_id)
    return PostPostDeleted()
