"""All SQL for media. Functions flush at most; the caller's unit of work commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.media.models import Media, UploadSlot


async def add_media(session: AsyncSession, media: Media) -> Media:
    session.add(media)
    await session.flush()
    return media


async def get(session: AsyncSession, media_id: str) -> Media | None:
    """Any team's media by id: for the post that holds the id, or a signed link's holder."""
    return await session.get(Media, media_id)


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


@dataclass(frozen=True)
class Referrer:
    """A table whose rows need media, as media asks it: media sits below the domains that
    refer to it (posts), so they register here rather than media importing them."""

    # Whether a row still on its way (not final) needs these bytes.
    in_use: Callable[[AsyncSession, str], Awaitable[bool]]
    # A correlated EXISTS on `Media.id`: a row needs the media and is unfinished, or finished
    # (last touched) since the cutoff. The one definition of "in use" for retention.
    still_needed: Callable[[datetime], ColumnElement[bool]]


_referrers: list[Referrer] = []


def register_referrer(referrer: Referrer) -> None:
    _referrers.append(referrer)


def _registered() -> list[Referrer]:
    # None registered would make every media row look unused: refuse rather than delete.
    if not _referrers:
        raise RuntimeError("no media referrer registered (import tikpost.posts.repository)")
    return _referrers


async def in_use_by_unfinished_post(session: AsyncSession, media_id: str) -> bool:
    """Whether a post still on its way to TikTok needs these bytes."""
    for referrer in _registered():
        if await referrer.in_use(session, media_id):
            return True
    return False


def _still_needed(cutoff: datetime) -> ColumnElement[bool]:
    return or_(*(referrer.still_needed(cutoff) for referrer in _registered()))


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


async def add_slot(session: AsyncSession, slot: UploadSlot) -> UploadSlot:
    session.add(slot)
    await session.flush()
    return slot


async def get_slot_for_update(session: AsyncSession, slot_id: str) -> UploadSlot | None:
    """Locked (PostgreSQL; SQLite's write transaction already is): claims are single-use."""
    result = await session.execute(
        select(UploadSlot).where(UploadSlot.id == slot_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def get_slot_for_team(session: AsyncSession, team_id: str, slot_id: str) -> UploadSlot | None:
    result = await session.execute(
        select(UploadSlot).where(UploadSlot.id == slot_id, UploadSlot.team_id == team_id)
    )
    return result.scalar_one_or_none()
