"""HTTP routes for posts (thin: rules live in the service, publishing in the workflow)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from tikpost.deps import CurrentTeam, DatabaseDep, SessionDep, TokensDep
from tikpost.kit.idempotency import mark_replayed
from tikpost.posts import review, service, transitions
from tikpost.posts.consent import Consent
from tikpost.posts.deps import IntakeDep
from tikpost.posts.schemas import PostCreate, PostPage, PostRead, PostUpdate, ReviewRejection
from tikpost.posts.statuses import PostStatus
from tikpost.teams.auth import CurrentKey

router = APIRouter(prefix="/v1/posts", tags=["posts"])
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


@router.post("", response_model=PostRead, status_code=202)
async def create_post(
    request: PostCreate,
    key: CurrentKey,
    intake: IntakeDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PostRead:
    """Accept a post and publish it in the background; follow it with GET /v1/posts/{id}.

    With `Idempotency-Key`, repeating the same request returns the same post (with header
    `Idempotent-Replayed: true`), and reusing the key with a different body is refused (422).
    """
    accepted = await intake.accept(
        key.team, request, idempotency_key, Consent.api_key(key.api_key_id)
    )
    mark_replayed(response, accepted.replayed)
    return accepted.post


@router.get("", response_model=PostPage)
async def list_posts(
    team: CurrentTeam,
    session: SessionDep,
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
async def get_post(post_id: str, team: CurrentTeam, session: SessionDep) -> PostRead:
    """The post with its timeline, TikTok's publish_id and, on failure, what to do."""
    return await service.read(session, await service.get_post(session, team, post_id))


@router.delete("/{post_id}", response_model=PostRead)
async def cancel_post(
    post_id: str,
    team: CurrentTeam,
    database: DatabaseDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PostRead:
    """Cancel a scheduled or queued post (409 once its upload to TikTok has started).

    With `Idempotency-Key` (as for retry, approve and reject), a repeat under the same key
    answers with the post as it is now (`Idempotent-Replayed: true`) instead of a 409."""
    async with database.session(write=True) as session:
        post, replayed = await transitions.once(
            session,
            team,
            post_id,
            "cancel",
            idempotency_key,
            lambda: service.cancel_post(session, team, post_id),
        )
        body = await service.read(session, post)
    mark_replayed(response, replayed)
    return body


@router.post("/{post_id}/retry", response_model=PostRead, status_code=202)
async def retry_post(
    post_id: str,
    team: CurrentTeam,
    database: DatabaseDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PostRead:
    """Publish a failed or cancelled post again, as a new attempt."""
    async with database.session(write=True) as session:
        post, replayed = await transitions.once(
            session,
            team,
            post_id,
            "retry",
            idempotency_key,
            lambda: service.retry_post(session, team, post_id),
        )
        body = await service.read(session, post)
    if not replayed:
        # A post never approved goes back to the review queue instead of to TikTok.
        await review.after_commit(post)
    mark_replayed(response, replayed)
    return body


@router.patch("/{post_id}", response_model=PostRead)
async def update_post(
    post_id: str, changes: PostUpdate, team: CurrentTeam, database: DatabaseDep, tokens: TokensDep
) -> PostRead:
    """Edit a post awaiting review (it stays there, any approval void; checked against the
    creator's fresh creator_info like a new post), or give a scheduled post a new
    `scheduled_at`; 409 for any other post."""
    creator = await review.fresh_creator(database, tokens, team, post_id)
    async with database.session(write=True) as session:
        post = await review.edit(session, team, post_id, changes, creator)
        body = await service.read(session, post)
    await review.after_commit(post)
    return body


@router.post("/{post_id}/approve", response_model=PostRead)
async def approve_post(
    post_id: str,
    key: CurrentKey,
    database: DatabaseDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PostRead:
    """Consent to a post awaiting review, as this API key: it is queued (or scheduled)."""
    consent = Consent.api_key(key.api_key_id)
    async with database.session(write=True) as session:
        post, replayed = await transitions.once(
            session,
            key.team,
            post_id,
            "approve",
            idempotency_key,
            lambda: review.approve(session, key.team, post_id, consent),
        )
        body = await service.read(session, post)
    if not replayed:
        await review.after_commit(post)
    mark_replayed(response, replayed)
    return body


@router.post("/{post_id}/reject", response_model=PostRead)
async def reject_post(
    post_id: str,
    rejection: ReviewRejection,
    key: CurrentKey,
    database: DatabaseDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PostRead:
    """Refuse a post awaiting review: it is cancelled, with the reason as its error."""
    consent = Consent.api_key(key.api_key_id)
    async with database.session(write=True) as session:
        post, replayed = await transitions.once(
            session,
            key.team,
            post_id,
            "reject",
            idempotency_key,
            lambda: review.reject(session, key.team, post_id, rejection.reason, consent),
        )
        body = await service.read(session, post)
    mark_replayed(response, replayed)
    return body
