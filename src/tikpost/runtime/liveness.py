"""Which executors are alive, and who finishes the work of one that died.

DBOS resumes a process's unfinished workflows when a process with the same executor id starts
again. A worker that dies for good (its machine gone, its deployment scaled down, its id never
reused) would leave its workflows pending forever, and DBOS itself has no notion of liveness.
So every workflow runtime announces itself here, in the app database:

- on start it writes its row (`executors`): id, a fresh incarnation token, a heartbeat;
- every `heartbeat_sec` it renews the heartbeat, but only while the row still holds its own
  incarnation. A row that is gone or holds another incarnation means another process declared
  this one dead and took its work, so it must stop at once (`on_fenced`; the CLI exits);
- it beats from the moment it registers, through DBOS's launch and the startup sweeps, which
  on a loaded machine or with much to recover can outlast the stale bound;
- once launched, on the same beat it looks at everyone else's heartbeat. Silence is measured
  by the watcher's own clock, and only while it was watching: a heartbeat value it has seen
  unchanged for `executor_stale_sec` of its own steady looking. So clocks that disagree
  between hosts do not matter, and a stall of the whole machine (both processes frozen
  together) is not taken for a death. It deletes such a row only if the heartbeat is still
  the one it saw (so two survivors never both take it, and a process that came back in
  between keeps its row), then asks DBOS to hand that executor's pending workflows back to
  their queues, where exactly one live worker dequeues each;
- on a graceful stop it dates its heartbeat to the epoch, so the others take its leftovers on
  their next beat instead of after the stale bound.

A process that is slow rather than dead (paused, partitioned) may still be running a workflow
that was taken over. DBOS refuses its step records (ownership tokens), and
`tikpost.posts.publish.fencing` refuses its side effects at TikTok; its next heartbeat then finds
it fenced.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tikpost.kit.db import Database, utcnow
from tikpost.kit.db_outage import is_connection_loss, noticed, take_noticed
from tikpost.runtime import repository
from tikpost.runtime.models import RETIRED, Executor

logger = logging.getLogger(__name__)

# A fenced process exits with this (EX_TEMPFAIL): its supervisor should start it again.
FENCED_EXIT_CODE = 75


Recover = Callable[[str], int]


class ExecutorIdInUseError(RuntimeError):
    def __init__(self, executor_id: str, host: str, pid: int) -> None:
        super().__init__(
            f"executor id {executor_id!r} is in use by pid {pid} on {host}; give every "
            "process its own id (TIKPOST_EXECUTOR_ID or --executor-id)"
        )


def _live_holder(
    found: Executor | None, host: str, now: datetime, stale_sec: float
) -> Executor | None:
    """The row's holder if it may still be running, else None (the id is free to take)."""
    if found is None or found.heartbeat_at < now - timedelta(seconds=stale_sec):
        return None
    if found.host == host and not _pid_alive(found.pid):
        return None
    return found


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own earlier runtime in this process (tests start several in turn)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_fenced() -> None:
    """What a fenced CLI process does: stop everything now, recording nothing more."""
    logger.critical("another process took over this executor's work; exiting")
    logging.shutdown()
    os._exit(FENCED_EXIT_CODE)


@dataclass(frozen=True)
class _Sighting:
    heartbeat_at: datetime
    silent_for: float
    looked_at: float


class SilenceWatch:
    """How long each other executor's heartbeat has stood still, as this process saw it.

    Each look adds the time since the previous look to the silence of every heartbeat found
    unchanged, but never more than `max_gap`: time this watcher itself was not looking (its
    thread starved, its machine paused) is not evidence that someone else died.
    """

    def __init__(self, stale_sec: float, max_gap: float) -> None:
        self.stale_sec = stale_sec
        self.max_gap = max_gap
        self._seen: dict[str, _Sighting] = {}

    def look(self, rows: Iterable[tuple[str, datetime]], now: float) -> list[tuple[str, datetime]]:
        """The (id, heartbeat) of each executor now presumed dead: retired, or silent too long."""
        dead = []
        seen = {}
        for executor_id, heartbeat_at in rows:
            before = self._seen.get(executor_id)
            if heartbeat_at == RETIRED:
                dead.append((executor_id, heartbeat_at))
                continue
            silent_for = 0.0
            if before is not None and before.heartbeat_at == heartbeat_at:
                silent_for = before.silent_for + min(now - before.looked_at, self.max_gap)
            seen[executor_id] = _Sighting(heartbeat_at, silent_for, now)
            if silent_for > self.stale_sec:
                dead.append((executor_id, heartbeat_at))
        self._seen = seen
        return dead


class Liveness:
    """This process's heartbeat, and the watch over everyone else's, on a thread of its own.

    A thread, not a task on the server's loop: a loop stalled by a long synchronous call must
    not make a healthy process look dead to the others.

    `start()` begins beating (call it right after `register`); `take_over_from_now_on()` adds
    the watch over the others, which needs DBOS launched to hand their work back.
    """

    def __init__(
        self,
        database_url: str,
        executor_id: str,
        *,
        heartbeat_sec: float,
        stale_sec: float,
        recover: Recover,
        after_outage: Callable[[], Awaitable[None]] | None = None,
        on_fenced: Callable[[], None] = exit_fenced,
    ) -> None:
        self.database_url = database_url
        self.executor_id = executor_id
        self.incarnation = uuid.uuid4().hex
        self.heartbeat_sec = heartbeat_sec
        self.stale_sec = stale_sec
        self.recover = recover
        self.after_outage = after_outage
        self.on_fenced = on_fenced
        self._stop = threading.Event()
        self._taking_over = threading.Event()
        self._thread: threading.Thread | None = None
        self._silence = SilenceWatch(stale_sec, max_gap=3 * heartbeat_sec)

    async def register(self, database: Database, role: str) -> None:
        """Claim the row before DBOS launches, so no survivor takes this id's work meanwhile.

        The id may still be held: by the process this one replaces (killed a moment ago, so
        its heartbeat is fresh), or by mistake by a live process. A holder on this host whose
        pid is gone, or any holder silent for `stale_sec`, is replaced; a live holder on this
        host is an error at once; one elsewhere is waited out, then an error. Taking the id
        from a live process would fence it, and it would exit.
        """
        host = socket.gethostname()[:255]
        waited_until = time.monotonic() + 2 * self.stale_sec
        while True:
            now = utcnow()
            async with database.session(write=True) as session:
                found = await repository.lock(session, self.executor_id)
                holder = _live_holder(found, host, now, self.stale_sec)
                if holder is None:
                    values = {
                        "incarnation": self.incarnation,
                        "role": role,
                        "host": host,
                        "pid": os.getpid(),
                        "started_at": now,
                        "heartbeat_at": now,
                    }
                    await repository.claim(session, self.executor_id, found is not None, values)
                    return
            if holder.host == host or time.monotonic() > waited_until:
                raise ExecutorIdInUseError(self.executor_id, holder.host, holder.pid)
            logger.warning(
                "executor id %s is held by pid %d on %s; waiting for it to go silent",
                self.executor_id,
                holder.pid,
                holder.host,
            )
            await asyncio.sleep(self.heartbeat_sec)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"tikpost-liveness-{self.executor_id}", daemon=True
        )
        self._thread.start()

    def take_over_from_now_on(self) -> None:
        self._taking_over.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._stop.clear()
        self._taking_over.clear()

    async def retire(self, database: Database) -> None:
        """Leave gracefully: others take any leftover work at their next beat."""
        async with database.session(write=True) as session:
            await repository.retire(session, self.executor_id, self.incarnation)

    def _run(self) -> None:
        asyncio.run(self._watch())

    async def _watch(self) -> None:
        """Beat until stopped. The database being away must not end this thread nor fence us:
        a failed beat is tried again at the next one, and our row keeps its last heartbeat,
        which nobody can take meanwhile (they cannot reach the database either) and whose
        silence the others count only while they can look (`SilenceWatch`). Once a beat goes
        through again after a connection loss (ours or any step's), `after_outage` runs."""
        database = Database(self.database_url, pooled=False)
        outage = unrepaired = False
        repair: asyncio.Task[None] | None = None
        try:
            while not await asyncio.to_thread(self._stop.wait, self.heartbeat_sec):
                try:
                    alive = await beat(database, self.executor_id, self.incarnation)
                except Exception as exc:
                    outage = self._beat_failed(exc, outage)
                    continue
                if not alive:
                    self.on_fenced()
                    return
                if outage:
                    logger.warning("the database answers again; heartbeat resumed")
                    outage, unrepaired = False, True
                if not self._taking_over.is_set():
                    continue
                unrepaired = take_noticed() or unrepaired
                if unrepaired and (repair is None or repair.done()):
                    repair = asyncio.create_task(self._after_outage())
                    unrepaired = False
                try:
                    await self._take_over(database)
                except Exception as exc:
                    outage = self._beat_failed(exc, outage)
        finally:
            if repair is not None:
                repair.cancel()
            await database.dispose()

    def _beat_failed(self, exc: Exception, outage: bool) -> bool:
        """Log a failed beat (a lost database once per outage); whether the database is away."""
        if not is_connection_loss(exc):
            logger.error("executor heartbeat failed", exc_info=exc)
            return outage
        if not outage:
            logger.warning("the database is not answering (%s); beating on", type(exc).__name__)
        return True

    async def _take_over(self, database: Database) -> None:
        for dead in await take_over_dead(database, self.executor_id, self._silence, time.monotonic):
            count = await asyncio.to_thread(self.recover, dead)
            logger.warning(
                "executor %s stopped beating; re-enqueued its %d pending workflow(s)", dead, count
            )

    async def _after_outage(self) -> None:
        if self.after_outage is None:
            return
        try:
            await self.after_outage()
        except Exception as exc:
            if is_connection_loss(exc):
                noticed()  # gone again: the next beat that goes through tries once more
            else:
                logger.exception("checking workflows after the outage failed")


async def beat(database: Database, executor_id: str, incarnation: str) -> bool:
    """Renew our heartbeat; False when the row is no longer ours (we were fenced)."""
    async with database.session(write=True) as session:
        return await repository.renew(session, executor_id, incarnation, utcnow())


async def take_over_dead(
    database: Database, own_id: str, silence: SilenceWatch, clock: Callable[[], float]
) -> list[str]:
    """Ids of executors `silence` presumes dead whose rows this call removed.

    Each delete is conditional on the heartbeat read a moment before, so of several survivors
    exactly one takes a dead executor, and an executor that beat again in between is spared.
    """
    async with database.session() as session:
        rows = await repository.heartbeats(session, own_id)
    taken = []
    for executor_id, seen in silence.look(rows, clock()):
        async with database.session(write=True) as session:
            if await repository.delete_if_heartbeat(session, executor_id, seen):
                taken.append(executor_id)
    return taken


__all__ = [
    "FENCED_EXIT_CODE",
    "RETIRED",
    "Executor",
    "ExecutorIdInUseError",
    "Liveness",
    "SilenceWatch",
    "beat",
    "exit_fenced",
    "take_over_dead",
]
