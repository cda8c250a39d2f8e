"""All SQL for media. Functions flush at most; the caller's unit of work commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.media.models import Media


async def add_media(session: AsyncSession, media: Media) -> Media:
    session.add(media)
    await session.flush()
    return media


async def get_media(session: AsyncSession, team_id: str, media_id: str) -> Media | None:
    """The team's media by id; another team's id reads as missing, so ids leak nothing."""
    result = await session.execute(
        select(Media).where(Media.id == media_id, Media.team_id == team_id)
    )
    return result.scalar_one_or_none()


async def list_media(
    session: AsyncSession, team_id: str, limit: int, before_id: str | None
) -> list[Media]:
    """Newest first; ids are time-ordered, so `id < before_id` is a stable keyset cursor."""
    query = select(Media).where(Media.team_id == team_id)
    if before_id is not None:
        query = query.where(Media.id < before_id)
    result = await session.execute(query.order_by(Media.id.desc()).limit(limit))
    return list(result.scalars())


async def delete_media(session: AsyncSession, media: Media) -> None:
    await session.delete(media)
    await session.flush()


async def in_use_by_unfinished_post(session: AsyncSession, media_id: str) -> bool:
    """Whether a post still on its way to TikTok needs these bytes."""
    from tikpost.posts.models import FINAL_STATUSES, Post

    result = await session.execute(
        select(Post.id)
        .where(Post.media_id == media_id, Post.status.not_in(FINAL_STATUSES))
        .limit(1)
    )
    return result.first() is not None
