"""Waiting for what the service does on its own time, in one place instead of a copy per test.

The service answers first and works after (workflows, webhooks, the sandbox's processing), and
nothing tells a test when it is done: polling at a short interval is the one event there is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Short enough that a test waits little past the moment, long enough not to hammer the service.
INTERVAL = 0.05


def poll(condition: Callable[[], T | None], timeout: float, interval: float = INTERVAL) -> T | None:
    """`condition`'s first truthy value, or None once `timeout` has run out, for a caller that
    asserts on what it finds either way."""
    deadline = time.monotonic() + timeout
    while True:
        if value := condition():
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def wait_until(
    condition: Callable[[], T | None],
    what: str,
    timeout: float = 30,
    *,
    interval: float = INTERVAL,
    detail: Callable[[], object] | None = None,
) -> T:
    """`condition`'s first truthy value; an AssertionError naming `what` and the last value (and
    `detail()`, where a bare False would not say why) once `timeout` has run out."""
    last: list[T | None] = [None]

    def probe() -> T | None:
        last[0] = condition()
        return last[0]

    found = poll(probe, timeout, interval)
    if found is None:
        context = "" if detail is None else f"\n{detail()}"
        raise AssertionError(f"{what}: not within {timeout:g} s (last: {last[0]!r}){context}")
    return found
