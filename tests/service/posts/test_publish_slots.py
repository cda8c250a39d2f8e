"""The bound on the publish workflow's short steps (posts.publish.slots), on its own."""

from __future__ import annotations

import asyncio
import contextlib

from tikpost.posts.publish.slots import STEPS_AT_ONCE, bounded


def test_no_more_than_the_bound_run_at_once_and_they_go_in_the_order_they_asked() -> None:
    running, most, started = 0, 0, list[int]()

    @bounded
    async def step(n: int) -> int:
        nonlocal running, most
        started.append(n)
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return n

    async def burst() -> list[int]:
        return await asyncio.gather(*(step(n) for n in range(STEPS_AT_ONCE * 3)))

    assert asyncio.run(burst()) == list(range(STEPS_AT_ONCE * 3))
    assert most == STEPS_AT_ONCE
    assert started == list(range(STEPS_AT_ONCE * 3))


def test_a_bounded_step_called_from_another_takes_no_second_slot() -> None:
    """Every slot held by an outer step that calls an inner one: without reentrancy, each
    outer step would wait for a slot only another outer step can free."""

    @bounded
    async def inner() -> str:
        return "inner"

    @bounded
    async def outer() -> str:
        await asyncio.sleep(0.01)  # let every outer step take its slot first
        return await inner()

    async def burst() -> list[str]:
        together = asyncio.gather(*(outer() for _ in range(STEPS_AT_ONCE)))
        return await asyncio.wait_for(together, timeout=10)

    assert asyncio.run(burst()) == ["inner"] * STEPS_AT_ONCE


def test_each_event_loop_has_slots_of_its_own() -> None:
    """A runtime's stop ends DBOS's loop and the next start makes another (as every service
    test does): a semaphore bound to the first loop must not be reused on the second."""

    @bounded
    async def step() -> str:
        await asyncio.sleep(0)
        return "done"

    async def burst() -> list[str]:
        return await asyncio.gather(*(step() for _ in range(STEPS_AT_ONCE + 1)))

    assert asyncio.run(burst()) == ["done"] * (STEPS_AT_ONCE + 1)
    assert asyncio.run(burst()) == ["done"] * (STEPS_AT_ONCE + 1)


def test_a_failing_step_gives_its_slot_back() -> None:
    @bounded
    async def failing() -> None:
        raise RuntimeError("TikTok said no")

    @bounded
    async def fine() -> str:
        return "fine"

    async def after_failures() -> str:
        for _ in range(STEPS_AT_ONCE + 1):
            with contextlib.suppress(RuntimeError):
                await failing()
        return await asyncio.wait_for(fine(), timeout=10)

    assert asyncio.run(after_failures()) == "fine"
