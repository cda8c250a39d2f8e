"""Stopping without losing work: what shutdown waits for, and where new work may not start.

Shared by DBOS's loop thread (steps) and the thread stopping the runtime: `begin()` makes
`safe_point` park whatever would start something new at TikTok, and `wait_idle` waits (within
the grace period) for the uploads marked `busy` to reach a chunk boundary. A parked step is
cancelled by DBOS's shutdown; a cancelled step is not recorded, so it runs again from its start
on whichever process resumes the workflow.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Drain:
    """Shutdown's view of the work in flight: how many uploads are mid-chunk, and whether
    new work may start. Shared by DBOS's loop thread (steps) and the stopping thread."""

    def __init__(self) -> None:
        self.draining = threading.Event()
        self._busy = 0
        self._idle = threading.Condition()

    def reset(self) -> None:
        self.draining.clear()

    def begin(self) -> None:
        self.draining.set()

    def enter(self) -> None:
        with self._idle:
            self._busy += 1

    def leave(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)


drain = Drain()


async def _park() -> None:
    """Wait for shutdown to cancel us: a cancelled step is not recorded, so it runs again
    from its start on whichever process resumes the workflow."""
    await asyncio.Event().wait()


async def safe_point() -> None:
    """Call before starting work at TikTok: once shutdown has begun, nothing new starts."""
    if drain.draining.is_set():
        await _park()


class BusySection:
    """Work that shutdown waits for (within the grace period) rather than cut short."""

    def __init__(self) -> None:
        self._counted = False

    def _enter(self) -> None:
        drain.enter()
        self._counted = True

    def _leave(self) -> None:
        if self._counted:
            self._counted = False
            drain.leave()

    async def boundary(self) -> None:
        """A point where stopping loses nothing (a chunk just finished): park if draining."""
        if drain.draining.is_set():
            self._leave()
            await _park()


@asynccontextmanager
async def busy() -> AsyncIterator[BusySection]:
    """Mark an upload as in flight; see `BusySection.boundary` for where it may stop."""
    await safe_point()
    section = BusySection()
    section._enter()
    try:
        yield section
    finally:
        section._leave()


__all__ = ["BusySection", "Drain", "busy", "drain", "safe_point"]
