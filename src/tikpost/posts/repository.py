"""All SQL for posts and their timelines; flushes at most, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Text, cast, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts.models import Account
from tikpost.kit.db import utcnow
from tikpost.media import repository as media_repository
from tikpost.media.models import Media
from tikpost.posts.models import Post, PostEvent
from tikpost.posts.statuses import FINAL_STATUSES, PostStatus

# Posts no workflow should run: finished, or held for review (approval enqueues theirs).
_NO_WORKFLOW = FINAL_STATUSES | {PostStatus.AWAITING_REVIEW}


async def add_event(session: AsyncSession, event: PostEvent) -> None:
    session.add(event)
    await session.flush()


async def get_for_team(session: AsyncSession, team_id: str, post_id: str) -> Post | None:
    result = await session.execute(
        select(Post).where(Post.id == post_id, Post.team_id == team_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def get_for_update(session: AsyncSession, post_id: str) -> Post | None:
    result = await session.execute(select(Post).where(Post.id == post_id).with_for_update())
    return result.scalar_one_or_none()


async def find_by_idempotency_key(session: AsyncSession, team_id: str, key: str) -> Post | None:
    result = await session.execute(
        select(Post).where(Post.team_id == team_id, Post.idempotency_key == key)
    )
    return result.scalar_one_or_none()


async def list_for_team(
    session: AsyncSession,
    team_id: str,
    *,
    status: str | None,
    account_id: str | None,
    before_id: str | None,
    limit: int,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
) -> list[Post]:
    """Newest first; ids are time-ordered, so the last id of a page is the next cursor."""
    query = select(Post).where(Post.team_id == team_id)
    if created_from is not None:
        query = query.where(Post.created_at >= created_from)
    if created_before is not None:
        query = query.where(Post.created_at < created_before)
    if status is not None:
        query = query.where(Post.status == status)
    if account_id is not None:
        query = query.where(Post.account_id == account_id)
    if before_id is not None:
        query = query.where(Post.id < before_id)
    result = await session.execute(query.order_by(Post.id.desc()).limit(limit))
    return list(result.scalars())


async def in_window(
    session: AsyncSession, team_id: str, start: datetime, end: datetime, limit: int
) -> list[Post]:
    """The team's posts planned for, or finished within, [start, end): what a calendar shows."""
    planned = (Post.scheduled_at >= start) & (Post.scheduled_at < end)
    finished = (Post.finished_at >= start) & (Post.finished_at < end)
    result = await session.execute(
        select(Post)
        .where(Post.team_id == team_id, or_(planned, finished))
        .order_by(func.coalesce(Post.scheduled_at, Post.finished_at), Post.id)
        .limit(limit)
    )
    return list(result.scalars())


async def events_for(session: AsyncSession, post_ids: Sequence[str]) -> dict[str, list[PostEvent]]:
    if not post_ids:
        return {}
    result = await session.execute(
        select(PostEvent)
        .where(PostEvent.post_id.in_(post_ids))
        .order_by(PostEvent.at, PostEvent.id)
    )
    grouped: dict[str, list[PostEvent]] = {post_id: [] for post_id in post_ids}
    for event in result.scalars():
        grouped[event.post_id].append(event)
    return grouped


async def unfinished(session: AsyncSession) -> list[Post]:
    """Posts on their way to TikTok (not held for review): what the startup sweeps look at."""
    result = await session.execute(select(Post).where(Post.status.not_in(_NO_WORKFLOW)))
    return list(result.scalars())


async def waiting_for_account(
    session: AsyncSession, account_id: str, statuses: Sequence[str]
) -> list[Post]:
    """The account's posts in `statuses`, locked, oldest first."""
    result = await session.execute(
        select(Post)
        .where(Post.account_id == account_id, Post.status.in_(statuses))
        .order_by(Post.id)
        .with_for_update()
    )
    return list(result.scalars())


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """Posts per status, for the scrape-time gauges."""
    query = select(Post.status, func.count()).group_by(Post.status)
    return {status: count for status, count in await session.execute(query)}


async def get(session: AsyncSession, post_id: str) -> Post | None:
    return await session.get(Post, post_id)


async def stale_unfinished(session: AsyncSession, cutoff: datetime, limit: int) -> list[Post]:
    """Unfinished posts untouched since `cutoff`, stalest first (the reconciler's scan)."""
    return list(
        (
            await session.execute(
                select(Post)
                .where(Post.status.not_in(_NO_WORKFLOW), Post.updated_at < cutoff)
                .order_by(Post.updated_at)
                .limit(limit)
            )
        ).scalars()
    )


async def bump_attempt(session: AsyncSession, post_id: str, attempt: int) -> bool:
    """Move the post from `attempt` to the next; False if another process just did."""
    moved = await session.execute(
        update(Post).where(Post.id == post_id, Post.attempt == attempt).values(attempt=attempt + 1)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


async def set_progress_if_fenced(
    session: AsyncSession, post_id: str, fence: str | None, held: int
) -> bool:
    """Record the bytes TikTok holds, only if the post is uploading, its account ready and (when
    `fence` is given) its fence that token; False when refused."""
    ready = select(Account.id).where(Account.status == "ready")
    statement = update(Post).where(
        Post.id == post_id, Post.status == "uploading", Post.account_id.in_(ready)
    )
    if fence is not None:
        statement = statement.where(Post.fence == fence)
    result = await session.execute(statement.values(uploaded_bytes=held, updated_at=utcnow()))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def find_by_publish_id(session: AsyncSession, publish_id: str) -> Post | None:
    result = await session.execute(select(Post).where(Post.publish_id == publish_id))
    return result.scalar_one_or_none()


async def media_in_use(session: AsyncSession, media_id: str) -> bool:
    """Whether a post still on its way to TikTok needs these bytes."""
    # A carousel's photo ids are a JSON array: match the quoted id in its text (see below).
    in_photos = cast(Post.photos, Text).like(f'%"{media_id}"%')
    result = await session.execute(
        select(Post.id)
        .where(
            or_(Post.media_id == media_id, Post.transcoded_media_id == media_id, in_photos),
            Post.status.not_in(FINAL_STATUSES),
        )
        .limit(1)
    )
    return result.first() is not None


def media_still_needed(cutoff: datetime) -> ColumnElement[bool]:
    """A post uses the media (its video, its transcoded video, or one of its photos) and is
    unfinished, or finished (last touched) since `cutoff`.

    The one definition of "in use" for retention: extend it when media gains other referrers.
    """
    # A carousel lists its images' ids in a JSON array; matching the quoted id in its text
    # works on SQLite and PostgreSQL alike (`_` in ids is a LIKE wildcard: at worst a false
    # match, which only keeps media longer).
    in_photos = cast(Post.photos, Text).like(literal('%"') + Media.id + literal('"%'))
    return (
        select(Post.id)
        .where(
            or_(Post.media_id == Media.id, Post.transcoded_media_id == Media.id, in_photos),
            or_(
                Post.status.not_in(FINAL_STATUSES),
                func.coalesce(Post.finished_at, Post.updated_at) >= cutoff,
            ),
        )
        .exists()
    )


media_repository.register_referrer(
    media_repository.Referrer(in_use=media_in_use, still_needed=media_still_needed)
)


async def sent_since(session: AsyncSession, account_id: str, since: datetime) -> int:
    """Posts of the account that reached TikTok (a publish_id) and moved since `since`: what
    counts against a per-account daily limit, counted generously (a post's last change is at
    or after its publish call)."""
    query = select(func.count()).where(
        Post.account_id == account_id,
        Post.publish_id.is_not(None),
        Post.updated_at >= since,
    )
    return int((await session.execute(query)).scalar_one())
