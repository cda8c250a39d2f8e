"""Telling a lost database from a real error, and resuming a post whose workflow lost it.

The outages themselves, against real processes, are in `test_database_outage.py` (slow).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from dbos import DBOS, SetWorkflowID
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import DBAPIError

from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import connect_account, sandbox_posts, upload, wait_final
from tests.support.processes import free_port
from tests.support.videos import make_video
from tikpost.kit.db import Database, sync_url, utcnow
from tikpost.kit.db_outage import is_connection_loss
from tikpost.posts.models import Post
from tikpost.posts.publish.reconcile import resume_lost_to_outages


async def _error_of(database: Database, *statements: str) -> DBAPIError:
    try:
        async with database.session(write=True) as session:
            for statement in statements:
                await session.execute(text(statement))
    except DBAPIError as exc:
        return exc
    finally:
        await database.dispose()
    raise AssertionError("no error")


def _nobody_listening() -> Database:
    return Database(f"postgresql://tikpost@127.0.0.1:{free_port()}/none", pooled=False)


def test_connection_loss_is_told_from_other_database_errors(tmp_path: Path) -> None:
    """Only a database that is away (or locked past the busy timeout) is waited out; a real
    error (a missing table, a constraint) still fails at once."""
    assert is_connection_loss(asyncio.run(_error_of(_nobody_listening(), "SELECT 1")))
    db_file = tmp_path / "locked.db"
    sqlite = f"sqlite:///{db_file}?timeout=0.2"
    lock = sqlite3.connect(db_file, isolation_level=None)
    lock.execute("CREATE TABLE t (a INT UNIQUE)")
    lock.execute("BEGIN EXCLUSIVE")
    try:
        assert is_connection_loss(asyncio.run(_error_of(Database(sqlite), "SELECT 1")))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    missing = asyncio.run(_error_of(Database(sqlite), "SELECT * FROM missing"))
    assert not is_connection_loss(missing)
    twice = asyncio.run(_error_of(Database(sqlite), *["INSERT INTO t VALUES (1)"] * 2))
    assert not is_connection_loss(twice)


@DBOS.workflow(name="tests.loses_the_database")
async def loses_the_database() -> None:
    """Dies as a workflow whose step was not declared with `runtime.steps.step` would."""
    async with _nobody_listening().session() as session:
        await session.execute(text("SELECT 1"))


@SQLITE_ONLY
def test_a_post_whose_workflow_lost_the_database_goes_on_as_its_next_attempt(
    svc: RunningService, sandbox_api: httpx.Client, tmp_path: Path
) -> None:
    account = connect_account(sandbox_api, "outage")
    media = upload(sandbox_api, make_video(tmp_path / "v.mp4", seconds=3))
    engine = create_engine(sync_url(svc.settings.database_url))
    try:
        with engine.begin() as connection:
            team_id = connection.exec_driver_sql("SELECT team_id FROM media").scalar()
            connection.execute(
                insert(Post).values(
                    id="post_lostthedatabase",
                    team_id=team_id,
                    account_id=account["id"],
                    status="queued",
                    mode="direct",
                    media_id=media["id"],
                    media_type="video",
                    privacy_level="SELF_ONLY",
                    attempt=1,
                    uploaded_bytes=0,
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
    finally:
        engine.dispose()

    async def run_to_error() -> None:
        with SetWorkflowID("post_lostthedatabase"):
            handle = await DBOS.start_workflow_async(loses_the_database)
        with pytest.raises(DBAPIError):
            await handle.get_result()

    asyncio.run(run_to_error())
    deadline = time.monotonic() + 30
    while (status := DBOS.get_workflow_status("post_lostthedatabase")) is None or (
        status.status != "ERROR"
    ):
        assert time.monotonic() < deadline, status
        time.sleep(0.05)

    async def sweep_after_the_outage() -> None:
        await resume_lost_to_outages(svc.app.state.tikpost.workflows)

    asyncio.run(sweep_after_the_outage())

    final = wait_final(sandbox_api, "post_lostthedatabase")
    assert final["status"] == "published", final
    assert any("lost the database" in event["message"] for event in final["events"])
    assert final["attempt"] == 2, final
    assert len(sandbox_posts(svc, "outage")) == 1
