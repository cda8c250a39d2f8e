"""Real bytes in, TikTok's outcome out: each test video ends as TikTok would end it."""

from __future__ import annotations

import pytest

from tests.conftest import RunningSandbox, SandboxFactory, VideoFiles
from tests.sandbox.helpers import bearer, init_file, put_chunk, upload_whole, wait_status


@pytest.mark.parametrize(
    ("name", "status", "fail_reason"),
    [
        ("good", "PUBLISH_COMPLETE", None),
        ("low_fps", "FAILED", "frame_rate_check_failed"),
        ("short", "FAILED", "duration_check_failed"),
        ("random_bytes", "FAILED", "file_format_check_failed"),
    ],
)
def test_direct_post_outcome(
    sandbox: RunningSandbox, videos: VideoFiles, name: str, status: str, fail_reason: str | None
) -> None:
    creator = sandbox.create_creator("maker")
    path = getattr(videos, name)
    with bearer(sandbox.url, creator["access_token"]) as api:
        publish_id = upload_whole(api, path)
        final = wait_status(api, publish_id)
    assert final["status"] == status
    assert final.get("fail_reason") == fail_reason
    assert final["uploaded_bytes"] == path.stat().st_size
    assert final["publicaly_available_post_id"] == []
    [post] = sandbox.posts(creator["open_id"])
    assert post["publish_id"] == publish_id
    assert post["status"] == status
    assert post["media"]["size_bytes"] == path.stat().st_size


def test_good_video_summary_is_measured(sandbox: RunningSandbox, videos: VideoFiles) -> None:
    creator = sandbox.create_creator("measured")
    with bearer(sandbox.url, creator["access_token"]) as api:
        wait_status(api, upload_whole(api, videos.good))
    media = sandbox.posts(creator["open_id"])[0]["media"]
    assert media["video_codec"] == "h264"
    assert media["duration_ms"] == 4000
    assert media["fps"] == 30.0
    assert (media["width"], media["height"]) == (720, 1280)
    assert "mp4" in media["container"]


def test_inbox_upload_lands_in_inbox_and_creator_can_finish_it(
    sandbox: RunningSandbox, videos: VideoFiles
) -> None:
    creator = sandbox.create_creator("drafter")
    with bearer(sandbox.url, creator["access_token"]) as api:
        publish_id = upload_whole(api, videos.good, inbox=True)
        assert wait_status(api, publish_id)["status"] == "SEND_TO_USER_INBOX"
        done = sandbox.operator.post(f"/_sandbox/posts/{publish_id}/complete")
        assert done.status_code == 200
        assert wait_status(api, publish_id)["status"] == "PUBLISH_COMPLETE"
    assert publish_id.startswith("v_inbox_file~v2.")


def test_video_longer_than_creator_max_fails_duration(
    sandbox: RunningSandbox, videos: VideoFiles
) -> None:
    creator = sandbox.create_creator("brief", max_video_post_duration_sec=3)
    with bearer(sandbox.url, creator["access_token"]) as api:
        final = wait_status(api, upload_whole(api, videos.good))
    assert final["fail_reason"] == "duration_check_failed"


def test_public_post_gets_a_post_id_on_an_audited_app(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    with sandbox_factory(audited=True) as sandbox:
        creator = sandbox.create_creator("star")
        assert creator["is_private"] is False
        data = videos.good.read_bytes()
        with bearer(sandbox.url, creator["access_token"]) as api:
            init = init_file(api, len(data), privacy="PUBLIC_TO_EVERYONE").json()["data"]
            assert put_chunk(init["upload_url"], data, 0, len(data)).status_code == 201
            final = wait_status(api, init["publish_id"])
        assert final["status"] == "PUBLISH_COMPLETE"
        assert len(final["publicaly_available_post_id"]) == 1


def test_processing_waits_for_the_clock(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    with sandbox_factory(processing_delay_sec=3600) as sandbox:
        creator = sandbox.create_creator("patient")
        with bearer(sandbox.url, creator["access_token"]) as api:
            publish_id = upload_whole(api, videos.good)
            status = api.post("/v2/post/publish/status/fetch/", json={"publish_id": publish_id})
            assert status.json()["data"]["status"] == "PROCESSING_UPLOAD"
            sandbox.advance_clock(3601)
            assert wait_status(api, publish_id)["status"] == "PUBLISH_COMPLETE"


def test_moderation_and_processing_failures(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    with sandbox_factory(spam_words=["free followers"]) as sandbox:
        creator = sandbox.create_creator("moderated")
        data = videos.good.read_bytes()
        with bearer(sandbox.url, creator["access_token"]) as api:
            init = init_file(api, len(data), title="FREE FOLLOWERS here").json()["data"]
            put_chunk(init["upload_url"], data, 0, len(data))
            assert wait_status(api, init["publish_id"])["fail_reason"] == "spam_risk_text"
            fault = {"endpoint": "processing", "error_rate": 1.0}
            sandbox.operator.post("/_sandbox/faults", json=fault).raise_for_status()
            assert wait_status(api, upload_whole(api, videos.good))["fail_reason"] == "internal"
            fault["code"] = "spam_risk"
            sandbox.operator.post("/_sandbox/faults", json=fault).raise_for_status()
            assert wait_status(api, upload_whole(api, videos.good))["fail_reason"] == "spam_risk"


def test_removing_authorization_fails_posts_in_flight(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    with sandbox_factory(processing_delay_sec=3600) as sandbox:
        creator = sandbox.create_creator("quitter")
        with bearer(sandbox.url, creator["access_token"]) as api:
            publish_id = upload_whole(api, videos.good)
        sandbox.operator.post(f"/_sandbox/creators/{creator['open_id']}/deauthorize")
        [post] = sandbox.posts(creator["open_id"])
        assert (post["publish_id"], post["status"]) == (publish_id, "FAILED")
        assert post["fail_reason"] == "auth_removed"
