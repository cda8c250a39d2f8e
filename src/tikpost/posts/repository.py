"""All SQL for posts and their timelines; flushes at most, never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.posts.models import FINAL_STATUSES, Post, PostEvent


async def add(session: AsyncSession, post: Post) -> Post:
    session.add(post)
    await session.flush()
    return post


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
) -> list[Post]:
    """Newest first; ids are time-ordered, so the last id of a page is the next cursor."""
    query = select(Post).where(Post.team_id == team_id)
    if status is not None:
        query = query.where(Post.status == status)
    if account_id is not None:
        query = query.where(Post.account_id == account_id)
    if before_id is not None:
        query = query.where(Post.id < before_id)
    result = await session.execute(query.order_by(Post.id.desc()).limit(limit))
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
    result = await session.execute(select(Post).where(Post.status.not_in(FINAL_STATUSES)))
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
