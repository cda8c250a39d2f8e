"""Per-API-key request limits, answered with 429, `Retry-After` and `X-RateLimit-*` headers.

The `limits` library keeps the counters: in memory for one API process, in Redis
(`TIKPOST_RATE_LIMIT_STORAGE_URL=async+redis://…`) when several API processes share keys. A
moving window, so a client cannot double its rate by straddling a minute boundary. An upload
counts as one request, whatever its size.

When Redis does not answer, requests are let through uncounted (fail-open): the limiter is
there to keep one key from crowding out the others, and refusing every request of every key
because the counter store is down would be the very outage it exists to prevent. So an outage
costs limiting, not service: one warning when it starts, `tikpost_rate_limit_storage_up` at 0
and `tikpost_rate_limit_unchecked_total` counting what passed unchecked, and limiting resumes
by itself once Redis answers again. While it is down, Redis is asked again only every
RETRY_SEC, so a blackholed host costs one request a short timeout, not every request.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

import limits
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from prometheus_client import Counter, Gauge

from tikpost.kit.errors import ApiError

logger = logging.getLogger(__name__)

# How long one look at the counters may take, and how long to leave Redis alone after a miss.
STORAGE_TIMEOUT_SEC = 1.0
RETRY_SEC = 5.0

STORAGE_UP = Gauge(
    "tikpost_rate_limit_storage_up", "1 while the rate-limit counters' storage answers, else 0."
)
UNCHECKED = Counter(
    "tikpost_rate_limit_unchecked_total",
    "Requests let through without a rate-limit check because its storage did not answer.",
)


@dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int | None
    reset_at: float

    def headers(self) -> dict[str, str]:
        if self.remaining is None:
            return {}  # not counted: no numbers to promise
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }


class ApiRateLimiter:
    def __init__(self, rate: str, storage_url: str) -> None:
        self.item = limits.parse(rate)
        storage = storage_from_string(storage_url, wrap_exceptions=True)
        self.limiter = MovingWindowRateLimiter(storage)
        self._down_since: float | None = None
        self._next_try = 0.0
        STORAGE_UP.set(1)

    async def hit(self, key: str) -> Verdict:
        """Count one request for `key`, or raise the 429 to send back; uncounted (and let
        through) while the counters' storage does not answer."""
        if self._down_since is not None and time.monotonic() < self._next_try:
            return self._unchecked()
        try:
            async with asyncio.timeout(STORAGE_TIMEOUT_SEC):
                allowed = await self.limiter.hit(self.item, key)
                stats = await self.limiter.get_window_stats(self.item, key)
        except (StorageError, TimeoutError, OSError) as error:
            return self._outage(error)
        self._recovered()
        verdict = Verdict(self.item.amount, stats.remaining, stats.reset_time)
        if not allowed:
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise ApiError(
                429,
                "rate_limited",
                f"more than {self.item.amount} requests per {self.item.GRANULARITY.name} "
                f"for this API key; retry in {retry_after} s",
                headers={**verdict.headers(), "Retry-After": str(retry_after)},
            )
        return verdict

    def _unchecked(self) -> Verdict:
        UNCHECKED.inc()
        return Verdict(self.item.amount, None, 0.0)

    def _outage(self, error: Exception) -> Verdict:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            STORAGE_UP.set(0)
            cause = error.storage_error if isinstance(error, StorageError) else error
            logger.warning(
                "rate-limit storage not answering (%s: %s); requests pass unlimited until it does",
                type(cause).__name__,
                cause,
            )
        self._next_try = now + RETRY_SEC
        return self._unchecked()

    def _recovered(self) -> None:
        if self._down_since is not None:
            logger.warning(
                "rate-limit storage answers again after %.0f s; limiting resumed",
                time.monotonic() - self._down_since,
            )
            self._down_since = None
            STORAGE_UP.set(1)
