"""How many of the publish workflow's short steps one process runs at once.

DBOS starts every due workflow at once: 200 posts due at the same second are 200 workflows
whose steps each make a few database round trips and a TikTok call, all on DBOS's one event
loop, its thread pool and the connection pools behind them. Unbounded, they queue there in
turn, a post's first step behind the later steps of all the others, and the pools open (and
close) a connection for each. Bounded, the steps run in the order they asked (asyncio's
semaphore is FIFO), so the burst's first steps go first and the rest follow without thrashing.
Measured in docs/benchmarks.md (200 due at once on PostgreSQL: start lateness p99 46 to 48 s
before, 23 s after).

Upload and transcode are not bounded here: they last as long as their file and would hold a
slot from the short steps of every other post meanwhile. A slot is per process and per event
loop, never held across a durable sleep (it is taken inside a step's body), and a step called
from inside another does not take a second one.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

STEPS_AT_ONCE = 16

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
_holding = contextvars.ContextVar("tikpost_publish_step_slot", default=False)


def bounded(body: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """`body` run while holding one of this loop's STEPS_AT_ONCE slots."""

    @functools.wraps(body)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if _holding.get():
            return await body(*args, **kwargs)
        loop = asyncio.get_running_loop()
        slots = _slots.get(loop)
        if slots is None:
            slots = _slots[loop] = asyncio.Semaphore(STEPS_AT_ONCE)
        async with slots:
            held = _holding.set(True)
            try:
                return await body(*args, **kwargs)
            finally:
                _holding.reset(held)

    return run
