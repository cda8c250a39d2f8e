"""PostPeer's post routes: create, read, list, delete, and its scheduled-post routes.

Each one is the native route's call into tikpost's services (posts.intake, posts.service,
posts.review), with PostPeer's names on the way in and out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.compat.auth import key_from_header
from tikpost.compat.postpeer import media_routes, reading, schemas, translate
from tikpost.compat.postpeer.routing import PostPeerRoute
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep
from tikpost.kit.errors import ApiError
from tikpost.kit.idempotency import mark_replayed
from tikpost.media import service as media
from tikpost.media.schemas import MediaRead
from tikpost.posts import review, service
from tikpost.posts.consent import Consent
from tikpost.posts.deps import IntakeDep
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import PostStatus as Native
from tikpost.teams.schemas import TeamRead
from tikpost.teams.service import Authenticated

router = APIRouter(route_class=PostPeerRoute)
Key = Annotated[Authenticated, Depends(key_from_header("x-access-key"))]
# PostPeer pages by offset with a total; tikpost's posts are read up to this many per listing.
LISTING_CAP = 5000
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=LISTING_CAP)]
Moment = Annotated[str | None, Query(max_length=64)]


def _lookup(session: AsyncSession, team: TeamRead) -> reading.Lookup:
    async def lookup(media_id: str) -> MediaRead | None:
        try:
            return await media.get_media(session, team.id, media_id)
        except ApiError:
            return None

    return lookup


async def create_post(
    request: schemas.CreatePostRequest,
    key: Key,
    intake: IntakeDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> schemas.CreatePostResponse:
    """Post to the request's TikTok target; any other platform fails in its own entry.

    tikpost publishes in the background: the answer says `pending` (or `scheduled`); follow
    the post with GET /v1/posts/{postId}. `Idempotency-Key` replays the same post.
    """
    target, native = await translate.to_native(
        request, media_routes.resolver(intake.database, intake.settings, key.team)
    )
    accepted = await intake.accept(
        key.team, native, idempotency_key, Consent.api_key(key.api_key_id)
    )
    mark_replayed(response, accepted.replayed)
    post = accepted.post
    results = []
    for entry in request.platforms:
        refused = translate.refusal(entry, target)
        results.append(
            schemas.CreatedPlatform(
                platform=entry.platform,
                success=refused is None,
                platformPostUrl=None if refused else post.post_url,
                error=refused,
            )
        )
    partial = any(not result.success for result in results)
    return schemas.CreatePostResponse(
        success=True,
        status="partial" if partial else reading.POST_STATUS[post.status],
        postId=post.id,
        scheduledFor=reading.iso(post.scheduled_at),
        platforms=results,
    )


# PostPeer's pages write both `/v1/posts` and `/v1/posts/`; neither answers a redirect here.
for _path in ("/v1/posts", "/v1/posts/"):
    router.add_api_route(
        _path,
        create_post,
        methods=["POST"],
        response_model=schemas.CreatePostResponse,
        response_model_exclude_none=True,
        include_in_schema=_path == "/v1/posts",
    )


def _moment(text: str | None, field: str) -> datetime | None:
    return None if text is None else translate.when(text, "UTC", field)


async def _posts(
    session: AsyncSession, team: TeamRead, **window: datetime | None
) -> list[PostRead]:
    page = await service.list_posts(
        session, team, status=None, account_id=None, cursor=None, limit=LISTING_CAP, **window
    )
    return page.items


def _within(moment: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    if moment is None:
        return False
    return (after is None or moment > after) and (before is None or moment < before)


async def list_posts(
    key: Key,
    session: SessionDep,
    settings: SettingsDep,
    status: schemas.PostStatus | None = None,
    platform: Annotated[list[str] | None, Query()] = None,
    createdAfter: Moment = None,  # noqa: N803 (PostPeer's query names)
    createdBefore: Moment = None,  # noqa: N803
    scheduledAfter: Moment = None,  # noqa: N803
    scheduledBefore: Moment = None,  # noqa: N803
    limit: Limit = 20,
    offset: Offset = 0,
    sort: Literal["asc", "desc"] = "desc",
) -> schemas.PostList:
    """The team's posts, filtered and paged as PostPeer does (offset, limit, total)."""
    if platform and translate.TIKTOK not in {name.lower() for name in platform}:
        return schemas.PostList(success=True, total=0, posts=[])
    posts = await _posts(
        session,
        key.team,
        created_from=_moment(createdAfter, "createdAfter"),
        created_before=_moment(createdBefore, "createdBefore"),
    )
    after, before = (
        _moment(scheduledAfter, "scheduledAfter"),
        _moment(scheduledBefore, "scheduledBefore"),
    )
    wanted = reading.natives_of(status) if status else None
    chosen = [
        post
        for post in posts
        if (wanted is None or post.status in wanted) and _within(post.scheduled_at, after, before)
    ]
    chosen.sort(key=lambda post: post.created_at, reverse=sort == "desc")
    lookup = _lookup(session, key.team)
    page = [
        await reading.post_object(post, lookup, settings.public_url)
        for post in chosen[offset : offset + limit]
    ]
    return schemas.PostList(success=True, total=len(chosen), posts=page)


for _path in ("/v1/posts", "/v1/posts/"):
    router.add_api_route(
        _path,
        list_posts,
        methods=["GET"],
        response_model=schemas.PostList,
        include_in_schema=_path == "/v1/posts",
    )


@router.get("/v1/posts/scheduled", response_model=schemas.ScheduledList)
async def list_scheduled(
    key: Key,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 20,
    offset: Offset = 0,
    sort: Literal["asc", "desc"] = "asc",
) -> schemas.ScheduledList:
    """Posts waiting for their time, next first (or last, with `sort=desc`)."""
    scheduled = [
        post for post in await _posts(session, key.team) if post.status == Native.SCHEDULED
    ]
    scheduled.sort(key=lambda post: reading.sort_key(post.scheduled_at), reverse=sort == "desc")
    lookup = _lookup(session, key.team)
    page = [
        await reading.scheduled_entry(post, lookup, settings.public_url)
        for post in scheduled[offset : offset + limit]
    ]
    return schemas.ScheduledList(success=True, total=len(scheduled), posts=page)


@router.delete("/v1/posts/scheduled/{postId}", response_model=schemas.Message)
async def cancel_scheduled(postId: str, key: Key, database: DatabaseDep) -> schemas.Message:  # noqa: N803
    """Cancel a post before tikpost starts sending it to TikTok (409 once it has)."""
    await _cancel(database, key.team, postId)
    return schemas.Message(success=True, message="Post cancelled and moved to draft.")


@router.patch("/v1/posts/scheduled/{postId}", response_model=schemas.Rescheduled)
async def reschedule(
    postId: str,  # noqa: N803
    body: schemas.RescheduleRequest,
    key: Key,
    database: DatabaseDep,
) -> schemas.Rescheduled:
    """Move a scheduled post to a new time (a future one; 409 unless it is scheduled)."""
    moment = translate.when(body.scheduledFor, body.timezone, "scheduledFor")
    async with database.session(write=True) as session:
        post = await service.reschedule_post(session, key.team, postId, moment)
    await review.after_commit(post)
    return schemas.Rescheduled(
        success=True, message="Post rescheduled.", scheduledFor=reading.iso(moment) or ""
    )


@router.get("/v1/posts/{postId}", response_model=schemas.PostAnswer)
async def get_post(
    postId: str,  # noqa: N803
    key: Key,
    session: SessionDep,
    settings: SettingsDep,
) -> schemas.PostAnswer:
    post = await service.read(session, await service.get_post(session, key.team, postId))
    lookup = _lookup(session, key.team)
    return schemas.PostAnswer(
        success=True, post=await reading.post_object(post, lookup, settings.public_url)
    )


@router.delete("/v1/posts/{postId}", response_model=schemas.Message)
async def delete_post(postId: str, key: Key, database: DatabaseDep) -> schemas.Message:  # noqa: N803
    """Cancel a post not yet sent to TikTok; tikpost keeps its record (409 once it is sent:
    a post on TikTok is removed in the TikTok app)."""
    await _cancel(database, key.team, postId)
    return schemas.Message(success=True, message="Post deleted.")


async def _cancel(database: DatabaseDep, team: TeamRead, post_id: str) -> None:
    async with database.session(write=True) as session:
        await service.cancel_post(session, team, post_id, via="the PostPeer API")
