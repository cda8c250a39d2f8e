"""End to end: posts with `transcode` turn videos TikTok would refuse into H.264/AAC MP4s that
the sandbox (which checks the real bytes with PyAV) publishes."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media_checks import make_matroska
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.service.s3_helpers import BOTH_STORAGES
from tests.support.media_server import media_origin
from tikpost.media import transcode
from tikpost.media.transcode import TranscodeFailedError, TranscodePlan, transcode_file
from tikpost.posts.publish.transcoding import transcoded_media_id
from tikpost.sandbox.samples import write_frames


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The service runs in this process: its temporary directories land here, to be counted."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def publish(api: httpx.Client, username: str, media: dict[str, Any], **body: Any) -> dict[str, Any]:
    account = connect_account(api, username)
    response = api.post(
        "/v1/posts",
        json={"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
        | body,
    )
    assert response.status_code == 202, response.text
    final = wait_final(api, response.json()["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    return final


def messages(post: dict[str, Any]) -> list[str]:
    return [event["message"] for event in post["events"]]


def assert_sent_transcoded(
    svc: RunningService, api: httpx.Client, username: str, final: dict[str, Any]
) -> dict[str, Any]:
    """TikTok (the sandbox) received exactly the transcoded media, an H.264 MP4."""
    transcoded = api.get(f"/v1/media/{final['transcoded_video']}").json()
    assert transcoded["checks"] == {"ready_for_tiktok": True, "problems": []}
    assert transcoded["content_type"] == "video/mp4"
    [published] = sandbox_posts(svc, username)
    received: dict[str, Any] = published["media"]
    assert received["sha256"] == transcoded["sha256"]
    assert received["video_codec"] == "h264"
    assert "mp4" in received["container"].split(",")
    return received


@BOTH_STORAGES
@SQLITE_ONLY
def test_a_15_fps_mp4_is_transcoded_and_published(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles, scratch: Path
) -> None:
    api = sandbox_api
    original = upload(api, videos.low_fps)
    final = publish(api, "slowmo", original, transcode=True)
    assert final["transcode"] is True
    assert final["video"] == original["id"]
    assert final["transcoded_video"] == transcoded_media_id(final["id"])
    received = assert_sent_transcoded(svc, api, "slowmo", final)
    assert (received["fps"], received["width"], received["height"]) == (30.0, 720, 1280)
    lines = messages(final)
    assert any(
        line.startswith("Transcoding to H.264/AAC MP4 at 30 fps (the video runs at 15 fps")
        for line in lines
    )
    progress = [line for line in lines if line.startswith("Transcoding: ")]
    assert progress[-1] == "Transcoding: 100%"
    assert 2 <= len(progress) <= 5
    assert any(line.startswith("Transcoded to H.264/AAC MP4, 30 fps, 720x1280") for line in lines)
    # The transcode step ran before anything went to TikTok.
    transcoded_at = next(i for i, line in enumerate(lines) if line.startswith("Transcoded to"))
    assert transcoded_at < next(i for i, line in enumerate(lines) if "Initialised" in line)
    # The upload is kept as it was; the temporary files are gone.
    assert api.get(f"/v1/media/{original['id']}").json()["sha256"] == original["sha256"]
    leftovers = [path.name for path in scratch.iterdir() if path.name.startswith("tikpost-")]
    assert [name for name in leftovers if not name.startswith("tikpost-sandbox-")] == []


@SQLITE_ONLY
def test_vp9_in_matroska_with_audio_is_transcoded_and_published(
    svc: RunningService, sandbox_api: httpx.Client, tmp_path: Path
) -> None:
    """Another container and codec, audio, and a side under 360 px: all fixed at once."""
    api = sandbox_api
    source = make_matroska(tmp_path / "clip.mkv", width=300, height=534, fps=30)
    original = upload(api, source, "video/x-matroska")
    assert {p["field"] for p in original["checks"]["problems"]} == {"container", "resolution"}
    final = publish(api, "mkvfan", original, transcode=True)
    received = assert_sent_transcoded(svc, api, "mkvfan", final)
    assert (received["width"], received["height"]) == (360, 640)
    assert any(
        line.startswith("Transcoded to H.264/AAC MP4, 30 fps, 360x640, with AAC audio")
        for line in messages(final)
    )


@SQLITE_ONLY
def test_a_video_that_already_passes_is_sent_as_it_is(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    api = sandbox_api
    media = upload(api, videos.good)
    final = publish(api, "fine", media, transcode=True)
    assert final["transcoded_video"] is None
    assert "No transcoding needed: the video already meets TikTok's rules" in messages(final)
    [published] = sandbox_posts(svc, "fine")
    assert published["media"]["sha256"] == hashlib.sha256(videos.good.read_bytes()).hexdigest()


@SQLITE_ONLY
def test_the_server_default_turns_transcoding_on(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with service_factory(**SANDBOX_MODE, transcode_default=True) as svc:
        config = {"processing_delay_sec": 0.2}
        httpx.patch(f"{svc.url}/sandbox/_sandbox/config", json=config).raise_for_status()
        with svc.client(create_api_key("acme")) as api:
            media = upload(api, videos.low_fps)
            final = publish(api, "defaulted", media)
            assert final["transcode"] is True
            assert_sent_transcoded(svc, api, "defaulted", final)
            # An explicit false still wins, and is refused up front like any such post.
            account = api.get("/v1/accounts").json()["items"][0]
            response = api.post(
                "/v1/posts",
                json={
                    "account_id": account["id"],
                    "video": media["id"],
                    "privacy_level": "SELF_ONLY",
                    "transcode": False,
                },
            )
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == "video_frame_rate_out_of_range"


@SQLITE_ONLY
def test_a_fetched_video_url_is_transcoded_but_a_pulled_one_cannot_be(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    """An unverified `video_url` is fetched into media, so it transcodes like an upload; one
    under a verified prefix goes to TikTok untouched, so asking to transcode it is refused."""
    with media_origin(videos.low_fps.parent) as origin:
        verified = f"{origin}/media/"
        with service_factory(**SANDBOX_MODE, verified_url_prefixes=[verified]) as svc:
            with operator(svc) as op:
                config = {"processing_delay_sec": 0.2, "verified_url_prefixes": [verified]}
                op.patch("/config", json=config).raise_for_status()
            with svc.client(create_api_key("acme")) as api:
                account = connect_account(api, "fetched")
                body = {"account_id": account["id"], "privacy_level": "SELF_ONLY"}
                pulled = api.post(
                    "/v1/posts",
                    json={**body, "video_url": f"{verified}low_fps.mp4", "transcode": True},
                )
                assert pulled.status_code == 422, pulled.text
                error = pulled.json()["error"]
                assert (error["code"], error["field"]) == (
                    "cannot_transcode_pulled_url",
                    "transcode",
                )
                # Not under the verified prefix (a redirect to it): fetched, then transcoded.
                response = api.post(
                    "/v1/posts",
                    json={**body, "video_url": f"{origin}/redirect/low_fps.mp4", "transcode": True},
                )
                assert response.status_code == 202, response.text
                final = wait_final(api, response.json()["id"])
                assert final["status"] == "published", (final["error"], final["events"])
                received = assert_sent_transcoded(svc, api, "fetched", final)
                assert received["fps"] == 30.0


@SQLITE_ONLY
def test_a_retry_reuses_the_transcoded_video(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    """The transcoded media is recorded on the post: a second run of the workflow (a retry
    here, a crash recovery alike) uploads it again without transcoding twice."""
    api = sandbox_api
    account = connect_account(api, "retrier")
    media = upload(api, videos.low_fps)
    body = {
        "account_id": account["id"],
        "video": media["id"],
        "privacy_level": "SELF_ONLY",
        "transcode": True,
    }
    with operator(svc) as op:
        op.post("/faults", json={"endpoint": "processing", "error_rate": 1.0}).raise_for_status()
        response = api.post("/v1/posts", json=body)
        assert response.status_code == 202, response.text
        failed = wait_final(api, response.json()["id"])
        assert failed["status"] == "failed"
        op.delete("/faults").raise_for_status()
    assert failed["transcoded_video"] == transcoded_media_id(failed["id"])
    assert api.post(f"/v1/posts/{failed['id']}/retry").status_code == 202
    final = wait_final(api, failed["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    assert sum(line.startswith("Transcoded to") for line in messages(final)) == 1
    assert sum(line == "Transcoding: 100%" for line in messages(final)) == 1
    sent = {post["media"]["sha256"] for post in sandbox_posts(svc, "retrier")}
    transcoded = api.get(f"/v1/media/{final['transcoded_video']}").json()
    assert sent == {transcoded["sha256"]}


# The child-process transcoder alone: rotation, hostile input, the deadline.


def rotated_video(path: Path, *, rotation: int, fps: int) -> Path:
    """A landscape-coded clip flagged to display rotated, as phones store portrait video."""
    with av.open(str(path), "w") as output:
        stream = output.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        stream.set_display_rotation(rotation)
        # One second: enough for the transcoder, not for TikTok.
        write_frames(output, stream, seconds=1, fps=fps)
    return path


def run_transcoder(
    source: Path, target: Path, plan: TranscodePlan
) -> tuple[dict[str, Any], list[int]]:
    reported: list[int] = []

    async def progress(percent: int) -> None:
        reported.append(percent)

    summary = asyncio.run(transcode_file(source, target, plan, progress))
    return summary, reported


@pytest.mark.parametrize(("rotation", "size"), [(90, (360, 640)), (180, (640, 360))])
def test_rotation_is_applied_and_a_fast_rate_lowered(
    tmp_path: Path, rotation: int, size: tuple[int, int]
) -> None:
    source = rotated_video(tmp_path / "phone.mp4", rotation=rotation, fps=120)
    plan = TranscodePlan(Fraction(60), 640, 360, 1000)
    summary, reported = run_transcoder(source, tmp_path / "out.mp4", plan)
    assert (summary["width"], summary["height"], summary["fps"]) == (*size, 60.0)
    assert reported[-1] == 100
    assert reported == sorted(reported)
    with av.open(str(tmp_path / "out.mp4")) as result:
        stream = result.streams.video[0]
        frame = next(result.decode(stream))
        assert (frame.width, frame.height, frame.rotation) == (*size, 0)
        assert stream.codec_context.name == "h264"
        assert float(stream.average_rate or 0) == 60.0


def test_hostile_input_and_the_deadline_fail_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(os.urandom(50_000))
    plan = TranscodePlan(Fraction(30), 360, 640, 4000)
    with pytest.raises(TranscodeFailedError, match="could not be decoded"):
        run_transcoder(garbage, tmp_path / "out.mp4", plan)
    monkeypatch.setattr(transcode, "BASE_DEADLINE_SEC", 0.05)
    monkeypatch.setattr(transcode, "DEADLINE_PER_VIDEO_SEC", 0.0)
    source = rotated_video(tmp_path / "phone.mp4", rotation=90, fps=30)
    with pytest.raises(TranscodeFailedError, match=r"longer than 0\.05 s"):
        run_transcoder(source, tmp_path / "out.mp4", plan)
