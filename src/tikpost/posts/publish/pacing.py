"""TikTok's init limit, kept by each post's workflow: 6 inits a minute per access token.

The account's queue runs one post at a time (`PUBLISH_QUEUE`'s partition concurrency), so the
account's row can keep the times of its last inits and each post reserves its slot there
before it reads creator_info and inits; when the minute is full it sleeps, durably, until the
oldest init leaves the window. This used to be a DBOS partition rate limiter, which DBOS
checks by reading every account's window and pending count on each 0.2 s poll: the largest
item of tikpost's CPU in the pipeline bench (docs/benchmarks.md). Kept here, it is one short
write per post, and the queue without a limiter is dequeued in one query per poll.
"""

from __future__ import annotations

INITS_PER_WINDOW = 6
WINDOW_SEC = 60.0


def reserve(recent: list[float], now: float) -> tuple[list[float], float]:
    """(the inits still in the window plus this one, 0.0) when a slot is free, else (the
    inits still in the window, seconds until the oldest leaves it)."""
    kept = sorted(at for at in recent if now - WINDOW_SEC < at <= now)
    if len(kept) < INITS_PER_WINDOW:
        return [*kept, now], 0.0
    return kept, kept[-INITS_PER_WINDOW] + WINDOW_SEC - now
