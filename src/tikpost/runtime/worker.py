"""The workflow runtime as the service and `tikpost worker` build it.

The one place that lists the modules holding workflows: importing them registers their
workflows, queues and startup sweeps before DBOS launches, which recovery needs (a workflow
whose function is unknown at launch cannot be resumed). Add a domain's `workflow` module here.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tikpost import migrations
from tikpost.runtime.workflows import WorkflowRuntime, executor_id_for
from tikpost.settings import Settings

logger = logging.getLogger("tikpost")

WORKFLOW_MODULES = (
    "tikpost.webhooks.workflow",
    "tikpost.posts.publish.workflow",
    "tikpost.posts.publish.reconcile",
    "tikpost.media.retention",
)


def create_runtime(
    settings: Settings,
    executor_id: str | None = None,
    role: str = "serve",
    http_hooks: Mapping[str, Sequence[Callable[..., Any]]] | None = None,
) -> WorkflowRuntime:
    """A runtime for this process; without `executor_id`, the `serve` default for this host."""
    for module in WORKFLOW_MODULES:
        importlib.import_module(module)
    chosen = executor_id or executor_id_for(settings, role)
    dequeue = role == "worker" or settings.serve_runs_workflows
    return WorkflowRuntime(settings, chosen, role, dequeue=dequeue, http_hooks=http_hooks)


async def run_worker(
    settings: Settings, executor_id: str, stop: asyncio.Event | None = None
) -> None:
    """`tikpost worker`: migrate, run workflows until SIGINT/SIGTERM (or `stop`), shut down.

    Shutdown cancels running workflows; they stay pending and this executor id (or another
    process recovering it) resumes them at their last finished step.
    """
    await asyncio.to_thread(migrations.upgrade, settings.database_url)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    runtime = create_runtime(settings, executor_id, role="worker")
    await runtime.start()
    logger.info("worker %s running; Ctrl-C to stop", executor_id)
    try:
        await stop.wait()
    finally:
        await runtime.stop()
