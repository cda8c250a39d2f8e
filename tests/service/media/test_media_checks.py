"""TikTok's media rules (media.checks): each rule as a pure function, then at ingest and at post
time over HTTP, where a refusal is a 422 naming the field, the value found and the limit."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.photo_helpers import make_png
from tests.service.publishing_helpers import connect_account, upload
from tests.support.videos import make_video
from tikpost.kit.errors import ApiError
from tikpost.media import checks
from tikpost.media.schemas import ImageProbe, MediaRead, VideoProbe
from tikpost.media.service import matroska_doctype, to_read
from tikpost.media.transcode import plan_for, target_fps, target_size
from tikpost.posts import rules
from tikpost.posts.schemas import PostCreate
from tikpost.sandbox.samples import write_frames

MP4 = "mov,mp4,m4a,3gp,3g2,mj2"


def make_matroska(
    path: Path,
    *,
    seconds: float = 3.5,
    fps: int = 30,
    width: int = 360,
    height: int = 640,
    container: str = "matroska",
    audio: bool = True,
) -> Path:
    """A VP9 video (with Opus audio) in Matroska or WebM, fast to encode."""
    with av.open(str(path), "w", format=container) as output:
        video = output.add_stream("libvpx-vp9", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"deadline": "realtime", "cpu-used": "8"}
        sound = output.add_stream("libopus", rate=48_000) if audio else None
        if sound is not None:
            sound.layout = "stereo"
        write_frames(output, video, seconds=seconds, fps=fps)
        total, done = int(seconds * 48_000), 0
        while sound is not None and done < total:
            count = min(960, total - done)
            samples = b"".join(
                int(8000 * math.sin(2 * math.pi * 440 * (done + n) / 48_000)).to_bytes(
                    2, "little", signed=True
                )
                * 2
                for n in range(count)
            )
            chunk = av.AudioFrame(format="s16", layout="stereo", samples=count)
            chunk.planes[0].update(samples)
            chunk.sample_rate, chunk.pts, chunk.time_base = 48_000, done, Fraction(1, 48_000)
            for packet in sound.encode(chunk):
                output.mux(packet)
            done += count
        if sound is not None:
            for packet in sound.encode():
                output.mux(packet)
    return path


def video(**fields: Any) -> VideoProbe:
    base: dict[str, Any] = {
        "container": MP4,
        "video_codec": "h264",
        "duration_ms": 4000,
        "fps": 30.0,
        "width": 720,
        "height": 1280,
        "size_bytes": 100_000,
        "sha256": "0" * 64,
    }
    return VideoProbe(**{**base, **fields})


def image(**fields: Any) -> ImageProbe:
    base: dict[str, Any] = {
        "format": "jpeg",
        "width": 1080,
        "height": 1350,
        "size_bytes": 100_000,
        "sha256": "0" * 64,
    }
    return ImageProbe(**{**base, **fields})


def codes(problems: list[Any]) -> list[tuple[str, str, bool]]:
    return [(p.code, p.field, p.fixable_by_transcode) for p in problems]


# The pure functions: one case per rule, at and just past each limit.


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, []),
        ({"container": "webm", "video_codec": "vp9"}, []),
        ({"container": "matroska,webm", "video_codec": "vp8"}, []),  # recorded before DocType
        ({"video_codec": "hevc"}, []),
        ({"video_codec": "mpeg4"}, [("unsupported_video_format", "video_codec", True)]),
        (
            {"container": "matroska", "video_codec": "vp9"},
            [("unsupported_video_format", "container", True)],
        ),
        (
            {"container": "webm", "video_codec": "h264"},
            [("unsupported_video_format", "container", True)],
        ),
        ({"duration_ms": 3000}, []),
        ({"duration_ms": 2999}, [("video_duration_out_of_range", "duration_ms", False)]),
        ({"duration_ms": 600_000}, []),
        ({"duration_ms": 600_001}, [("video_duration_out_of_range", "duration_ms", False)]),
        ({"fps": 23.0}, []),
        ({"fps": 60.0}, []),
        ({"fps": 22.9}, [("video_frame_rate_out_of_range", "fps", True)]),
        ({"fps": 120.0}, [("video_frame_rate_out_of_range", "fps", True)]),
        ({"width": 360, "height": 4096}, []),
        ({"width": 359}, [("video_resolution_out_of_range", "resolution", True)]),
        ({"height": 4097}, [("video_resolution_out_of_range", "resolution", True)]),
        (
            {"width": 100, "height": 5000},
            [("video_resolution_out_of_range", "resolution", False)],
        ),
        ({"size_bytes": 4 * 1024**3}, []),
        ({"size_bytes": 4 * 1024**3 + 1}, [("video_too_large", "size_bytes", False)]),
        (
            {"video_codec": "mpeg4", "fps": 15.0, "duration_ms": 1000},
            [
                ("unsupported_video_format", "video_codec", True),
                ("video_duration_out_of_range", "duration_ms", False),
                ("video_frame_rate_out_of_range", "fps", True),
            ],
        ),
    ],
)
def test_video_rules(fields: dict[str, Any], expected: list[tuple[str, str, bool]]) -> None:
    assert codes(checks.check_video(video(**fields))) == expected


def test_a_problem_names_the_value_and_the_limit() -> None:
    [problem] = checks.check_video(video(fps=15.0))
    assert (problem.value, problem.limit) == (15.0, "23 to 60 fps")
    assert "15 fps" in problem.message
    assert "23 to 60 fps" in problem.message
    [short] = checks.check_video(video(duration_ms=2000), max_duration_ms=60_000)
    assert (short.value, short.limit) == (2000, "3000 to 60000 ms")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, []),
        ({"format": "webp"}, []),
        ({"format": "png"}, [("unsupported_image_format", "format", True)]),
        ({"width": 1081, "height": 1400}, [("image_resolution_too_large", "resolution", True)]),
        ({"size_bytes": 20 * 1024 * 1024}, []),
        ({"size_bytes": 20 * 1024 * 1024 + 1}, [("image_too_large", "size_bytes", False)]),
    ],
)
def test_image_rules(fields: dict[str, Any], expected: list[tuple[str, str, bool]]) -> None:
    assert codes(checks.check_image(image(**fields))) == expected


def test_summary_and_first_unfixable() -> None:
    assert checks.summary(video()).ready_for_tiktok
    late = checks.summary(video(fps=15.0, size_bytes=5 * 1024**3))
    assert not late.ready_for_tiktok
    found = checks.first_unfixable(late.problems)
    assert found is not None
    assert found.code == "video_too_large"
    assert checks.first_unfixable(checks.check_video(video(fps=15.0))) is None


def test_post_rules_leave_fixable_problems_to_transcoding() -> None:
    request = PostCreate(account_id="acct_x", video="med_x", privacy_level="SELF_ONLY")
    media = MediaRead(
        id="med_x",
        kind="video",
        filename=None,
        content_type="video/mp4",
        size_bytes=1,
        sha256="0" * 64,
        probe=video(fps=15.0),
        checks=checks.summary(video(fps=15.0)),
        created_at="2026-11-23T00:00:00Z",
    )
    with pytest.raises(ApiError) as refused:
        rules.check_video(request, media)
    assert refused.value.code == "video_frame_rate_out_of_range"
    assert refused.value.details == {"value": 15.0, "limit": "23 to 60 fps"}
    assert rules.check_video(request, media, transcode=True).fps == 15.0
    media.probe = video(fps=15.0, duration_ms=700_000)
    with pytest.raises(ApiError) as still:
        rules.check_video(request, media, transcode=True)
    assert still.value.code == "video_duration_out_of_range"


@pytest.mark.parametrize(
    ("fps", "expected"), [(15.0, 30), (0.0, 30), (23.0, 23), (29.97, Fraction(30000, 1001))]
)
def test_transcode_frame_rate(fps: float, expected: Fraction | int) -> None:
    assert target_fps(fps) == expected
    assert target_fps(120.0) == 60


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((720, 1280), (720, 1280)),
        ((200, 300), (360, 540)),
        ((5000, 8000), (2560, 4096)),
        ((361, 641), (360, 640)),
        # Too narrow for any scale (checks call it unfixable, so never planned): clamped.
        ((300, 4000), (360, 4096)),
    ],
)
def test_transcode_size(size: tuple[int, int], expected: tuple[int, int]) -> None:
    assert target_size(*size) == expected
    width, height = target_size(*size)
    assert width % 2 == height % 2 == 0


def test_transcode_plan_output_passes_the_checks() -> None:
    plan = plan_for(video(fps=15.0, width=200, height=300))
    fixed = video(fps=float(plan.fps), width=plan.width, height=plan.height)
    assert checks.check_video(fixed) == []
    assert (plan.fps, plan.width, plan.height) == (Fraction(30), 360, 540)


def test_matroska_doctype(tmp_path: Path) -> None:
    mkv = make_matroska(tmp_path / "a.mkv", seconds=0.2, width=64, height=64, audio=False)
    webm = make_matroska(
        tmp_path / "a.webm", seconds=0.2, width=64, height=64, container="webm", audio=False
    )
    assert matroska_doctype(mkv.read_bytes()[:256]) == "matroska"
    assert matroska_doctype(webm.read_bytes()[:256]) == "webm"
    assert matroska_doctype(b"\x00\x00\x00\x18ftypmp42") is None
    assert matroska_doctype(b"\x1a\x45\xdf\xa3\x42\x82") is None


def test_to_read_reports_checks_from_the_stored_probe() -> None:
    from tikpost.media.models import Media

    row = Media(
        id="med_x",
        team_id="team_x",
        kind="video",
        filename=None,
        content_type="video/mp4",
        storage_key="team_x/med_x",
        size_bytes=1,
        sha256="0" * 64,
        probe=video(fps=15.0).model_dump(),
        created_at="2026-11-23T00:00:00Z",
    )
    read = to_read(row)
    assert not read.checks.ready_for_tiktok
    assert read.checks.problems[0].code == "video_frame_rate_out_of_range"


# Over HTTP: ingest refuses what no post could use and reports what transcoding fixes.


def assert_refused(response: httpx.Response, code: str, field: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    return error


@SQLITE_ONLY
def test_ingest_refuses_what_no_post_could_use(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles, tmp_path: Path
) -> None:
    api = sandbox_api
    two_seconds = make_video(tmp_path / "two.mp4", seconds=2, fps=30, width=360, height=640)
    with two_seconds.open("rb") as handle:
        response = api.post("/v1/media", files={"file": ("two.mp4", handle, "video/mp4")})
    error = assert_refused(response, "video_duration_out_of_range", "file")
    assert (error["value"], error["limit"]) == (2000, "3000 to 600000 ms")
    assert "2.0 s" in error["message"]
    text = api.post("/v1/media", files={"file": ("clip.mp4", b"not a video\n" * 50, "video/mp4")})
    assert_refused(text, "unsupported_media", "file")
    big = api.post(
        "/v1/media", files={"file": ("big.png", make_png(2600, 2800, noise=True), "image/png")}
    )
    error = assert_refused(big, "image_too_large", "file")
    assert error["value"] > 20 * 1024 * 1024
    assert error["limit"] == f"{20 * 1024 * 1024} bytes"
    assert api.get("/v1/media").json()["items"] == []


@SQLITE_ONLY
def test_ingest_keeps_and_reports_what_transcoding_fixes(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles, tmp_path: Path
) -> None:
    api = sandbox_api
    good = upload(api, videos.good)
    assert good["checks"] == {"ready_for_tiktok": True, "problems": []}
    slow = upload(api, videos.low_fps)
    [problem] = slow["checks"]["problems"]
    assert slow["checks"]["ready_for_tiktok"] is False
    assert problem == {
        "code": "video_frame_rate_out_of_range",
        "field": "fps",
        "value": 15.0,
        "limit": "23 to 60 fps",
        "message": "the video runs at 15 fps; TikTok takes 23 to 60 fps",
        "fixable_by_transcode": True,
    }
    mkv = upload(api, make_matroska(tmp_path / "clip.mkv"), "video/x-matroska")
    assert (mkv["probe"]["container"], mkv["content_type"]) == ("matroska", "video/x-matroska")
    assert [p["field"] for p in mkv["checks"]["problems"]] == ["container"]
    webm = upload(api, make_matroska(tmp_path / "clip.webm", container="webm"), "video/webm")
    assert (webm["probe"]["container"], webm["content_type"]) == ("webm", "video/webm")
    assert webm["checks"]["ready_for_tiktok"] is True
    assert api.get(f"/v1/media/{slow['id']}").json()["checks"] == slow["checks"]


@SQLITE_ONLY
def test_without_transcode_a_post_is_refused_naming_value_and_limit(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles, tmp_path: Path
) -> None:
    api = sandbox_api
    account = connect_account(api, "checker")
    body = {"account_id": account["id"], "privacy_level": "SELF_ONLY"}
    slow = upload(api, videos.low_fps)
    response = api.post("/v1/posts", json={**body, "video": slow["id"]})
    error = assert_refused(response, "video_frame_rate_out_of_range", "video")
    assert (error["value"], error["limit"]) == (15.0, "23 to 60 fps")
    assert "15 fps" in error["message"]
    assert "23 to 60 fps" in error["message"]
    assert '"transcode": true' in error["message"]
    mkv = upload(api, make_matroska(tmp_path / "clip.mkv", audio=False), "video/x-matroska")
    response = api.post("/v1/posts", json={**body, "video": mkv["id"], "transcode": False})
    error = assert_refused(response, "unsupported_video_format", "video")
    assert (error["value"], error["limit"]) == ("matroska", "mp4, mov or webm")
    assert api.get("/v1/posts").json()["items"] == []
