"""Retention: media no post needs any more is deleted `TIKPOST_MEDIA_RETENTION_HOURS` after its
last use, rows and stored objects both, so storage does not grow forever.

A medium is kept while any post using it is unfinished, whatever its age, and for the retention
period after it was uploaded or after its last post finished, whichever is later (so a retry or
a second post of the same video soon after still finds it).

The sweep runs as a DBOS scheduled workflow. Every process running workflows registers the same
schedule and DBOS gives each tick one workflow id, so one sweep runs per tick however many
processes there are; and the sweep locks what it deletes, so even two sweeps at once are
harmless. Rows go first and objects after that commit: a failure in between leaves an orphan
object (logged), never a row pointing at nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from dbos import DBOS

from tikpost.kit.db import Database, utcnow
from tikpost.media import repository
from tikpost.media.storage import Storage, StorageError, storage_from_url
from tikpost.runtime.workflows import WorkflowRuntime, current_runtime, startup_sweep
from tikpost.settings import Settings

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "media-retention"
# Every ten minutes: retention is counted in hours, and a sweep with nothing to do is one query.
SCHEDULE = "*/10 * * * *"
# Rows deleted per transaction: keeps locks short on a large backlog.
BATCH = 200


async def sweep_expired_media(
    database: Database,
    storage: Storage,
    retention: timedelta,
    now: datetime | None = None,
) -> int:
    """Delete expired media and their objects; returns how many. Safe to run concurrently."""
    cutoff = (now or utcnow()) - retention
    removed = 0
    while True:
        async with database.session(write=True) as session:
            candidates = await repository.lock_expired_media(session, cutoff, BATCH)
            keys = await repository.delete_expired(session, candidates, cutoff)
        for key in keys:
            try:
                await storage.delete(key)
            except (StorageError, OSError):
                logger.warning("could not delete expired media %s; it is now an orphan", key)
        removed += len(keys)
        if len(candidates) < BATCH:
            break
    if removed:
        logger.info("retention: deleted %d media unused for %s", removed, retention)
    return removed


def retention_period(settings: Settings) -> timedelta:
    return timedelta(hours=settings.media_retention_hours)


@DBOS.step(name="media.retention.sweep")
async def _sweep_step() -> int:
    runtime = current_runtime()
    settings = runtime.settings
    storage = storage_from_url(settings.storage_url, settings)
    return await sweep_expired_media(runtime.database, storage, retention_period(settings))


@DBOS.workflow(name="media.retention")
async def retention_workflow(scheduled_at: datetime, context: Any) -> None:
    """One scheduled tick (DBOS passes the tick's time and the schedule's context)."""
    await _sweep_step()


@startup_sweep
async def schedule_retention(runtime: WorkflowRuntime) -> None:
    """Create or refresh the schedule at every start (an upsert: any process may do it)."""
    await DBOS.apply_schedules_async(
        [
            {
                "schedule_name": SCHEDULE_NAME,
                "workflow_fn": retention_workflow,
                "schedule": SCHEDULE,
            }
        ]
    )
