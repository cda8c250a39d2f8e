"""The durable publish workflow: one DBOS workflow per post attempt.

Steps: begin → a turn at the account's init limit → check creator info → init at TikTok
(publish_id recorded durably) → upload the chunks, streamed from storage → poll TikTok's
status → finish (final state, webhooks).

DBOS never re-runs a finished step but does re-run one a crash interrupted, so every step is
safe to repeat: init returns the recorded publish_id instead of initialising again, and upload
first asks TikTok how many bytes of that publish_id arrived and resumes from there. A crash can
at worst leave an abandoned, never-completed upload at TikTok; it never publishes twice.
A step TikTok fails for now (5xx, 429, timeouts) is waited out and run again (posts.publish.outage).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from dbos import DBOS

from tikpost.accounts import repository as accounts
from tikpost.accounts.tokens import AccountUnavailableError
from tikpost.kit.logs import log_context
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure, from_error, from_fail_reason
from tikpost.posts.models import Post
from tikpost.posts.publish import pacing
from tikpost.posts.publish.context import PublishContext, context
from tikpost.posts.publish.fencing import claim
from tikpost.posts.publish.kinds import kind_of
from tikpost.posts.publish.outage import TikTokUnavailableError, ride_out
from tikpost.posts.publish.publishing import (
    PublishFailedError,
    check_creator,
    fetch_outcome,
    init_post,
    upload_to_tiktok,
)
from tikpost.posts.publish.slots import bounded
from tikpost.posts.publish.transcoding import transcode_post
from tikpost.posts.statuses import FINAL_STATUSES, PostStatus
from tikpost.runtime.steps import step
from tikpost.runtime.workflows import (
    QueueSpec,
    WorkflowRuntime,
    declare_queue,
    enqueue,
    safe_point,
    startup_sweep,
)
from tikpost.webhooks.workflow import start_deliveries

# Where the TikTok webhook receiver sends a post's workflow a nudge.
TIKTOK_TOPIC = "tiktok"
POLL_FIRST_SEC, POLL_MAX_SEC = 1.0, 30.0
# TikTok's cap is per rolling 24 h: at the default pause, a day and a bit of retries.
MAX_CAP_WAITS = 100
# About two hours at the longest pause: TikTok processes 4 GB in minutes.
MAX_POLLS = 250

logger = logging.getLogger(__name__)

# One post at a time per TikTok account; each paces its own init to TikTok's limit of 6 a
# minute per access token (`pace_step`), so a burst of posts queues instead of hitting 429s.
PUBLISH_QUEUE = declare_queue(QueueSpec(name="publish", partition_concurrency=1))


def enqueue_options(post: Post) -> dict[str, Any]:
    """How the post's workflow is enqueued: its id, its account's partition, its delay."""
    return {
        "workflow_id": service.workflow_id(post),
        "partition_key": post.account_id,
        "delay_seconds": service.delay_seconds(post),
    }


async def start_publishing(post: Post) -> None:
    """Enqueue the post's workflow; call after its row is committed."""
    await enqueue(PUBLISH_QUEUE, publish_post, post.id, **enqueue_options(post))


@startup_sweep
async def enqueue_unfinished(runtime: WorkflowRuntime) -> None:
    """Posts committed but never enqueued (a crash between the two) get their workflow now."""
    async with runtime.database.session() as session:
        posts = await repository.unfinished(session)
    for post in posts:
        await start_publishing(post)


@DBOS.workflow(name="publish_post")
async def publish_post(post_id: str) -> str:
    if not await begin_step(post_id):
        return "skipped"
    try:
        await transcode_step(post_id)
        await _through_the_daily_cap(post_id)
        await ride_out(upload_step, post_id)
        outcome = await _await_outcome(post_id)
    except PublishFailedError as failed:
        result, deliveries = await fail_step(post_id, failed.failure)
    else:
        result, deliveries = await finish_step(post_id, outcome)
    # Enqueued here: DBOS lets workflows, not steps, start other workflows.
    await start_deliveries(deliveries)
    return result


async def _through_the_daily_cap(post_id: str) -> None:
    """Creator check and init; when the creator has hit TikTok's daily cap, wait (durably)
    for the window to reopen and try again, unless the post says `on_cap: fail`."""
    for attempt in range(MAX_CAP_WAITS + 1):
        try:
            while (turn := await pace_step(post_id)) > 0:
                await DBOS.sleep_async(turn)
            await ride_out(check_creator_step, post_id)
            await ride_out(init_step, post_id)
            return
        except PublishFailedError as failed:
            if failed.failure.code != "daily_post_cap" or attempt == MAX_CAP_WAITS:
                raise
            pause = await wait_for_cap_step(post_id)
            if pause is None:
                raise
            await DBOS.sleep_async(pause)


@step(name="wait_for_cap_step")
@bounded
async def wait_for_cap_step(post_id: str) -> float | None:
    """Seconds to wait before trying again, or None when the post would rather fail."""
    ctx = context()
    async with ctx.database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None or post.status in FINAL_STATUSES or post.on_cap == "fail":
            return None
        pause = ctx.settings.daily_cap_retry_sec
        # `queued` again (TikTok refused the init): the post may be cancelled while it waits.
        await service.record(
            session,
            post,
            "queued",
            "The creator reached TikTok's daily limit of posts through apps; trying again in "
            f"{pause / 60:.0f} min (on_cap: wait)",
        )
        return pause


@step(name="pace_step")
@bounded
async def pace_step(post_id: str) -> float:
    """0.0 once the post holds one of its account's init slots (posts.publish.pacing), else
    the seconds until one frees. Before creator_info, so that read is fresh for the init."""
    async with context().database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None or post.status in FINAL_STATUSES or post.publish_id:
            return 0.0  # nothing more to init
        account = await accounts.get_for_update(session, post.account_id)
        if account is None:
            return 0.0  # the creator check says what became of it
        times, pause = pacing.reserve(account.init_times or [], time.time())
        await accounts.set_init_times(session, account.id, times)
        if pause > 0:
            await service.record(
                session,
                post,
                post.status,
                f"Waiting {pause:.0f} s: TikTok takes {pacing.INITS_PER_WINDOW} uploads a "
                f"minute per account",
            )
        return pause


@step(name="begin_step")
@bounded
async def begin_step(post_id: str) -> bool:
    """False when there is nothing to do: cancelled, already final, or retried since (the
    retry's own workflow publishes it)."""
    async with context().database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None or post.status in FINAL_STATUSES:
            return False
        # Held for review: nothing goes to TikTok before approval (which enqueues afresh).
        if post.status == PostStatus.AWAITING_REVIEW:
            return False
        if service.workflow_id(post) != DBOS.workflow_id:
            return False
        if post.status == "scheduled":
            await service.record(session, post, "queued", "Scheduled time reached")
        return True


@step(name="transcode_step")
async def transcode_step(post_id: str) -> None:
    """Convert the video for TikTok first when the post asks (see posts.publish.transcoding); a
    re-run finds the recorded result and does nothing."""
    scope = log_context.set({"post_id": post_id})
    try:
        await transcode_post(context(), post_id)
    finally:
        log_context.reset(scope)


@step(name="check_creator_step")
@bounded
async def check_creator_step(post_id: str) -> None:
    await _guarded(context(), post_id, check_creator)


@step(name="init_step")
@bounded
async def init_step(post_id: str) -> str:
    publish_id: str = await _guarded(context(), post_id, _as_owner(init_post))
    return publish_id


@step(name="upload_step")
async def upload_step(post_id: str) -> None:
    await _guarded(context(), post_id, _as_owner(upload_to_tiktok))


async def _await_outcome(post_id: str) -> dict[str, Any]:
    """Poll with growing pauses; TikTok's own webhook (see tiktok_webhook) wakes us early.

    The pause is a durable `recv`, so a restart resumes the wait rather than the upload, and a
    webhook is only a hint: the outcome is always what status/fetch says.
    """
    pause = POLL_FIRST_SEC
    for _ in range(MAX_POLLS):
        outcome = await ride_out(status_step, post_id)
        if outcome["is_final"]:
            return outcome
        await DBOS.recv_async(TIKTOK_TOPIC, timeout_seconds=pause)
        pause = min(pause * 2, POLL_MAX_SEC)
    raise PublishFailedError(
        Failure(
            "tiktok_processing_timeout",
            "TikTok did not finish processing in time; check the creator's profile before "
            "retrying, to avoid a duplicate.",
            retryable=True,
        )
    )


@step(name="status_step")
@bounded
async def status_step(post_id: str) -> dict[str, Any]:
    outcome: dict[str, Any] = await _guarded(context(), post_id, fetch_outcome)
    return outcome


def _as_owner(action: Any) -> Any:
    """`action` after claiming the post for this run (see posts.publish.fencing): for the steps that
    act at TikTok in the post's name (init, upload); reads such as polling need no claim."""

    async def owned(ctx: PublishContext, post_id: str) -> Any:
        await claim(ctx, post_id)
        return await action(ctx, post_id)

    return owned


async def _guarded(ctx: PublishContext, post_id: str, action: Any) -> Any:
    """TikTok's and the account's refusals become the post's failure, with words to act on."""
    from tikpost.tiktok import errors

    # Every log line written meanwhile (httpx's request lines included) names the post.
    scope = log_context.set({"post_id": post_id})
    try:
        # Nothing new starts at TikTok once shutdown has begun.
        await safe_point()
        return await action(ctx, post_id)
    except AccountUnavailableError as exc:
        raise PublishFailedError(Failure(exc.code, exc.message)) from exc
    except errors.TikTokError as exc:
        if exc.retryable:  # waited out by ride_out (see posts.publish.outage)
            raise TikTokUnavailableError.of(exc) from exc
        raise PublishFailedError(from_error(exc)) from exc
    finally:
        log_context.reset(scope)


@step(name="fail_step")
@bounded
async def fail_step(post_id: str, failure: Failure) -> tuple[str, list[str]]:
    return failure.code, await fail_post(context(), post_id, failure)


async def fail_post(ctx: PublishContext, post_id: str, failure: Failure) -> list[str]:
    async with ctx.database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None or post.status in FINAL_STATUSES:
            return []
        await service.fail(session, post, failure)
        return await ctx.notify(session, post)


@step(name="finish_step")
@bounded
async def finish_step(post_id: str, outcome: dict[str, Any]) -> tuple[str, list[str]]:
    """The final state TikTok reported; returns it and the webhook deliveries to start."""
    status = outcome["status"]
    ctx = context()
    if status == "FAILED":
        failure = from_fail_reason(outcome.get("fail_reason") or "unknown")
        return failure.code, await fail_post(ctx, post_id, failure)
    async with ctx.database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None or post.status in FINAL_STATUSES:
            return "skipped", []
        ids = outcome.get("publicaly_available_post_id") or []
        if ids:
            post.tiktok_post_id = str(ids[0])
            username = outcome.get("username")
            if username:
                kind = kind_of(post).url_path
                post.post_url = f"https://www.tiktok.com/@{username}/{kind}/{ids[0]}"
        if status == "SEND_TO_USER_INBOX":
            await service.record(
                session,
                post,
                "in_inbox",
                "Delivered to the creator's TikTok inbox; they finish it in the TikTok app",
            )
        else:
            await service.record(session, post, "published", "Published on TikTok", post_ids=ids)
        return post.status, await ctx.notify(session, post)


__all__ = ["PUBLISH_QUEUE", "publish_post", "start_publishing"]
