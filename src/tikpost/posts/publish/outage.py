"""Riding out a TikTok outage: a budget of time, not of attempts, spent in durable waits.

A call TikTok may answer later (5xx, 429, a dropped connection, a timeout) is tried again a
couple of times within its step (`patient`), and then the step gives up with
`TikTokUnavailableError`. The workflow (`ride_out`) then runs `outage_wait_step`, which writes
why and how long to the post's timeline, sleeps durably (DBOS.sleep_async, between steps, so a
restart resumes the sleep rather than the budget) and runs the step again, until
TIKPOST_TIKTOK_OUTAGE_BUDGET_SEC has passed since the first failure. That first failure's
time is the wait step's recorded output, so a recovered workflow keeps its original deadline.

Only calls that are safe to repeat are repeated. An init that publishes by itself (a
PULL_FROM_URL video, photos) is repeated only when TikTok answered it with an error (it
refused) or the connection never opened; a request that may have arrived unanswered fails the
post as `pull_outcome_unknown` rather than risk publishing twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from dbos import DBOS

from tikpost.posts import service
from tikpost.posts.failures import (
    Failure,
    PublishFailedError,
    describe,
    outcome_unknown,
    outlasted,
)
from tikpost.posts.publish.context import context
from tikpost.runtime.steps import step
from tikpost.tiktok import errors

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Within a step: a blip (one dropped connection, one 502) costs about a second, not a wait.
QUICK_ATTEMPTS = 3
QUICK_WAIT_SEC = 0.5
# Between steps: doubling pauses from the first to the longest, jittered by ±25 %.
FIRST_WAIT_SEC = 2.0
MAX_WAIT_SEC = 300.0
# TikTok counts its per-token limits in a sliding minute: a 429 waits this long (jittered),
# as many times as the budget allows, so a whole window passes.
RATE_LIMIT_WAIT_SEC = 15.0


class TikTokUnavailableError(Exception):
    """A step met TikTok failing in a way that may pass: the workflow waits and runs it again."""

    def __init__(self, reason: str, retry_after: float | None, rate_limited: bool) -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.rate_limited = reason, retry_after, rate_limited

    def __reduce__(self) -> tuple[type[TikTokUnavailableError], tuple[str, float | None, bool]]:
        # Pickled by DBOS as the step's outcome; replayed as such after a restart.
        return type(self), (self.reason, self.retry_after, self.rate_limited)

    @classmethod
    def of(cls, exc: errors.TikTokError) -> TikTokUnavailableError:
        limited = isinstance(exc, errors.RateLimitExceeded) or exc.http_status == 429
        return cls(describe(exc), exc.retry_after, limited)


def may_have_arrived(exc: errors.TikTokError) -> bool:
    """Sent but never answered: TikTok may have acted on it. An answer, even a 500, or a
    connection that never opened, means it did not."""
    return isinstance(exc, errors.TikTokTransportError) and exc.may_have_arrived


async def patient(call: Callable[[], Awaitable[T]], *, repeatable: bool = True) -> T:
    """`call`, tried again after a short pause when TikTok may answer better a moment later.

    A throttle is not tried again here (TikTok's window is a minute: that wait belongs
    between steps), and a call that is not `repeatable` is never sent twice unless TikTok
    demonstrably did not act on it."""
    for attempt in range(1, QUICK_ATTEMPTS + 1):
        try:
            return await call()
        except errors.TikTokError as exc:
            if not repeatable and may_have_arrived(exc):
                raise PublishFailedError(outcome_unknown(exc)) from exc
            limited = isinstance(exc, errors.RateLimitExceeded)
            if not exc.retryable or limited or attempt == QUICK_ATTEMPTS:
                if exc.retryable:
                    logger.warning("TikTok %s (%s); the post will wait", exc.code, describe(exc))
                raise
            wait = QUICK_WAIT_SEC * 2 ** (attempt - 1) * random.uniform(0.75, 1.25)
            logger.warning("TikTok %s, retrying in %.1f s", exc.code, wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def next_wait(
    attempt: int,
    *,
    started: float,
    now: float,
    budget_sec: float,
    retry_after: float | None = None,
    rate_limited: bool = False,
    jitter: float = 0.5,
) -> float | None:
    """Seconds to wait after the `attempt`-th wait (from 0), or None when the budget is spent.

    `jitter` in [0, 1) spreads posts that failed together (±25 %); a wait never ends past
    the deadline, so the last try happens at it, and is never shorter than a Retry-After.
    """
    left = started + budget_sec - now
    if left <= 0:
        return None
    base = RATE_LIMIT_WAIT_SEC if rate_limited else FIRST_WAIT_SEC * 2 ** min(attempt, 16)
    wait = max(min(base, MAX_WAIT_SEC) * (0.75 + jitter / 2), retry_after or 0.0)
    return min(wait, left)


@step(name="outage_wait_step")
async def outage_wait_step(
    post_id: str, outage: TikTokUnavailableError, started: float | None, attempt: int
) -> tuple[float, float] | Failure:
    """(the outage's start, seconds to wait) with a timeline line saying so, or the failure
    once the budget is spent."""
    ctx = context()
    now = time.time()
    started = now if started is None else started
    budget = ctx.settings.tiktok_outage_budget_sec
    wait = next_wait(
        attempt,
        started=started,
        now=now,
        budget_sec=budget,
        retry_after=outage.retry_after,
        rate_limited=outage.rate_limited,
        jitter=random.random(),
    )
    if wait is None:
        return outlasted(outage.reason, budget)
    until = datetime.fromtimestamp(started + budget, UTC).strftime("%H:%M:%S")
    state = "rate limiting this account" if outage.rate_limited else "unavailable"
    async with ctx.database.session(write=True) as session:
        await service.record_if_open(
            session,
            post_id,
            f"TikTok is {state} ({outage.reason}); waiting {wait:.0f} s, trying until {until} UTC",
            waiting_sec=round(wait, 3),
        )
    return started, wait


async def ride_out(step: Callable[[str], Awaitable[T]], post_id: str) -> T:
    """Run a workflow step, waiting out TikTok's outages (see the module's docstring).

    Workflow code: DBOS replays it after a restart, so everything it decides comes from step
    outputs (the start and each wait), never from a clock read here."""
    started: float | None = None
    attempt = 0
    while True:
        try:
            return await step(post_id)
        except TikTokUnavailableError as outage:
            plan = await outage_wait_step(post_id, outage, started, attempt)
            if isinstance(plan, Failure):
                raise PublishFailedError(plan) from outage
            started, pause = plan
            attempt += 1
            await DBOS.sleep_async(pause)


__all__ = ["TikTokUnavailableError", "next_wait", "patient", "ride_out"]
