"""The SQLite write gate (tikpost.kit.write_gate): writers in arrival order, across loops,
bounded waits, and no turn lost to a cancelled waiter or a failed transaction."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from tikpost.kit.db import Database
from tikpost.kit.write_gate import WriteGate


async def _queue_up(
    gate: WriteGate, names: list[str], order: list[str]
) -> list[asyncio.Task[None]]:
    async def writer(name: str) -> None:
        await gate.acquire(5)
        order.append(name)
        await asyncio.sleep(0.01)
        gate.release()

    tasks = []
    for name in names:
        tasks.append(asyncio.create_task(writer(name)))
        await asyncio.sleep(0.005)  # arrive one after another
    return tasks


def test_writers_take_their_turns_in_the_order_they_came() -> None:
    async def run() -> list[str]:
        gate, order = WriteGate(), list[str]()
        await gate.acquire(5)
        tasks = await _queue_up(gate, [f"w{n}" for n in range(8)], order)
        gate.release()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(run()) == [f"w{n}" for n in range(8)]


def test_a_writer_on_another_event_loop_is_woken_on_its_own_loop() -> None:
    gate, woken = WriteGate(), threading.Event()
    holding = threading.Event()

    async def other_loop() -> None:
        holding.wait(5)
        await gate.acquire(5)  # queued behind the main loop's hold
        woken.set()
        gate.release()

    thread = threading.Thread(target=lambda: asyncio.run(other_loop()))
    thread.start()

    async def hold() -> None:
        await gate.acquire(5)
        holding.set()
        await asyncio.sleep(0.2)
        assert not woken.is_set()
        gate.release()

    asyncio.run(hold())
    thread.join(5)
    assert woken.is_set()


def test_a_wait_past_its_bound_is_sqlites_locked_error_and_the_gate_goes_on() -> None:
    async def run() -> None:
        gate = WriteGate()
        await gate.acquire(5)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await gate.acquire(0.1)
        gate.release()
        await asyncio.wait_for(gate.acquire(5), 1)  # free again, not stuck on the timed-out one
        gate.release()

    asyncio.run(run())


def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    async def run() -> list[str]:
        gate, order = WriteGate(), list[str]()
        await gate.acquire(5)
        tasks = await _queue_up(gate, ["first", "cancelled", "last"], order)
        tasks[1].cancel()
        await asyncio.sleep(0)
        gate.release()
        await asyncio.gather(tasks[0], tasks[2])
        return order

    assert asyncio.run(run()) == ["first", "last"]


def test_a_write_transaction_that_fails_gives_the_lock_back(tmp_path: Path) -> None:
    """Through Database: a rolled-back write session releases its turn, so the next writer
    does not wait out the busy timeout (here one second) behind it."""

    database = Database(f"sqlite:///{tmp_path / 'gate.db'}?timeout=1")

    async def failing() -> None:
        async with database.session(write=True) as session:
            await session.execute(text("INSERT INTO t VALUES (1)"))
            raise ZeroDivisionError

    async def run() -> int:
        try:
            async with database.session(write=True) as session:
                await session.execute(text("CREATE TABLE t (n INTEGER)"))
            with pytest.raises(ZeroDivisionError):
                await failing()
            for n in range(3):
                async with database.session(write=True) as session:
                    await session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            async with database.session() as session:
                return int((await session.execute(text("SELECT count(*) FROM t"))).scalar_one())
        finally:
            await database.dispose()

    assert asyncio.run(run()) == 3


def test_a_writer_cancelled_mid_statement_leaves_no_lock_behind(tmp_path: Path) -> None:
    """A workflow step cancelled by a shutdown while its statement runs: SQLAlchemy discards
    the connection, and sqlite3 closes it while the cursor still holds its statement, which
    keeps the connection (and its write transaction) alive until that cursor is collected.
    The next writer, here `retire` at the end of the shutdown, then waited out the busy
    timeout and failed. The transaction must be rolled back before the connection goes."""

    database = Database(f"sqlite:///{tmp_path / 'gate.db'}?timeout=2")
    # A statement that runs for about a second on the connection's thread.
    slow = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3000000)"

    async def cancelled_writer(started: asyncio.Event) -> None:
        async with database.session(write=True) as session:
            await session.execute(text("INSERT INTO t VALUES (1)"))
            started.set()
            await session.execute(text(f"{slow} SELECT count(*) FROM c"))

    async def run() -> tuple[BaseException | None, int]:
        try:
            async with database.session(write=True) as session:
                await session.execute(text("CREATE TABLE t (n INTEGER)"))
            started = asyncio.Event()
            task = asyncio.create_task(cancelled_writer(started))
            await started.wait()
            await asyncio.sleep(0.1)  # the slow statement is on the connection's thread now
            task.cancel()
            outcome = (await asyncio.gather(task, return_exceptions=True))[0]
            # `outcome` holds the traceback, and through it the cursor, as DBOS's log does.
            async with database.session(write=True) as session:
                await session.execute(text("INSERT INTO t VALUES (2)"))
            async with database.session() as session:
                rows = (await session.execute(text("SELECT count(*) FROM t"))).scalar_one()
            return (outcome if isinstance(outcome, BaseException) else None), int(rows)
        finally:
            await database.dispose()

    outcome, rows = asyncio.run(run())
    assert isinstance(outcome, asyncio.CancelledError)
    assert rows == 1  # the cancelled insert was rolled back, the next one committed
