"""HTTP routes for posts (thin: rules live in the service, publishing in the workflow)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from tikpost.kit.db import Database, DbSession, get_database
from tikpost.media.endpoints import get_storage
from tikpost.media.storage import FileChanges, Storage
from tikpost.posts import fetched, photos, service, video_url
from tikpost.posts.models import PostStatus
from tikpost.posts.schemas import PostCreate, PostPage, PostRead
from tikpost.posts.workflow import start_publishing
from tikpost.teams.auth import CurrentTeam

router = APIRouter(prefix="/v1/posts", tags=["posts"])
Db = Annotated[Database, Depends(get_database)]


@router.post("", response_model=PostRead, status_code=202)
async def create_post(
    request: PostCreate,
    team: CurrentTeam,
    database: Db,
    storage: Annotated[Storage, Depends(get_storage)],
    response: Response,
    http: Request,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PostRead:
    """Accept a post and publish it in the background; follow it with GET /v1/posts/{id}.

    With `Idempotency-Key`, repeating the same request returns the same post (with header
    `Idempotent-Replayed: true`), and reusing the key with a different body is refused (422).
    """
    # A `video_url` not verified with TikTok is fetched first, in its own transaction.
    imported = await video_url.prepare(
        database, storage, http.app.state, team, request, idempotency_key
    )
    # Likewise photos given by URL (all or nothing: a failed item leaves none behind).
    imported_photos = await photos.import_urls(
        database, storage, http.app.state, team, request, idempotency_key
    )
    fetched_media = [media for media in (imported, *imported_photos.values()) if media]
    # Photos converted for TikTok are new files: removed again unless the post commits.
    files = FileChanges(storage)
    try:
        async with database.session(write=True) as session:
            post, created = await service.create_post(
                session,
                team,
                request,
                idempotency_key,
                files,
                imported,
                {index: media.id for index, media in imported_photos.items()},
                transcode_default=http.app.state.settings.transcode_default,
            )
            body = await service.read(session, post)
    except BaseException:
        await files.rollback()
        await fetched.discard(database, storage, team, fetched_media)
        raise
    if created:
        await start_publishing(post)
    else:
        await fetched.discard(database, storage, team, fetched_media)
        response.headers["Idempotent-Replayed"] = "true"
    return body


@router.get("", response_model=PostPage)
async def list_posts(
    team: CurrentTeam,
    session: DbSession,
    status: PostStatus | None = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = service.PAGE_SIZE,
) -> PostPage:
    """Newest first; pass `next_cursor` back as `cursor` for the next page."""
    return await service.list_posts(
        session, team, status=status, account_id=account_id, cursor=cursor, limit=limit
    )


@router.get("/{post_id}", response_model=PostRead)
async def get_post(post_id: str, team: CurrentTeam, session: DbSession) -> PostRead:
    """The post with its timeline, TikTok's publish_id and, on failure, what to do."""
    return await service.read(session, await service.get_post(session, team, post_id))


@router.delete("/{post_id}", response_model=PostRead)
async def cancel_post(post_id: str, team: CurrentTeam, database: Db) -> PostRead:
    """Cancel a scheduled or queued post (409 once its upload to TikTok has started)."""
    async with database.session(write=True) as session:
        post = await service.cancel_post(session, team, post_id)
        return await service.read(session, post)


@router.post("/{post_id}/retry", response_model=PostRead, status_code=202)
async def retry_post(post_id: str, team: CurrentTeam, database: Db) -> PostRead:
    """Publish a failed or cancelled post again, as a new attempt."""
    async with database.session(write=True) as session:
        post = await service.retry_post(session, team, post_id)
        body = await service.read(session, post)
    await start_publishing(post)
    return body
