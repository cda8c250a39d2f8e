"""A first-come, first-served queue for SQLite's write lock, across a process's event loops.

SQLite has one write lock per database, and a writer that finds it taken sleeps and tries
again (its busy handler: sleeps growing to 100 ms). Under load that is a lottery, not a
queue: a writer that just arrived takes the lock the moment it frees, while one that has
waited for seconds is asleep; the bench's creates waited up to 10 s behind the workflows'
steps that way (docs/benchmarks.md). So the writers of one process queue here first, in
order of arrival, whichever event loop they run on (the API's, DBOS's), and only the head of
the queue asks SQLite. Other processes on the same file still meet at SQLite's own lock.

A wait here is bounded by the same busy timeout as SQLite's own, and ends the same way
(`database is locked`), so a database held by another process past it is still the outage
`tikpost.kit.db_outage` knows, not an endless queue.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque


class WriteGate:
    """One holder at a time; the others in arrival order, each woken on its own loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    async def acquire(self, wait_sec: float) -> None:
        """Wait for the gate, in turn; `sqlite3.OperationalError` after `wait_sec` seconds.
        Whoever acquires it calls `release` once, from any thread."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if not self._held:
                self._held = True
                return
            waiter: asyncio.Future[None] = loop.create_future()
            entry = (loop, waiter)
            self._waiters.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), wait_sec)
        except BaseException as exc:
            with self._lock:
                handed = entry not in self._waiters
                if not handed:
                    self._waiters.remove(entry)
            if handed:
                if waiter.done():  # the gate is ours already
                    if isinstance(exc, TimeoutError):
                        return  # it came just in time: keep it
                    self.release()
                else:
                    waiter.cancel()  # the hand-over, still to run here, passes it on
            if isinstance(exc, TimeoutError):
                raise sqlite3.OperationalError("database is locked") from exc
            raise

    def release(self) -> None:
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if loop.is_closed() or not loop.is_running():
                    continue  # a loop that stopped (a runtime shut down) takes nothing
                loop.call_soon_threadsafe(self._grant, waiter)
                return  # still held: handed over
            self._held = False

    def _grant(self, waiter: asyncio.Future[None]) -> None:
        if waiter.done():  # its wait ended (cancelled, timed out) before the hand-over ran
            self.release()
        else:
            waiter.set_result(None)


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def gate_for(path: str) -> WriteGate:
    """The process's one gate for the SQLite file at `path`."""
    with _gates_lock:
        return _gates.setdefault(path, WriteGate())
