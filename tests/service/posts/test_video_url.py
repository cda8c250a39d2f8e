"""Posts given a `video_url`: imported and uploaded (FILE_UPLOAD), or pulled by TikTok when the
URL is under a prefix verified with TikTok (PULL_FROM_URL). Both end published on the sandbox
with exactly the bytes the origin served."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    post,
    sandbox_posts,
    wait_final,
)
from tests.service.s3_helpers import BOTH_STORAGES
from tests.support.media_server import media_origin

Started = tuple[RunningService, httpx.Client, str]


@contextmanager
def _started(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    videos: VideoFiles,
    *,
    verified: bool,
    **overrides: Any,
) -> Iterator[Started]:
    """The sandbox-mode service and a media origin; with `verified`, the origin's prefix is
    verified both at the sandbox (TikTok) and in TIKPOST_VERIFIED_URL_PREFIXES."""
    with media_origin(videos.good.parent) as origin:
        prefix = f"{origin}/media/"
        if verified:
            overrides["verified_url_prefixes"] = [prefix]
        with service_factory(**SANDBOX_MODE, **overrides) as svc:
            config: dict[str, Any] = {"processing_delay_sec": 0.2}
            if verified:
                config["verified_url_prefixes"] = [prefix]
            with operator(svc) as op:
                op.patch("/config", json=config).raise_for_status()
            with svc.client(create_api_key("acme")) as api:
                yield svc, api, prefix


@BOTH_STORAGES
@SQLITE_ONLY
def test_an_unverified_url_is_fetched_then_uploaded(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    """On S3 too: imported into the bucket, then uploaded to TikTok in chunks read from it."""
    with _started(service_factory, create_api_key, videos, verified=False) as (svc, api, prefix):
        account = connect_account(api, "fetcher")
        url = f"{prefix}good.mp4"
        created = post(api, account_id=account["id"], video_url=url, privacy_level="SELF_ONLY")
        assert created["video"] is not None  # imported before the post was accepted
        assert created["video_url"] == url
        final = wait_final(api, created["id"])
        assert final["status"] == "published", (final["error"], final["events"])
        assert final["publish_id"].startswith("v_pub_file~")
        [published] = sandbox_posts(svc, "fetcher")
        digest = hashlib.sha256(videos.good.read_bytes()).hexdigest()
        assert published["media"]["sha256"] == digest
        [media] = api.get("/v1/media").json()["items"]
        assert (media["id"], media["sha256"]) == (created["video"], digest)


def test_a_verified_url_is_pulled_by_tiktok(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with _started(service_factory, create_api_key, videos, verified=True) as (svc, api, prefix):
        account = connect_account(api, "puller")
        url = f"{prefix}good.mp4"
        created = post(
            api, account_id=account["id"], video_url=url, privacy_level="SELF_ONLY", title="pull"
        )
        assert (created["video"], created["video_url"]) == (None, url)
        final = wait_final(api, created["id"])
        assert final["status"] == "published", (final["error"], final["events"])
        assert final["publish_id"].startswith("v_pub_url~")
        statuses = [event["status"] for event in final["events"]]
        assert statuses.index("uploading") < statuses.index("processing")
        assert statuses[-1] == "published"
        [published] = sandbox_posts(svc, "puller")
        assert published["post_info"]["title"] == "pull"
        digest = hashlib.sha256(videos.good.read_bytes()).hexdigest()
        assert published["media"]["sha256"] == digest
        assert api.get("/v1/media").json()["items"] == []  # tikpost fetched nothing


@SQLITE_ONLY
def test_a_pulled_draft_lands_in_the_inbox(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with _started(service_factory, create_api_key, videos, verified=True) as (svc, api, prefix):
        account = connect_account(api, "pulldraft")
        created = post(api, account_id=account["id"], video_url=f"{prefix}good.mp4", mode="draft")
        final = wait_final(api, created["id"])
        assert final["status"] == "in_inbox", final["error"]
        assert final["publish_id"].startswith("v_inbox_url~")
        [draft] = sandbox_posts(svc, "pulldraft")
        assert draft["status"] == "SEND_TO_USER_INBOX"


@SQLITE_ONLY
def test_an_imported_video_must_pass_the_video_rules(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    """The fetched file is probed before the post is accepted; a refused post keeps no media."""
    with _started(service_factory, create_api_key, videos, verified=False) as (_svc, api, prefix):
        account = connect_account(api, "strict")
        body = {"account_id": account["id"], "privacy_level": "SELF_ONLY"}
        response = api.post("/v1/posts", json={**body, "video_url": f"{prefix}low_fps.mp4"})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "video_frame_rate_out_of_range"
        response = api.post("/v1/posts", json={**body, "video_url": f"{prefix}nope.mp4"})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "url_fetch_failed"
        assert response.json()["error"]["field"] == "video_url"
        assert api.get("/v1/media").json()["items"] == []
        assert api.get("/v1/posts").json()["items"] == []


@SQLITE_ONLY
def test_guarded_post_urls_are_refused(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    """With the guard on, a loopback video_url or webhook_url is refused before anything."""
    with _started(
        service_factory, create_api_key, videos, verified=False, allow_private_urls=False
    ) as (_svc, api, prefix):
        body = {"account_id": "acct_x", "privacy_level": "SELF_ONLY"}
        response = api.post("/v1/posts", json={**body, "video_url": f"{prefix}good.mp4"})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("url_not_allowed", "video_url")
        assert "127.0.0.1 is a loopback address" in error["message"]
        response = api.post(
            "/v1/posts",
            json={**body, "video": "med_x", "webhook_url": "http://169.254.169.254/hook"},
        )
        assert response.json()["error"]["code"] == "url_not_allowed"
        assert response.json()["error"]["field"] == "webhook_url"
