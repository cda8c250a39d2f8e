"""State changes that meet a running publish workflow: cancel, retry, disconnect, media delete.

Each test holds the workflow at the racing point with the sandbox's latency faults (the
sandbox counts the requests it is holding, `GET /_sandbox/faults`), makes the change while it
is held, and then checks what reached TikTok with the sandbox's own list of the creator's
posts. The account's queue runs one post at a time, so a second post on the same account
publishing means the first post's workflow has ended.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, RunningService, ServiceFactory
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.support.api import Api
from tests.support.videos import make_video
from tests.support.waiting import wait_until

# Held 0.75 to 2.25 s at the sandbox: ample for one API request to land meanwhile.
HOLD_MS = 1500


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    return sandbox_api


@pytest.fixture(scope="module")
def two_chunk_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 15 MB: TikTok's chunk rules make that two chunks."""
    return make_video(tmp_path_factory.mktemp("races") / "long.mp4", seconds=20)


def post(api: httpx.Client, account: dict[str, Any], media: dict[str, Any]) -> dict[str, Any]:
    return Api(api).post(account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY")


@contextmanager
def holding(service: RunningService, endpoint: str, latency_ms: int = HOLD_MS) -> Iterator[None]:
    """Within the block, the sandbox holds every request to `endpoint` for a while; wait for
    one with `wait_held`. Leaving the block ends the fault, and the held requests go on at once."""
    with operator(service) as op:
        fault = {"endpoint": endpoint, "latency_ms": latency_ms}
        op.post("/faults", json=fault).raise_for_status()
        try:
            yield
        finally:
            op.delete("/faults").raise_for_status()


def wait_held(service: RunningService, endpoint: str) -> None:
    with operator(service) as op:
        wait_until(
            lambda: op.get("/faults").json()["held"].get(endpoint, 0),
            f"no request to {endpoint} reached the sandbox",
        )


def events(api: httpx.Client, post_id: str) -> list[str]:
    return [event["message"] for event in api.get(f"/v1/posts/{post_id}").json()["events"]]


def test_a_cancel_during_the_creator_check_wins_and_nothing_reaches_tiktok(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "hesitant")
    media = upload(api, videos.good)
    with holding(svc, "creator_info"):
        created = post(api, account, media)
        wait_held(svc, "creator_info")
        cancelled = api.delete(f"/v1/posts/{created['id']}")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"

    later = wait_final(api, post(api, account, media)["id"])
    assert later["status"] == "published", later["error"]
    final = api.get(f"/v1/posts/{created['id']}").json()
    assert final["status"] == "cancelled"
    assert final["publish_id"] is None
    [only] = sandbox_posts(svc, "hesitant")
    assert only["publish_id"] == later["publish_id"]


def test_a_cancel_once_the_init_is_on_its_way_is_refused(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "committed")
    media = upload(api, videos.good)
    with holding(svc, "video/init"):
        created = post(api, account, media)
        wait_held(svc, "video/init")
        assert api.get(f"/v1/posts/{created['id']}").json()["status"] == "uploading"
        refused = api.delete(f"/v1/posts/{created['id']}")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "post_not_cancellable"

    final = wait_final(api, created["id"])
    assert final["status"] == "published", final["error"]
    [only] = sandbox_posts(svc, "committed")
    assert (only["publish_id"], only["status"]) == (final["publish_id"], "PUBLISH_COMPLETE")


def test_a_post_waiting_for_the_daily_cap_can_be_cancelled(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with service_factory(**SANDBOX_MODE, daily_cap_retry_sec=0.3) as service:
        with operator(service) as op:
            op.patch("/config", json={"daily_post_cap": 1, "processing_delay_sec": 0.2})
        with service.client(create_api_key("acme")) as client:
            account = connect_account(client, "capped")
            media = upload(client, videos.good)
            first = wait_final(client, post(client, account, media)["id"])
            assert first["status"] == "published"
            waiting = post(client, account, media)
            wait_until(
                lambda: any("daily limit" in line for line in events(client, waiting["id"])),
                "the post never waited for the cap",
            )
            cancelled = client.delete(f"/v1/posts/{waiting['id']}")
            assert cancelled.status_code == 200, cancelled.text
            with operator(service) as op:
                op.post("/clock/advance", json={"seconds": 86401}).raise_for_status()
            # The window reopened: the cancelled post must not take the one slot in it.
            last = wait_final(client, post(client, account, media)["id"], timeout=20)
            assert last["status"] == "published", last["error"]
            assert client.get(f"/v1/posts/{waiting['id']}").json()["status"] == "cancelled"
        published = [p["publish_id"] for p in sandbox_posts(service, "capped")]
        assert published == [first["publish_id"], last["publish_id"]]


def test_a_retry_while_the_cancelled_attempt_still_runs_publishes_once(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "changed_mind")
    media = upload(api, videos.good)
    with holding(svc, "creator_info"):
        created = post(api, account, media)
        wait_held(svc, "creator_info")
        assert api.delete(f"/v1/posts/{created['id']}").status_code == 200
        # Attempt 2 is queued behind attempt 1, whose creator check is still at TikTok.
        retried = api.post(f"/v1/posts/{created['id']}/retry")
        assert retried.status_code == 202, retried.text
        assert retried.json()["attempt"] == 2

    final = wait_final(api, created["id"])
    assert final["status"] == "published", final["error"]
    [only] = sandbox_posts(svc, "changed_mind")
    assert only["publish_id"] == final["publish_id"]
    timeline = events(api, created["id"])
    assert sum("Initialised at TikTok" in line for line in timeline) == 1, timeline


def test_a_retried_scheduled_post_runs_only_its_new_attempt(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    """Cancelled and retried before its time, a scheduled post has two delayed workflows; the
    first attempt's wakes to find the post on attempt 2 and does nothing, not even a read."""
    account = connect_account(api, "replanned")
    media = upload(api, videos.good)
    at = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    created = api.post("/v1/posts", json={**body, "scheduled_at": at}).json()
    assert api.delete(f"/v1/posts/{created['id']}").status_code == 200
    retried = api.post(f"/v1/posts/{created['id']}/retry").json()
    assert (retried["status"], retried["attempt"]) == ("scheduled", 2)

    final = wait_final(api, created["id"])
    assert final["status"] == "published", final["error"]
    timeline = events(api, created["id"])
    assert sum("Creator info checked" in line for line in timeline) == 1, timeline
    assert sum("Scheduled time reached" in line for line in timeline) == 1, timeline
    [only] = sandbox_posts(svc, "replanned")
    assert only["publish_id"] == final["publish_id"]


def test_disconnecting_the_account_during_the_creator_check_fails_the_post(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "leaving")
    media = upload(api, videos.good)
    with holding(svc, "creator_info"):
        created = post(api, account, media)
        wait_held(svc, "creator_info")
        gone = api.delete(f"/v1/accounts/{account['id']}")
        assert gone.status_code == 200, gone.text

    final = wait_final(api, created["id"])
    assert final["status"] == "failed"
    assert final["error"]["code"] == "account_revoked"
    assert sandbox_posts(svc, "leaving") == []


def test_disconnecting_the_account_mid_upload_sends_no_further_chunk(
    svc: RunningService, api: httpx.Client, two_chunk_video: Path
) -> None:
    account = connect_account(api, "unplugged")
    media = upload(api, two_chunk_video)
    with holding(svc, "upload"):
        created = post(api, account, media)
        wait_until(
            lambda: any(p["receiving_chunk"] for p in sandbox_posts(svc, "unplugged")),
            "the first chunk never reached the sandbox",
        )
        gone = api.delete(f"/v1/accounts/{account['id']}")
        assert gone.status_code == 200, gone.text

    final = wait_final(api, created["id"])
    assert final["status"] == "failed"
    assert final["error"]["code"] == "account_revoked"
    [abandoned] = sandbox_posts(svc, "unplugged")
    # The chunk in flight arrived; the second was never sent.
    assert 0 < abandoned["uploaded_bytes"] < media["size_bytes"], abandoned


def test_the_media_of_an_unfinished_post_cannot_be_deleted(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "keeper")
    media = upload(api, videos.good)
    created = None
    for endpoint in ("creator_info", "video/init"):
        with holding(svc, endpoint):
            created = post(api, account, media)
            wait_held(svc, endpoint)
            refused = api.delete(f"/v1/media/{media['id']}")
            assert refused.status_code == 409, refused.text
            assert refused.json()["error"]["code"] == "media_in_use"
        assert wait_final(api, created["id"])["status"] == "published"
    assert api.delete(f"/v1/media/{media['id']}").status_code == 204
    assert len(sandbox_posts(svc, "keeper")) == 2
