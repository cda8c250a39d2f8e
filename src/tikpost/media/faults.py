"""When media storage cannot do its job: typed errors every route answers cleanly, and
cleanups that outlast an outage.

`StorageFullError` is 507 `storage_full` (a full disk or quota: only an operator fixes it, so no
Retry-After); `StorageUnavailableError` is 503 `storage_unavailable` with `Retry-After` (a
read-only or inaccessible disk, an unreachable or failing object store). Both are `ApiError`s,
so whichever route meets them (upload, URL import, zip, post creation) answers them the same
way, and a publish waits either out instead of failing the post.

Read-only and permission errors are 503, not 507: the space is there, the storage is not
usable, which is the same to a client as an object store that does not answer.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tikpost.kit.errors import ApiError

logger = logging.getLogger(__name__)
T = TypeVar("T")


class StorageError(Exception):
    """Storage failed or was misconfigured (not the client's fault)."""


class ObjectNotFoundError(StorageError):
    """The key holds no object (deleted, or never committed)."""


# How long a client should wait before trying again while the storage is unavailable.
RETRY_AFTER_SEC = 30
UNAVAILABLE_MESSAGE = (
    "The media storage cannot be used just now (read-only, unreachable or failing); "
    f"try again in {RETRY_AFTER_SEC} s"
)
FULL_MESSAGE = "The media storage is full: free space or raise its quota, then upload again"
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageUnavailableError(StorageError, ApiError):
    """The storage cannot read or write now, but may later: a client retries, a publish waits.

    `detail` (the backend's own words, which may name hosts or paths) goes to the log only."""

    def __init__(
        self,
        detail: str,
        *,
        status: int = 503,
        code: str = "storage_unavailable",
        message: str = UNAVAILABLE_MESSAGE,
    ) -> None:
        headers = {"Retry-After": str(RETRY_AFTER_SEC)} if status == 503 else None
        ApiError.__init__(self, status, code, message, headers=headers)
        self.detail = detail


class StorageFullError(StorageUnavailableError):
    """No space (or quota) left: 507 without Retry-After, since space comes back only when
    someone frees it (a publish still waits a while: an operator may)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, status=507, code="storage_full", message=FULL_MESSAGE)


def storage_failure(what: str, error: OSError) -> StorageUnavailableError:
    """A filesystem's OSError as the typed error above, logged with its detail."""
    detail = f"{what}: {error}"
    logger.warning("media storage failed %s", detail)
    if error.errno in FULL_ERRNOS:
        return StorageFullError(detail)
    return StorageUnavailableError(detail)


@contextmanager
def translated(what: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise storage_failure(what, error) from error


# A cleanup the storage refused while unavailable is retried in the background for this long.
CLEANUP_BUDGET_SEC = 15 * 60
CLEANUP_MAX_PAUSE_SEC = 5.0
_cleanups: set[asyncio.Task[None]] = set()


def clean_up_later(what: str, attempt: Callable[[], Awaitable[None]]) -> None:
    """Run `attempt` until it stops raising StorageUnavailableError, boundedly, in the
    background: the request that left the mess answers at once instead of waiting out an
    outage, and the leftover still goes once the storage is back."""
    task = asyncio.get_running_loop().create_task(_keep_trying(what, attempt))
    _cleanups.add(task)
    task.add_done_callback(_cleanups.discard)


async def _keep_trying(what: str, attempt: Callable[[], Awaitable[None]]) -> None:
    deadline = time.monotonic() + CLEANUP_BUDGET_SEC
    pause = 0.25
    while True:
        try:
            await attempt()
        except StorageUnavailableError:
            if time.monotonic() + pause > deadline:
                logger.warning("media storage: gave up %s; remove it by hand", what)
                return
        else:
            logger.info("media storage: done %s, now that the storage answers", what)
            return
        await asyncio.sleep(pause)
        pause = min(pause * 2, CLEANUP_MAX_PAUSE_SEC)


# Waits between tries while the storage is unavailable: doubling, jittered, at most this long.
FIRST_WAIT_SEC = 1.0
MAX_WAIT_SEC = 15.0


async def waiting_out(
    call: Callable[[], Awaitable[T]],
    *,
    budget_sec: float,
    on_wait: Callable[[StorageUnavailableError, float], Awaitable[None]],
) -> T:
    """`call`, tried again while it meets the storage unavailable (full included: an operator
    may free space), until `budget_sec` has passed; then the last error is raised.
    `on_wait(error, seconds)` is awaited before each wait."""
    deadline = time.monotonic() + budget_sec
    wait = FIRST_WAIT_SEC
    while True:
        try:
            return await call()
        except StorageUnavailableError as error:
            pause = min(wait * random.uniform(0.75, 1.25), deadline - time.monotonic())
            if pause <= 0:
                raise
            await on_wait(error, pause)
            await asyncio.sleep(pause)
            wait = min(wait * 2, MAX_WAIT_SEC)
