"""Migrations and the database plumbing, on both backends."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from tests.service.conftest import SQLITE_ONLY
from tikpost import migrations
from tikpost.kit.db import Base, Database, sync_url
from tikpost.teams.models import ApiKey, Team

TABLES = {
    "teams",
    "api_keys",
    "accounts",
    "oauth_states",
    "media",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_attempts",
    "posts",
    "post_events",
    "executors",
    "dashboard_sessions",
    "sign_in_links",
    "upload_slots",
}


def _tables(database_url: str) -> set[str]:
    engine = create_engine(sync_url(database_url), poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _head() -> str | None:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    return script.get_current_head()


def test_migrations_upgrade_downgrade_and_rerun(database_url: str) -> None:
    migrations.upgrade(database_url)
    assert _tables(database_url) == TABLES
    assert migrations.current_revision(database_url) == _head()
    migrations.upgrade(database_url)  # already at head: a no-op
    migrations.downgrade(database_url, "base")
    assert _tables(database_url) == set()
    migrations.upgrade(database_url)
    assert _tables(database_url) == TABLES


def test_models_match_the_migrations(database_url: str) -> None:
    migrations.upgrade(database_url)
    engine = create_engine(sync_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_concurrent_upgrades_from_several_processes(database_url: str) -> None:
    """`serve` and workers starting together must not race each other's CREATE TABLEs."""
    code = "import sys; from tikpost import migrations; migrations.upgrade(sys.argv[1])"
    processes = [
        subprocess.Popen([sys.executable, "-c", code, database_url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr.decode()
    assert _tables(database_url) == TABLES
    assert migrations.current_revision(database_url) == _head()


def test_in_process_upgrades_do_not_collide(database_url: str) -> None:
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            migrations.upgrade(database_url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _tables(database_url) == TABLES


async def test_write_sessions_serialise_across_engines(database_url: str) -> None:
    """Two engines stand in for two processes: the second refresh waits, then sees the first."""
    await asyncio.to_thread(migrations.upgrade, database_url)
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.session() as session:
            session.add(Team(id="team_lock", name="v0"))
        locked = asyncio.Event()
        timeline: list[str] = []

        async def holder() -> None:
            async with first.session(write=True) as session:
                team = (
                    await session.execute(
                        select(Team).where(Team.id == "team_lock").with_for_update()
                    )
                ).scalar_one()
                locked.set()
                await asyncio.sleep(0.5)
                team.name = "v1"
                timeline.append("holder commits")

        async def waiter() -> str:
            await locked.wait()
            async with second.session(write=True) as session:
                team = (
                    await session.execute(
                        select(Team).where(Team.id == "team_lock").with_for_update()
                    )
                ).scalar_one()
                timeline.append("waiter reads")
                return team.name

        started = time.monotonic()
        _, seen = await asyncio.gather(holder(), waiter())
        assert timeline == ["holder commits", "waiter reads"]
        assert seen == "v1"
        assert time.monotonic() - started >= 0.5
    finally:
        await first.dispose()
        await second.dispose()


async def test_foreign_keys_are_enforced(database_url: str) -> None:
    await asyncio.to_thread(migrations.upgrade, database_url)
    database = Database(database_url)
    try:
        with pytest.raises(IntegrityError):
            async with database.session() as session:
                session.add(ApiKey(team_id="team_missing", prefix="tp_x", key_hash="0" * 64))
    finally:
        await database.dispose()


@SQLITE_ONLY
async def test_sqlite_runs_in_wal_mode(database_url: str) -> None:
    database = Database(database_url)
    try:
        async with database.session() as session:
            mode = (await session.execute(text("PRAGMA journal_mode"))).scalar_one()
            timeout = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
        assert mode == "wal"
        assert timeout >= 5000
    finally:
        await database.dispose()


async def test_timestamps_come_back_aware(database_url: str) -> None:
    await asyncio.to_thread(migrations.upgrade, database_url)
    database = Database(database_url)
    try:
        async with database.session() as session:
            session.add(Team(id="team_tz", name="tz"))
        async with database.session() as session:
            team = await session.get(Team, "team_tz")
            assert team is not None
            assert team.created_at.utcoffset() is not None
            assert team.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    finally:
        await database.dispose()
