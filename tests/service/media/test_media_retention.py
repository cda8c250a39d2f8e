"""Retention: media no post needs is deleted after the retention period, rows and objects;
media of an unfinished post is kept however old it is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dbos import DBOS
from sqlalchemy import update

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media import upload as upload_bytes
from tests.service.publishing_helpers import connect_account, upload, wait_final
from tests.service.s3_helpers import BOTH_STORAGES, stored_media
from tests.support.api import Api
from tikpost.kit.db import Database
from tikpost.media.models import Media
from tikpost.media.retention import SCHEDULE_NAME, sweep_expired_media
from tikpost.media.storage import storage_from_url
from tikpost.sandbox.samples import make_jpeg
from tikpost.settings import Settings

RETENTION = timedelta(hours=1)


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


def sweep(settings: Settings, now: datetime | None = None) -> int:
    """Run one sweep directly, as the scheduled workflow would."""

    async def run() -> int:
        database = Database(settings.database_url, pooled=False)
        try:
            storage = storage_from_url(settings.storage_url, settings)
            return await sweep_expired_media(database, storage, RETENTION, now)
        finally:
            await database.dispose()

    return asyncio.run(run())


def age_all_media(settings: Settings, by: timedelta) -> None:
    """Backdate every upload (all of them are recent), as if made `by` ago."""
    then = datetime.now(UTC) - by

    async def run() -> None:
        database = Database(settings.database_url, pooled=False)
        try:
            async with database.session(write=True) as session:
                await session.execute(update(Media).values(created_at=then))
        finally:
            await database.dispose()

    asyncio.run(run())


def stored_names(svc: RunningService) -> set[str]:
    return {item.name for item in stored_media(svc.settings)}


def post(api: httpx.Client, **body: Any) -> dict[str, Any]:
    return Api(api).post(**{"privacy_level": "SELF_ONLY", **body})


@BOTH_STORAGES
def test_media_is_kept_while_needed_and_deleted_after(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "keeper")
    published = upload(api, videos.good)
    pending = upload(api, videos.good)
    unused = upload_bytes(api, make_jpeg(width=32, height=32), "unused.jpg").json()
    done = post(api, account_id=account["id"], video=published["id"])
    assert wait_final(api, done["id"])["status"] == "published"
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    waiting = post(api, account_id=account["id"], video=pending["id"], scheduled_at=later)
    assert stored_names(svc) == {published["id"], pending["id"], unused["id"]}

    assert sweep(svc.settings) == 0  # all younger than the retention
    age_all_media(svc.settings, by=2 * RETENTION)
    # Old now, but the published post finished moments ago: only the unused image goes.
    assert sweep(svc.settings) == 1
    assert api.get(f"/v1/media/{unused['id']}").status_code == 404
    assert stored_names(svc) == {published["id"], pending["id"]}

    # A retention period after that post finished, its video goes too; the pending one stays.
    assert sweep(svc.settings, now=datetime.now(UTC) + 2 * RETENTION) == 1
    assert api.get(f"/v1/media/{published['id']}").status_code == 404
    assert api.get(f"/v1/posts/{done['id']}").json()["status"] == "published"
    assert stored_names(svc) == {pending["id"]}

    # Once its post is final (cancelled here), the last one expires like the others.
    assert api.delete(f"/v1/posts/{waiting['id']}").json()["status"] == "cancelled"
    assert sweep(svc.settings, now=datetime.now(UTC) + 2 * RETENTION) == 1
    assert api.get(f"/v1/media/{pending['id']}").status_code == 404
    assert stored_names(svc) == set()
    assert sweep(svc.settings, now=datetime.now(UTC) + 2 * RETENTION) == 0


@SQLITE_ONLY
def test_the_scheduled_sweep_deletes_expired_media(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    """The DBOS schedule exists and its workflow sweeps with the configured retention."""
    with (
        service_factory(media_retention_hours=0.5 / 3600) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        media = upload_bytes(api, make_jpeg(width=32, height=32), "old.jpg").json()
        assert DBOS.get_schedule(SCHEDULE_NAME) is not None
        time.sleep(1)  # older than the half-second retention
        end = datetime.now(UTC)
        # Run the ticks of the last ten minutes now, as the scheduler would have.
        handles = DBOS.backfill_schedule(SCHEDULE_NAME, end - timedelta(minutes=10), end)
        assert handles
        for handle in handles:
            handle.get_result()
        assert api.get(f"/v1/media/{media['id']}").status_code == 404
        assert stored_names(svc) == set()
