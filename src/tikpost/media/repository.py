"""All SQL for media. Functions flush at most; the caller's unit of work commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Text, cast, delete, func, literal, or_, select
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


def _still_needed(cutoff: datetime) -> ColumnElement[bool]:
    """A post uses the media (its video, its transcoded video, or one of its photos) and is
    unfinished, or finished (last touched) since `cutoff`.

    The one definition of "in use" for retention: extend it when media gains other referrers.
    """
    from tikpost.posts.models import FINAL_STATUSES, Post

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


async def lock_expired_media(session: AsyncSession, cutoff: datetime, limit: int) -> list[str]:
    """Ids of media created before `cutoff` that no post needs since then, locked for deletion.

    Locked (PostgreSQL; SQLite's write transaction already excludes other writers) so a post
    being created for one of them at this moment either commits first, and `delete_expired`
    then sees it, or waits for this transaction and finds the media gone. Rows another sweep
    holds are skipped, so sweeps in several processes do not queue behind each other.
    """
    result = await session.execute(
        select(Media.id)
        .where(Media.created_at < cutoff, ~_still_needed(cutoff))
        .order_by(Media.created_at)
        .limit(limit)
        .with_for_update(of=Media, skip_locked=True)
    )
    return list(result.scalars())


async def delete_expired(
    session: AsyncSession, media_ids: list[str], cutoff: datetime
) -> list[str]:
    """Delete those of `media_ids` still expired (checked again, now that they are locked);
    returns the storage keys whose objects may go once this commits."""
    if not media_ids:
        return []
    result = await session.execute(
        delete(Media)
        .where(Media.id.in_(media_ids), Media.created_at < cutoff, ~_still_needed(cutoff))
        .returning(Media.storage_key)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())
