"""End to end: a video in through one request, out on the (sandbox) TikTok, exactly once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import RunningService
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)


@pytest.fixture
def svc(sandbox_service: RunningService) -> RunningService:
    with operator(sandbox_service) as op:
        op.patch("/config", json={"processing_delay_sec": 0.2}).raise_for_status()
    return sandbox_service


@pytest.fixture
def api(svc: RunningService, create_api_key: Callable[[str], str]) -> Iterator[httpx.Client]:
    with svc.client(create_api_key("acme")) as client:
        yield client


def post(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/v1/posts", json=body)
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def test_video_is_published_exactly_once(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "publisher")
    media = upload(api, videos.good)
    created = post(
        api,
        account_id=account["id"],
        video=media["id"],
        title="hello #tikpost",
        privacy_level="SELF_ONLY",
    )
    assert created["status"] == "queued"
    final = wait_final(api, created["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    assert final["publish_id"].startswith("v_pub_file~")
    assert final["error"] is None
    statuses = [event["status"] for event in final["events"]]
    assert statuses[0] == "queued"
    assert "uploading" in statuses
    assert "processing" in statuses
    assert statuses[-1] == "published"
    [published] = sandbox_posts(svc, "publisher")
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["post_info"]["title"] == "hello #tikpost"
    assert published["media"]["sha256"] == hashlib.sha256(videos.good.read_bytes()).hexdigest()
