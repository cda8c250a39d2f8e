"""The reconciler finishes what no workflow will: stalled, orphaned and workflow-less posts.

The service runs with the reconciler ticking every second and a five-second staleness bound
(one second once let the reconciler fail a post still uploading on a loaded machine, before
the test saw it processing); the embedded sandbox keeps posts processing for an hour, so a
post stays in `processing` until the reconciler acts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos import DBOS, SetEnqueueOptions, SetWorkflowID
from sqlalchemy import create_engine, insert

from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.support.videos import make_video
from tikpost.kit.db import sync_url, utcnow
from tikpost.posts.models import Post
from tikpost.posts.publish.reconcile import adopt_older_versions
from tikpost.posts.publish.workflow import PUBLISH_QUEUE, publish_post

pytestmark = SQLITE_ONLY


@pytest.fixture
def reconciling(service_factory: ServiceFactory) -> Iterator[RunningService]:
    with service_factory(
        **SANDBOX_MODE, stale_post_sec=5.0, reconcile_schedule="* * * * * *"
    ) as running:
        yield running


@pytest.fixture
def client(
    reconciling: RunningService, create_api_key: Callable[[str], str]
) -> Iterator[httpx.Client]:
    with reconciling.client(create_api_key("acme")) as api:
        yield api


def _processing_forever(service: RunningService) -> None:
    with operator(service) as op:
        op.patch("/config", json={"processing_delay_sec": 3600}).raise_for_status()


def _post_until(api: httpx.Client, account: dict[str, Any], media: dict[str, Any]) -> str:
    created = api.post(
        "/v1/posts",
        json={"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"},
    )
    assert created.status_code == 202, created.text
    post_id: str = created.json()["id"]
    deadline = time.monotonic() + 30
    while (post := api.get(f"/v1/posts/{post_id}").json())["status"] != "processing":
        assert post["status"] in {"queued", "uploading"}, post
        assert time.monotonic() < deadline, "the post never reached processing"
        time.sleep(0.05)
    return post_id


def test_a_post_stuck_in_processing_is_failed_and_its_workflow_cancelled(
    reconciling: RunningService, client: httpx.Client, tmp_path: Path
) -> None:
    _processing_forever(reconciling)
    account = connect_account(client, "stuck")
    media = upload(client, make_video(tmp_path / "v.mp4", seconds=3))
    post_id = _post_until(client, account, media)

    final = wait_final(client, post_id, timeout=30)

    assert final["status"] == "failed"
    assert final["error"]["code"] == "publish_stalled"
    assert "check the creator's profile" in final["error"]["message"]
    status = DBOS.get_workflow_status(post_id)
    assert status is not None
    assert status.status == "CANCELLED"


def test_a_post_whose_workflow_ended_is_failed_as_interrupted(
    reconciling: RunningService, client: httpx.Client, tmp_path: Path
) -> None:
    _processing_forever(reconciling)
    account = connect_account(client, "orphan")
    media = upload(client, make_video(tmp_path / "v.mp4", seconds=3))
    post_id = _post_until(client, account, media)
    # An operator (or anything outside tikpost) ends the workflow behind the post's back.
    DBOS.cancel_workflow(post_id)

    final = wait_final(client, post_id, timeout=30)

    assert final["status"] == "failed"
    assert final["error"]["code"] == "publish_interrupted"


def test_a_post_committed_without_a_workflow_is_started_and_publishes(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], tmp_path: Path
) -> None:
    """A crash between a post's commit and its enqueue, on a process that never restarts:
    only the reconciler can notice. The row is written as that crash would leave it, an hour
    ago; the bound (a minute) is long enough that the resumed post's own steps are not stale."""
    with (
        service_factory(
            **SANDBOX_MODE, stale_post_sec=60.0, reconcile_schedule="* * * * * *"
        ) as reconciling,
        reconciling.client(create_api_key("acme")) as client,
    ):
        _publishes_the_lost_post(reconciling, client, tmp_path)


def _publishes_the_lost_post(
    reconciling: RunningService, client: httpx.Client, tmp_path: Path
) -> None:
    account = connect_account(client, "lost")
    media = upload(client, make_video(tmp_path / "v.mp4", seconds=3))
    an_hour_ago = utcnow() - timedelta(hours=1)
    _insert_queued_post(reconciling, "post_lostinthecrash", account["id"], media["id"], an_hour_ago)
    final = wait_final(client, "post_lostinthecrash", timeout=30)
    assert final["status"] == "published", final
    [published] = sandbox_posts(reconciling, "lost")
    assert published["status"] == "PUBLISH_COMPLETE"


def test_a_post_left_by_an_older_workflow_version_is_adopted_at_start(
    svc: RunningService, sandbox_api: httpx.Client, tmp_path: Path
) -> None:
    """After an upgrade that changed the workflow's steps, DBOS will not run a post's workflow
    of the old version; the start-up sweep cancels it and publishes the post as attempt 2."""
    account = connect_account(sandbox_api, "upgraded")
    media = upload(sandbox_api, make_video(tmp_path / "v.mp4", seconds=3))
    _insert_queued_post(svc, "post_fromtheoldversion", account["id"], media["id"], utcnow())

    async def enqueue_as_old_version() -> None:
        with (
            SetWorkflowID("post_fromtheoldversion"),
            SetEnqueueOptions(queue_partition_key=account["id"], app_version="tikpost-workflows-1"),
        ):
            await DBOS.enqueue_workflow_async(
                PUBLISH_QUEUE.name, publish_post, "post_fromtheoldversion"
            )

    asyncio.run(enqueue_as_old_version())
    time.sleep(1.0)  # five queue polls: this version's executor leaves it alone
    assert sandbox_api.get("/v1/posts/post_fromtheoldversion").json()["status"] == "queued"

    async def start_up_sweep() -> None:
        await adopt_older_versions(svc.app.state.tikpost.workflows)

    asyncio.run(start_up_sweep())

    final = wait_final(sandbox_api, "post_fromtheoldversion")
    assert final["status"] == "published", final
    assert any(
        "Resumed by tikpost's current workflow version" in e["message"] for e in final["events"]
    )
    old = DBOS.get_workflow_status("post_fromtheoldversion")
    assert old is not None
    assert old.status == "CANCELLED"
    # The workflow ends a moment after the post's final state (its webhooks are enqueued then).
    deadline = time.monotonic() + 30
    while (new := DBOS.get_workflow_status("post_fromtheoldversion.2")) is None or (
        new.status == "PENDING"
    ):
        assert time.monotonic() < deadline, "the adopted workflow never ended"
        time.sleep(0.1)
    assert new.status == "SUCCESS"
    assert len(sandbox_posts(svc, "upgraded")) == 1


def _insert_queued_post(
    service: RunningService, post_id: str, account_id: str, media_id: str, at: datetime
) -> None:
    """A post row as a crash between commit and enqueue leaves it: queued, no workflow."""
    engine = create_engine(sync_url(service.settings.database_url))
    try:
        with engine.begin() as connection:
            team_id = connection.exec_driver_sql("SELECT team_id FROM media").scalar()
            connection.execute(
                insert(Post).values(
                    id=post_id,
                    team_id=team_id,
                    account_id=account_id,
                    status="queued",
                    mode="direct",
                    media_id=media_id,
                    media_type="video",
                    privacy_level="SELF_ONLY",
                    attempt=1,
                    uploaded_bytes=0,
                    created_at=at,
                    updated_at=at,
                )
            )
    finally:
        engine.dispose()
