"""The reconciler: no post stays unfinished forever because its workflow went astray.

Each post's workflow bounds itself (bounded retries, about two hours of polling), so a healthy
post never sits unchanged for `TIKPOST_STALE_POST_SEC` (3 h by default). One that does was
lost to something outside the workflow: a crash between the post's commit and its enqueue on a
process that never came back, an operator cancelling the workflow, a workflow that ended
without writing its outcome, or a step wedged on a dead connection. On a schedule, the
reconciler looks at every unfinished post untouched for that long and

- with no workflow at all: starts it (the post resumes where its row says);
- whose workflow has ended (or was cancelled, or exhausted its recoveries): fails the post with
  `publish_interrupted`;
- `uploading` or `processing` with a workflow still pending: cancels that workflow and fails
  the post with `publish_stalled`, asking the user to check the creator's profile before a
  retry (TikTok may hold the video).

Posts still `queued` with a live workflow are left alone: waiting is their job (the account's
queue, TikTok's rate limits, the daily cap). Like retention, it runs as a DBOS scheduled
workflow, once per tick across all processes.

A post whose workflow ended in error because the database went away is resumed as its next
attempt at every start and after every database outage (`resume_lost_to_outages`).

One more kind of stray is handled at every start rather than on the schedule: a post whose
workflow was started by another tikpost workflow version (`APPLICATION_VERSION`). DBOS only
lets executors of that version run it, so after an upgrade that changed the workflow's steps
it would wait forever. The start adopts it: the old workflow is cancelled and the post goes on
as a new attempt under this version, resuming from what its row records (its publish_id and
TikTok's count of received bytes), with fencing refusing anything the old run still tries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dbos import DBOS

from tikpost.kit.db import utcnow
from tikpost.kit.db_outage import is_connection_loss
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure
from tikpost.posts.models import Post
from tikpost.posts.publish.context import context
from tikpost.posts.publish.workflow import (
    PUBLISH_QUEUE,
    enqueue_options,
    fail_post,
    publish_post,
    start_publishing,
)
from tikpost.posts.statuses import FINAL_STATUSES
from tikpost.runtime.steps import step
from tikpost.runtime.workflows import (
    APPLICATION_VERSION,
    WorkflowRuntime,
    current_runtime,
    enqueue,
    startup_sweep,
)
from tikpost.webhooks.workflow import start_deliveries

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "posts-reconcile"
ENDED = frozenset({"SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"})
ACTIVE_AT_TIKTOK = frozenset({"uploading", "processing"})
# Posts looked at per tick; the rest wait for the next one.
BATCH = 200

INTERRUPTED = Failure(
    "publish_interrupted",
    "The post's publishing workflow ended without finishing the post; check the creator's "
    "profile, then retry if the video is not there.",
    retryable=True,
)
STALLED = Failure(
    "publish_stalled",
    "Publishing made no progress for too long and was stopped; TikTok may still hold the "
    "video, so check the creator's profile before retrying.",
    retryable=True,
)


@dataclass(frozen=True)
class Verdict:
    post_id: str
    action: str  # "resume", "interrupted" or "stalled"
    workflow_id: str


async def judge(now: datetime, stale_after: timedelta) -> list[Verdict]:
    """What to do with each stale unfinished post (reads only)."""
    cutoff = now - stale_after
    async with context().database.session() as session:
        posts = await repository.stale_unfinished(session, cutoff, BATCH)
    verdicts = []
    for post in posts:
        if post.status == "scheduled" and post.scheduled_at and post.scheduled_at > now:
            continue
        workflow_id = service.workflow_id(post)
        status = await DBOS.get_workflow_status_async(workflow_id)
        if status is None:
            verdicts.append(Verdict(post.id, "resume", workflow_id))
        elif status.status in ENDED:
            verdicts.append(Verdict(post.id, "interrupted", workflow_id))
        elif post.status in ACTIVE_AT_TIKTOK:
            verdicts.append(Verdict(post.id, "stalled", workflow_id))
    return verdicts


@step(name="posts.reconcile.judge")
async def judge_step() -> list[dict[str, str]]:
    settings = current_runtime().settings
    found = await judge(utcnow(), timedelta(seconds=settings.stale_post_sec))
    return [vars(verdict) for verdict in found]


@step(name="posts.reconcile.fail")
async def fail_step(post_id: str, action: str) -> list[str]:
    failure = STALLED if action == "stalled" else INTERRUPTED
    logger.warning("reconciler: post %s failed as %s", post_id, failure.code)
    return await fail_post(context(), post_id, failure)


@step(name="posts.reconcile.resume")
async def resume_step(post_id: str) -> dict[str, Any] | None:
    """How to enqueue the post's workflow, if the post still needs one."""
    async with context().database.session() as session:
        post = await repository.get(session, post_id)
    if post is None or post.status in FINAL_STATUSES:
        return None
    return enqueue_options(post)


@DBOS.workflow(name="posts.reconcile")
async def reconcile_workflow(scheduled_at: datetime, context_: Any) -> None:
    """One scheduled tick."""
    verdicts = await judge_step()
    for verdict in verdicts:
        if verdict["action"] == "resume":
            how = await resume_step(verdict["post_id"])
            if how is not None:
                logger.warning(
                    "reconciler: post %s had no workflow; starting it", verdict["post_id"]
                )
                # A workflow, not a step, may enqueue (DBOS's rule).
                await enqueue(PUBLISH_QUEUE, publish_post, verdict["post_id"], **how)
            continue
        if verdict["action"] == "stalled":
            await DBOS.cancel_workflow_async(verdict["workflow_id"])
        await start_deliveries(await fail_step(verdict["post_id"], verdict["action"]))


@startup_sweep
async def schedule_reconcile(runtime: WorkflowRuntime) -> None:
    """Create or refresh the schedule at every start (an upsert: any process may do it)."""
    await DBOS.apply_schedules_async(
        [
            {
                "schedule_name": SCHEDULE_NAME,
                "workflow_fn": reconcile_workflow,
                "schedule": runtime.settings.reconcile_schedule,
            }
        ]
    )


@startup_sweep
async def adopt_older_versions(runtime: WorkflowRuntime) -> None:
    """Unfinished posts whose live workflow belongs to another workflow version go on under
    this one (see the module docstring)."""
    async with runtime.database.session() as session:
        posts = await repository.unfinished(session)
    for post in posts:
        status = await DBOS.get_workflow_status_async(service.workflow_id(post))
        if (
            status is None
            or status.status not in ("PENDING", "ENQUEUED", "DELAYED")
            or status.app_version in (None, APPLICATION_VERSION)
        ):
            continue
        await DBOS.cancel_workflow_async(status.workflow_id)
        why = f"Resumed by tikpost's current workflow version (was {status.app_version})"
        adopted = await _next_attempt(runtime, post.id, post.attempt, why)
        if adopted is not None:
            logger.warning("post %s: adopted from workflow version %s", post.id, status.app_version)
            await start_publishing(adopted)


@startup_sweep
async def resume_lost_to_outages(runtime: WorkflowRuntime) -> None:
    """Unfinished posts whose workflow ended in error because the database went away go on as
    their next attempt, from what the post's row records.

    Steps declared with `runtime.steps.step` wait the database out instead, so this is for what
    they do not cover (a step declared otherwise, an error on the way between two steps). The
    sweeps run again once the database is back after an outage, so such a post goes on within
    seconds rather than being failed by the reconciler hours later."""
    async with runtime.database.session() as session:
        posts = await repository.unfinished(session)
    for post in posts:
        status = await DBOS.get_workflow_status_async(service.workflow_id(post))
        if status is None or status.status != "ERROR" or status.error is None:
            continue
        if not is_connection_loss(status.error):
            continue
        why = "Resumed after its workflow lost the database"
        resumed = await _next_attempt(runtime, post.id, post.attempt, why)
        if resumed is not None:
            logger.warning("post %s: resumed after its workflow lost the database", post.id)
            await start_publishing(resumed)


async def _next_attempt(
    runtime: WorkflowRuntime, post_id: str, attempt: int, why: str
) -> Post | None:
    """Move the post to its next attempt, unless another process just did."""
    async with runtime.database.session(write=True) as session:
        if not await repository.bump_attempt(session, post_id, attempt):
            return None
        post = await repository.get_for_update(session, post_id)
        assert post is not None
        await service.record(
            session,
            post,
            post.status,
            f"{why}; attempt {post.attempt}",
        )
        return post
