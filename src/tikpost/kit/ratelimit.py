"""Per-API-key request limits, answered with 429, `Retry-After` and `X-RateLimit-*` headers.

The `limits` library keeps the counters: in memory for one API process, in Redis
(`TIKPOST_RATE_LIMIT_STORAGE_URL=async+redis://…`) when several API processes share keys. A
moving window, so a client cannot double its rate by straddling a minute boundary. An upload
counts as one request, whatever its size.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import limits
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from tikpost.kit.errors import ApiError


@dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }


class ApiRateLimiter:
    def __init__(self, rate: str, storage_url: str) -> None:
        self.item = limits.parse(rate)
        storage = storage_from_string(storage_url)
        self.limiter = MovingWindowRateLimiter(storage)

    async def hit(self, key: str) -> Verdict:
        """Count one request for `key`, or raise the 429 to send back."""
        allowed = await self.limiter.hit(self.item, key)
        stats = await self.limiter.get_window_stats(self.item, key)
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
