"""Executor liveness: who is presumed dead, and that a slow start is not mistaken for a death."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from tests.service.conftest import SQLITE_ONLY, SettingsFactory
from tikpost import migrations
from tikpost.kit.db import Database
from tikpost.runtime import workflows
from tikpost.runtime.liveness import Liveness, SilenceWatch, take_over_dead
from tikpost.runtime.models import RETIRED
from tikpost.runtime.workflows import WorkflowRuntime

BEAT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LATER_BEAT = datetime(2026, 11, 23, 12, 0, 1, tzinfo=UTC)


def test_silence_is_what_the_watcher_saw_standing_still() -> None:
    watch = SilenceWatch(stale_sec=5, max_gap=1.5)
    assert watch.look([("a", BEAT)], now=0) == []  # first sight: no silence yet
    for now in (1, 2, 3, 4, 5):
        assert watch.look([("a", BEAT)], now=now) == []  # 5 s still: not past the bound
    assert watch.look([("a", BEAT)], now=6) == [("a", BEAT)]
    # A new beat starts the count again.
    assert watch.look([("a", LATER_BEAT)], now=7) == []
    assert watch.look([("a", LATER_BEAT)], now=12) == []  # a 5 s gap counts as 1.5 s


def test_time_the_watcher_was_not_looking_is_not_silence() -> None:
    """A watcher frozen for a minute (its machine paused) must not find everyone dead."""
    watch = SilenceWatch(stale_sec=5, max_gap=1.5)
    watch.look([("a", BEAT)], now=0)
    assert watch.look([("a", BEAT)], now=60) == []
    assert watch.look([("a", LATER_BEAT)], now=61) == []  # it was alive all along


def test_a_retired_executor_is_taken_at_once_and_a_removed_one_forgotten() -> None:
    watch = SilenceWatch(stale_sec=5, max_gap=1.5)
    assert watch.look([("gone", RETIRED), ("b", BEAT)], now=0) == [("gone", RETIRED)]
    for now in (1, 2, 3):
        watch.look([("b", BEAT)], now=now)
    watch.look([], now=4)  # b's row was removed (taken by someone else)
    # b registered again with the same heartbeat value: its silence starts from nothing.
    assert watch.look([("b", BEAT)], now=5) == []
    assert watch.look([("b", BEAT)], now=6) == []


def test_a_start_slower_than_the_stale_bound_is_not_taken_for_a_death(
    settings_factory: SettingsFactory,
) -> None:
    """DBOS's launch and the startup sweeps can outlast the stale bound on a loaded machine;
    the starting process beats throughout, so a watcher leaves it alone until it retires."""
    settings = settings_factory(heartbeat_sec=0.2, executor_stale_sec=1.0)
    migrations.upgrade(settings.database_url)
    taken: list[str] = []
    fenced: list[str] = []

    def record_taken(executor_id: str) -> int:
        taken.append(executor_id)
        return 0

    watcher = Liveness(
        settings.database_url,
        "watcher",
        heartbeat_sec=0.2,
        stale_sec=1.0,
        recover=record_taken,
        on_fenced=lambda: fenced.append("watcher"),
    )
    runtime = WorkflowRuntime(settings, "slow-starter")
    runtime.liveness.on_fenced = lambda: fenced.append("slow-starter")

    async def slow_sweep(_: WorkflowRuntime) -> None:
        await asyncio.sleep(3.0)  # three stale bounds

    async def main() -> None:
        database = Database(settings.database_url, pooled=False)
        await watcher.register(database, "test")
        watcher.start()
        watcher.take_over_from_now_on()
        workflows.startup_sweep(slow_sweep)
        try:
            await runtime.start()
            await asyncio.sleep(1.0)  # a few beats of the started runtime
            assert taken == []
            assert fenced == []
        finally:
            workflows._sweeps.remove(slow_sweep)
            await runtime.stop()
        # Retired on its way out: the watcher takes what it left at its next beat.
        deadline = time.monotonic() + 10
        while not taken and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        watcher.stop()
        await watcher.retire(database)
        await database.dispose()

    asyncio.run(main())
    assert taken == ["slow-starter"]
    assert fenced == []


@SQLITE_ONLY
def test_a_live_watcher_does_not_take_itself(settings_factory: SettingsFactory) -> None:
    """A watcher's own row is never among the dead, even when its heartbeat is retired."""
    settings = settings_factory()
    migrations.upgrade(settings.database_url)
    watch = SilenceWatch(stale_sec=0.1, max_gap=1)

    async def main() -> list[str]:
        database = Database(settings.database_url, pooled=False)
        me = Liveness(settings.database_url, "me", heartbeat_sec=1, stale_sec=0.1, recover=len)
        await me.register(database, "test")
        await me.retire(database)
        found = await take_over_dead(database, "me", watch, time.monotonic)
        await database.dispose()
        return found

    assert asyncio.run(main()) == []
