"""Delivering webhooks durably: one DBOS workflow per delivery, workflow id = delivery id.

Each attempt is a step (read the delivery, sign, POST, record the outcome); between attempts
the workflow sleeps durably, so a restart mid-backoff resumes at the same point of the schedule.
A step repeated after a crash may send the same message twice; receivers deduplicate on the
`webhook-id` header, as Standard Webhooks asks of them.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import partial

import httpx
from dbos import DBOS
from standardwebhooks import Webhook

from tikpost import __version__
from tikpost.kit.loop_clients import LoopClients
from tikpost.kit.safe_fetch import UrlGuard, UrlNotAllowedError, guarded_client
from tikpost.runtime.steps import step
from tikpost.runtime.workflows import (
    QueueSpec,
    WorkflowRuntime,
    current_runtime,
    declare_queue,
    enqueue,
    startup_sweep,
)
from tikpost.settings import Settings
from tikpost.webhooks import service
from tikpost.webhooks.service import AttemptPlan

# Bounds how many deliveries one process sends at once (a slow receiver holds a slot).
DELIVERY_CONCURRENCY = 32
DELIVERY_QUEUE = declare_queue(
    QueueSpec("webhook-deliveries", worker_concurrency=DELIVERY_CONCURRENCY)
)
REQUEST_TIMEOUT_SEC = 10.0
RETRY_FIRST_DELAY_SEC = 10.0
RETRY_MAX_DELAY_SEC = 3600.0
RETRY_WINDOW_SEC = 24 * 3600.0


def _default_schedule() -> tuple[float, ...]:
    """10 s, 20 s, 40 s … doubling up to an hour, until a day has passed."""
    delays: list[float] = []
    delay = RETRY_FIRST_DELAY_SEC
    while sum(delays) < RETRY_WINDOW_SEC:
        delays.append(delay)
        delay = min(delay * 2, RETRY_MAX_DELAY_SEC)
    return tuple(delays)


# Seconds to wait after each failed attempt; one attempt more than there are delays.
RETRY_SCHEDULE = _default_schedule()


def retry_schedule(settings: Settings) -> list[float]:
    return list(settings.webhook_retry_delays or RETRY_SCHEDULE)


@DBOS.workflow(name="webhooks.deliver.scheduled")
async def deliver_on_schedule(delivery_id: str, delays: list[float]) -> str:
    """Attempt until success or `delays` is spent; returns the final status.

    The schedule is the workflow's input, which DBOS keeps with it, so a delivery keeps the
    schedule it started with across restarts and a change of TIKPOST_WEBHOOK_RETRY_DELAYS."""
    return await _attempt_until_done(delivery_id, delays)


@DBOS.step(name="webhooks.schedule")
async def _schedule_step() -> list[float]:
    """Checkpointed, so a delivery keeps the schedule it started with across restarts."""
    return retry_schedule(current_runtime().settings)


@DBOS.workflow(name="webhooks.deliver")
async def deliver(delivery_id: str) -> str:
    """The delivery workflow of earlier releases: the same, with the schedule read in a step
    of its own (four of DBOS's statements per delivery). Kept, unchanged, so deliveries
    started by an earlier release replay to the end under this workflow version; new ones
    start `deliver_on_schedule`. Delete both at the next `APPLICATION_VERSION`."""
    return await _attempt_until_done(delivery_id, await _schedule_step())


async def _attempt_until_done(delivery_id: str, delays: list[float]) -> str:
    for number in range(len(delays) + 1):
        retry_in = delays[number] if number < len(delays) else None
        status = await _attempt_step(delivery_id, retry_in)
        if status != "pending" or retry_in is None:
            return status
        await DBOS.sleep_async(retry_in)
    return "failed"  # pragma: no cover  (the loop always returns)


@step(name="webhooks.attempt")
async def _attempt_step(delivery_id: str, retry_in: float | None) -> str:
    runtime = current_runtime()
    secret_key = runtime.settings.secret_key.get_secret_value()
    async with runtime.database.session() as session:
        plan = await service.prepare_attempt(session, secret_key, delivery_id)
    if plan is None:
        async with runtime.database.session(write=True) as session:
            return await service.end_for_deleted_endpoint(session, delivery_id)
    if isinstance(plan, str):
        return plan
    started = time.monotonic()
    status_code, error = await send(plan)
    async with runtime.database.session(write=True) as session:
        return await service.record_attempt(
            session,
            delivery_id,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            retry_in=retry_in,
        )


def signed_headers(plan: AttemptPlan, now: datetime | None = None) -> dict[str, str]:
    """Standard Webhooks headers; the timestamp is the attempt's, as the spec requires."""
    moment = now or datetime.now(UTC)
    signature = Webhook(plan.secret).sign(plan.event_id, moment, plan.payload)
    return {
        "content-type": "application/json",
        "user-agent": f"tikpost/{__version__}",
        "webhook-id": plan.event_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }


# As many kept-alive connections as deliveries run at once; no cap on open ones, so a slow
# receiver never makes another's delivery wait for a connection.
DELIVERY_LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=DELIVERY_CONCURRENCY)


def _delivery_client(allow_private: bool) -> httpx.AsyncClient:
    return guarded_client(
        UrlGuard(allow_private=allow_private), REQUEST_TIMEOUT_SEC, limits=DELIVERY_LIMITS
    )


# One pooled client per event loop (deliveries run on DBOS's) and guard setting. A client per
# delivery opened a new connection, and resolved and checked the name, for every event, though
# most go to the same few receivers. Each new connection still passes the SSRF guard; a
# kept-alive one leads to the address checked when it was opened.
_clients = {
    allow_private: LoopClients(partial(_delivery_client, allow_private))
    for allow_private in (False, True)
}


async def send(plan: AttemptPlan) -> tuple[int | None, str | None]:
    """POST once: (status code, error). Redirects are not followed: a receiver that moved
    must be updated, not silently sent elsewhere. The URL is the client's, so each new
    connection goes through the SSRF guard (per TIKPOST_ALLOW_PRIVATE_URLS), checked at send
    time: a name that resolved to a public address at registration may not now."""
    client = _clients[current_runtime().settings.allow_private_urls].client()
    try:
        response = await client.post(
            plan.url, content=plan.payload.encode(), headers=signed_headers(plan)
        )
    except UrlNotAllowedError as exc:
        return None, f"url not allowed: {exc.reason}"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


async def start_deliveries(delivery_ids: Iterable[str]) -> None:
    """Start the workflows for deliveries `emit` recorded. Call only after that commit.

    The delivery id is the workflow id, so starting one twice (or a sweep finding it) is a
    no-op. Needs a running workflow runtime in this process (`serve` and `worker` have one).
    """
    delays = retry_schedule(current_runtime().settings)
    for delivery_id in delivery_ids:
        await enqueue(
            DELIVERY_QUEUE, deliver_on_schedule, delivery_id, delays, workflow_id=delivery_id
        )


async def start_deliveries_anywhere(delivery_ids: list[str]) -> None:
    """`start_deliveries`, also from inside a workflow step, where DBOS forbids enqueueing.

    There the deliveries start from a task outside the step's DBOS context; should the process
    die first, they are pending rows that the startup sweep starts.
    """
    if DBOS.step_id is None:  # not inside a step
        await start_deliveries(delivery_ids)
        return
    task = asyncio.get_running_loop().create_task(
        start_deliveries(delivery_ids), context=contextvars.Context()
    )
    _detached.add(task)
    task.add_done_callback(_detached.discard)


_detached: set[asyncio.Task[None]] = set()


@startup_sweep
async def restart_pending_deliveries(runtime: WorkflowRuntime) -> None:
    """Deliveries committed but never started (a crash between commit and start)."""
    async with runtime.database.session() as session:
        ids: Sequence[str] = await service.pending_delivery_ids(session)
    await start_deliveries(ids)
