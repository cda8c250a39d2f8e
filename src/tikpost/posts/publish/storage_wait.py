"""A publish that meets its media storage unavailable waits for it instead of failing.

Reading the video for TikTok (and writing a transcoded one) needs the storage. A read-only
disk, a full one or an object store that does not answer is an operator's problem that usually
passes, so the step tries again with growing pauses for up to STORAGE_WAIT_SEC (30 min),
saying so once on the post's timeline, and only then fails the post with the storage's code.
Each try starts over from what TikTok holds, so nothing is sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tikpost.media.faults import StorageFullError, StorageUnavailableError, waiting_out
from tikpost.posts import service
from tikpost.posts.failures import Failure, PublishFailedError
from tikpost.posts.publish.context import PublishContext

logger = logging.getLogger(__name__)
T = TypeVar("T")

STORAGE_WAIT_SEC = 30 * 60


async def with_storage(ctx: PublishContext, post_id: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call`, waiting out the storage's outages; past the budget, the post fails."""
    noted = False

    async def note(error: StorageUnavailableError, pause: float) -> None:
        nonlocal noted
        logger.warning(
            "media storage %s for post %s; trying again in %.1f s", error.code, post_id, pause
        )
        if noted:
            return
        noted = True
        async with ctx.database.session(write=True) as session:
            await service.record_if_open(
                session,
                post_id,
                f"Waiting for the media storage ({error.code}); trying again for up to "
                f"{STORAGE_WAIT_SEC / 60:g} min",
                code=error.code,
            )

    try:
        return await waiting_out(call, budget_sec=STORAGE_WAIT_SEC, on_wait=note)
    except StorageUnavailableError as error:
        raise PublishFailedError(gave_up(error)) from error


def gave_up(error: StorageUnavailableError) -> Failure:
    if isinstance(error, StorageFullError):
        what = "was full: free space or raise its quota"
    else:
        what = "could not be used (read-only, unreachable or failing): check it"
    return Failure(
        error.code,
        f"The media storage {what}, then retry the post (waited {STORAGE_WAIT_SEC / 60:g} min).",
        retryable=True,
    )
