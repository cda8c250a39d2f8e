"""Media fetched for a post before the post's own transaction: a `video_url`, `photos` URLs.

A fetch can take minutes, so it commits on its own, before the post is created (holding the
post's write transaction open that long would stall every other writer on SQLite). Both kinds
share the two things here: whether a request deserves a fetch at all, and undoing the fetch
when the post is then not created.
"""

from __future__ import annotations

from collections.abc import Iterable

import anyio

from tikpost.kit.db import Database
from tikpost.media import service as media_service
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges, Storage
from tikpost.posts import repository, rules
from tikpost.posts.schemas import PostCreate
from tikpost.teams.schemas import TeamRead


async def worth_fetching(
    database: Database, team: TeamRead, request: PostCreate, idempotency_key: str | None
) -> bool:
    """False for a replayed Idempotency-Key (the stored post is returned as it is); otherwise
    the request-only rules run first, raising, so a doomed request fetches nothing."""
    if idempotency_key is not None:
        async with database.session() as session:
            if await repository.find_by_idempotency_key(session, team.id, idempotency_key):
                return False
    rules.check_request(request)
    return True


async def discard(
    database: Database, storage: Storage, team: TeamRead, fetched: Iterable[MediaRead]
) -> None:
    """Delete media fetched for a post that was not created (refused, failed, a replay)."""
    media_ids = sorted({media.id for media in fetched})
    if not media_ids:
        return
    files = FileChanges(storage)
    # Shielded: this often runs because the request failed or was cancelled.
    with anyio.CancelScope(shield=True):
        async with database.session(write=True) as session:
            for media_id in media_ids:
                await media_service.delete_media(session, files, team.id, media_id)
        await files.commit()
