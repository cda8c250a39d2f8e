"""The DBOS runtime: durable workflows for publishing posts and delivering webhooks.

DBOS keeps each workflow's progress in its own system database, so a process killed at any
instant resumes its workflows when it (the same executor id, the same application version)
starts again. What that asks of this service, and how this module answers:

- DBOS is a process-wide singleton. `WorkflowRuntime.start()` builds and launches it and
  `stop()` destroys it, so one process runs one runtime at a time: `tikpost serve` (API plus an
  in-process worker), `tikpost worker` (worker only), or one test's service. A test process can
  start and stop services one after another, never two at once (`start()` refuses).
- Workflow functions are registered with DBOS at import time (`@DBOS.workflow`). The modules
  that hold them must be imported before `start()`, or recovery cannot find them: the app and
  the worker build their runtime through `runtime.worker.create_runtime`, which imports them.
- Recovery only picks up workflows of the same `application_version` (pinned here, see
  `APPLICATION_VERSION`) and the same executor id (`executor_id_for`).
- Queues live in the system database and are registered after launch; domain modules declare
  them at import time with `declare_queue` and `start()` registers them all.
- The app's data and DBOS's are separate transactions: commit first, then `enqueue` (the
  workflow id makes a repeated enqueue a no-op). Startup sweeps (`startup_sweep`) run after
  launch to enqueue whatever was committed but never enqueued (a crash in between).
- Several processes may share one system database (scale-out on PostgreSQL): each has its own
  executor id and heartbeat (`tikpost.runtime.liveness`), and the survivors hand a dead one's
  pending workflows back to their queues.
- Stopping drains first: no new step talks to TikTok (`safe_point`), and uploads finish the
  chunk they are sending (`busy`), for at most `shutdown_grace_sec`; then DBOS is destroyed
  (see `tikpost.runtime.drain`).
- Losing the database does not end a workflow: steps declared with `tikpost.runtime.steps.step`
  wait for it and run again, DBOS retries its own writes, and after an outage `after_outage`
  hands back whatever a queue claimed for this executor but never ran.
- Async workflows run on DBOS's own event loop thread (DBOS is launched from a worker thread
  with no loop, so it does not adopt the server's loop). Shutdown cancels them there; a cancelled
  workflow is not recorded as failed, so it resumes at the next start. Workflow code reaches the
  database through `current_runtime().database`, whose engine keeps no pooled connections, so it
  is safe from any event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from dbos import DBOS, DBOSConfig, SetEnqueueOptions, SetWorkflowID
from dbos._context import current_owner_xid
from dbos._dbos import _get_dbos_instance
from dbos._recovery import _recover_workflow
from sqlalchemy.engine import make_url

from tikpost.kit.db import Database
from tikpost.runtime.drain import BusySection, busy, drain, safe_point
from tikpost.runtime.liveness import Liveness
from tikpost.runtime.registry import QueueSpec, declare_queue, declared_queues
from tikpost.settings import Settings

logger = logging.getLogger(__name__)

APP_NAME = "tikpost"
# Bump only when a workflow's steps change (added, removed or reordered). Workflows are
# recovered only by executors of the version that started them: a needless bump orphans every
# scheduled post and pending webhook.
APPLICATION_VERSION = "tikpost-workflows-6"
# How often each queue looks for work; DBOS's default (1 s) delays every start noticeably.
QUEUE_POLLING_INTERVAL_SEC = 0.2

_runtime_lock = threading.Lock()
_current: WorkflowRuntime | None = None


StartupSweep = Callable[["WorkflowRuntime"], Awaitable[None]]

_sweeps: list[StartupSweep] = []


def startup_sweep(sweep: StartupSweep) -> StartupSweep:
    """Decorator: run `sweep(runtime)` after every launch, before the service takes requests.

    For repairing the gap between an app commit and its enqueue: a sweep re-enqueues committed
    work by its workflow id, which is a no-op for work already enqueued. A sweep that raises is
    logged and the start goes on: it is a safety net, not a precondition.
    """
    if sweep not in _sweeps:
        _sweeps.append(sweep)
    return sweep


def executor_id_for(settings: Settings, role: str = "serve") -> str:
    """This process's executor id: `TIKPOST_EXECUTOR_ID` if set, else stable per host and data dir.

    Stable, so a restarted process recovers its own unfinished workflows; unique per live
    process, because a second process with the same id would "recover" (re-run) work the first
    is still doing. The default suits one `serve` per host and data dir; workers and any
    second process must be given their own id.
    """
    if settings.executor_id:
        return settings.executor_id
    digest = hashlib.sha256(str(settings.data_dir).encode()).hexdigest()[:10]
    return f"{role}-{socket.gethostname()}-{digest}"


def system_database_url(settings: Settings) -> str:
    """Where DBOS keeps workflow state: beside the app's data, never inside its tables.

    SQLite: `dbos.sqlite` in the data dir. PostgreSQL: the database `<name>_dbos` on the same
    server (DBOS creates it on first launch, which needs CREATEDB; create it beforehand or set
    `TIKPOST_DBOS_DATABASE_URL` where the role may not).
    """
    if settings.dbos_database_url:
        return settings.dbos_database_url
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{settings.data_dir / 'dbos.sqlite'}"
    return url.set(
        drivername="postgresql+psycopg", database=f"{url.database}_dbos"
    ).render_as_string(hide_password=False)


def dbos_config(settings: Settings, executor_id: str) -> DBOSConfig:
    return {
        "name": APP_NAME,
        "system_database_url": system_database_url(settings),
        "application_version": APPLICATION_VERSION,
        "executor_id": executor_id,
        "log_level": settings.dbos_log_level,
        "notification_listener_polling_interval_sec": QUEUE_POLLING_INTERVAL_SEC,
    }


class WorkflowRuntime:
    """DBOS for one process: launched by `start()`, destroyed by `stop()`.

    `database` is the app database as workflow steps use it (see the module docstring).
    """

    def __init__(
        self,
        settings: Settings,
        executor_id: str,
        role: str = "serve",
        *,
        dequeue: bool = True,
        http_hooks: Mapping[str, Sequence[Callable[..., Any]]] | None = None,
    ) -> None:
        """`dequeue=False` makes an enqueue-only runtime: an API process that leaves running
        workflows to `tikpost worker` processes (it still recovers dead executors' work, by
        handing it back to the queues). `http_hooks` are the host's observers (metrics) for
        the HTTP clients steps make on DBOS's loop, which cannot share the server's."""
        self.settings = settings
        self.http_hooks = http_hooks or {}
        self.executor_id = executor_id
        self.role = role
        self.dequeue = dequeue
        self.database = Database(settings.database_url, pooled=False)
        self.liveness = Liveness(
            settings.database_url,
            executor_id,
            heartbeat_sec=settings.heartbeat_sec,
            stale_sec=settings.executor_stale_sec,
            recover=_recover_executor,
            after_outage=self.after_outage,
        )
        self._registered = False
        self._started = False

    async def start(self) -> None:
        global _current
        with _runtime_lock:
            if _current is not None:
                raise RuntimeError(
                    "a workflow runtime is already running in this process (DBOS is a "
                    "process-wide singleton: one service or worker per process)"
                )
            _current = self
        try:
            drain.reset()
            await self.liveness.register(self.database, self.role)
            self._registered = True
            self.liveness.start()
            system_url = system_database_url(self.settings)
            if make_url(system_url).get_backend_name() == "sqlite":
                self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            # From a thread with no running loop: DBOS then runs async workflows on its own
            # loop, which its shutdown cancels cleanly, instead of adopting the server's.
            await asyncio.to_thread(self._launch)
            self._started = True
            for spec in declared_queues():
                await DBOS.register_queue_async(
                    spec.name,
                    worker_concurrency=spec.worker_concurrency,
                    global_concurrency=spec.global_concurrency,
                    partition_concurrency=spec.partition_concurrency,
                    polling_interval_sec=QUEUE_POLLING_INTERVAL_SEC,
                )
            await self._sweep()
            self.liveness.take_over_from_now_on()
            logger.info("workflow runtime started (executor %s)", self.executor_id)
        except BaseException:
            await self.stop()
            raise

    async def _sweep(self) -> None:
        for sweep in list(_sweeps):
            try:
                await sweep(self)
            except Exception:
                logger.exception("startup sweep %s failed", getattr(sweep, "__name__", sweep))

    async def after_outage(self) -> None:
        """Once the database is back: a workflow claimed for this executor whose dispatch the
        outage cut off is PENDING here but running nowhere, so it goes back to its queue; and
        the sweeps run again, for app commits whose enqueue failed."""
        orphans = await asyncio.to_thread(_recover_orphans, self.executor_id)
        if orphans:
            logger.warning("re-enqueued %d workflow(s) the outage left running nowhere", orphans)
        await self._sweep()
        logger.info("the database answers again; workflows checked after the outage")

    def _launch(self) -> None:
        DBOS(config=dbos_config(self.settings, self.executor_id))
        if not self.dequeue:
            DBOS.listen_queues([])
        DBOS.launch()

    async def stop(self) -> None:
        """Drain, then destroy DBOS; unfinished workflows stay pending and resume at the next
        start of this executor id, or on another process once this one has retired."""
        global _current
        try:
            drain.begin()
            if not await asyncio.to_thread(drain.wait_idle, self.settings.shutdown_grace_sec):
                logger.warning(
                    "uploads still sending after %g s; stopping them mid-chunk (they resume)",
                    self.settings.shutdown_grace_sec,
                )
            self.liveness.stop()
            if self._started:
                # The steps' pooled connections belong to DBOS's loop: closed there, before it ends.
                await asyncio.to_thread(_on_workflow_loop, self.database.dispose_here)
            await asyncio.to_thread(DBOS.destroy, workflow_completion_timeout_sec=0)
            if self._registered:
                await self.liveness.retire(self.database)
                self._registered = False
            # DBOS made its executor this loop's default; it is shut down now, so give the loop
            # a fresh one for whatever runs after us (asyncio.run shuts it down at exit).
            asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor())
            await self.database.dispose()
        finally:
            self._started = False
            with _runtime_lock:
                if _current is self:
                    _current = None


def _on_workflow_loop(action: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `action()` on DBOS's event loop and wait for it (from a thread, not a loop)."""
    try:
        _get_dbos_instance()._background_event_loop.submit_coroutine(action())
    except Exception:
        logger.exception("closing the workflow loop's database connections failed")


def _recover_executor(executor_id: str) -> int:
    """Hand a dead executor's pending workflows back to their queues (any live worker's)."""
    return len(DBOS._recover_pending_workflows([executor_id]))


def _recover_orphans(executor_id: str) -> int:
    """Hand back to their queues this executor's PENDING workflows not running in this
    process. One dispatched in between is refused its step records by DBOS (its ownership
    token is stale) and its side effects by `tikpost.posts.publish.fencing`."""
    dbos = _get_dbos_instance()
    running = set(dbos._active_workflows_set.activeList())
    pending = dbos._sys_db.get_pending_workflows(executor_id, APPLICATION_VERSION)
    running |= set(dbos._active_workflows_set.activeList())
    orphans = [workflow for workflow in pending if workflow.workflow_id not in running]
    for workflow in orphans:
        _recover_workflow(dbos, workflow, [executor_id])
    return len(orphans)


@dataclass(frozen=True)
class Ownership:
    """Who runs a workflow right now: DBOS writes a new token each time a queue hands the
    workflow to a runner, and refuses step records from any runner holding an older one."""

    workflow_id: str
    token: str


def current_ownership() -> Ownership | None:
    """The running workflow's ownership; None outside a workflow."""
    workflow_id = DBOS.workflow_id
    token = current_owner_xid(workflow_id) if workflow_id else None
    return Ownership(workflow_id, token) if workflow_id and token else None


def still_owns(ownership: Ownership) -> bool:
    """Whether the token still owns its workflow (blocking: one system-database read).

    The same check DBOS makes before recording a step, made before side effects instead: see
    `tikpost.posts.publish.fencing`.
    """
    owner: str | None = _get_dbos_instance()._sys_db.get_workflow_owner(ownership.workflow_id)
    return owner == ownership.token


def current_runtime() -> WorkflowRuntime:
    """The running runtime, for workflow steps (settings and database)."""
    runtime = _current
    if runtime is None or not runtime._started:
        raise RuntimeError("no workflow runtime is running in this process")
    return runtime


def abandon_runtime() -> None:
    """Destroy DBOS from outside any event loop, for a process (a test) that lost its runtime
    mid-start or mid-stop; the next `start()` can then proceed."""
    global _current
    DBOS.destroy(workflow_completion_timeout_sec=0)
    with _runtime_lock:
        _current = None


def runtime_running() -> bool:
    return _current is not None and _current._started


async def enqueue(
    queue: QueueSpec | str,
    workflow: Callable[..., Coroutine[Any, Any, Any]],
    *args: Any,
    workflow_id: str,
    partition_key: str | None = None,
    delay_seconds: float | None = None,
) -> None:
    """Enqueue `workflow(*args)` under `workflow_id`; call only after the app commit.

    The id is the idempotency key: enqueueing an id that already exists (running, delayed,
    finished) does nothing, so callers and startup sweeps may enqueue freely. A partitioned
    queue needs `partition_key` (e.g. the TikTok account id); `delay_seconds` holds the
    workflow back until then (a scheduled post), durably.
    """
    if not runtime_running():
        raise RuntimeError("no workflow runtime is running in this process")
    name = queue.name if isinstance(queue, QueueSpec) else queue
    delay = delay_seconds if delay_seconds is not None and delay_seconds > 0 else None
    with (
        SetWorkflowID(workflow_id),
        SetEnqueueOptions(queue_partition_key=partition_key, delay_seconds=delay),
    ):
        await DBOS.enqueue_workflow_async(name, workflow, *args)


async def workflow_exists(workflow_id: str) -> bool:
    """Whether a workflow with this id was ever enqueued or started (any status)."""
    return await DBOS.get_workflow_status_async(workflow_id) is not None


__all__ = [
    "APPLICATION_VERSION",
    "BusySection",
    "Ownership",
    "QueueSpec",
    "StartupSweep",
    "WorkflowRuntime",
    "busy",
    "current_ownership",
    "current_runtime",
    "declare_queue",
    "enqueue",
    "executor_id_for",
    "safe_point",
    "startup_sweep",
    "still_owns",
    "workflow_exists",
]
