"""An access token that expires between two chunks of an upload is refreshed, once, and the
post goes on to publish, once.

The sandbox holds each chunk back (upload latency), and expires the account's access token
once TikTok holds the first chunk and not yet the second. The chunks themselves need no token
(the upload URL is the credential), so the upload finishes; the next API call meets 401,
tikpost refreshes, and the status polling carries on to PUBLISH_COMPLETE.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.support.processes import stored_tokens
from tests.support.videos import make_video
from tikpost.tiktok import plan_chunks


@pytest.fixture(scope="module")
def two_chunk_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~15 MB: two chunks in tikpost's plan (it prefers ~10 MB chunks, so one below ~13 MB)."""
    return make_video(tmp_path_factory.mktemp("token-expiry") / "two-chunks.mp4", seconds=20)


@SQLITE_ONLY
def test_token_expiring_between_chunks_is_refreshed_and_the_upload_goes_on(
    svc: RunningService, sandbox_api: httpx.Client, two_chunk_video: Path
) -> None:
    account = connect_account(sandbox_api, "between_chunks")
    media = upload(sandbox_api, two_chunk_video)
    size = media["size_bytes"]
    assert plan_chunks(size).total_chunk_count >= 2
    secret_key = svc.settings.secret_key.get_secret_value()
    access, _ = stored_tokens(svc.settings.database_url, secret_key)[account["id"]]
    with operator(svc) as op:
        # Each chunk waits 0.75-2.25 s at TikTok, which leaves time to act between them.
        op.post("/faults", json={"endpoint": "upload", "latency_ms": 1500}).raise_for_status()
        post = sandbox_api.post(
            "/v1/posts",
            json={"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"},
        ).json()
        deadline = time.monotonic() + 60
        while True:
            held = [p["uploaded_bytes"] or 0 for p in sandbox_posts(svc, "between_chunks")]
            if held and 0 < held[0] < size:
                break
            assert not held or held[0] < size, "the whole upload went through first"
            assert time.monotonic() < deadline, "the upload never got under way"
            time.sleep(0.02)
        op.post("/tokens/expire", json={"access_token": access}).raise_for_status()
        [mid_upload] = sandbox_posts(svc, "between_chunks")
        assert mid_upload["status"] == "PROCESSING_UPLOAD"
        assert 0 < mid_upload["uploaded_bytes"] < size

        final = wait_final(sandbox_api, post["id"], timeout=90)
        assert final["status"] == "published", final
        [creator] = op.get("/creators").json()["creators"]
    assert creator["refresh_count"] == 1
    [published] = sandbox_posts(svc, "between_chunks")
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["publish_id"] == final["publish_id"] == mid_upload["publish_id"]
    assert published["uploaded_bytes"] == size
    assert published["media"]["sha256"] == media["sha256"]
    # One init: the refresh did not restart the upload.
    inits = [e for e in final["events"] if "publish_id" in e["data"]]
    assert len(inits) == 1, final["events"]
    refreshed, _ = stored_tokens(svc.settings.database_url, secret_key)[account["id"]]
    assert refreshed != access
