"""Media storage failing under the service: a full disk, a read-only disk, an S3 endpoint gone.

Each fault is real: a small tmpfs that the test mounts, fills and remounts read-only, and a moto
S3 server that the test stops and starts again on the same port. Each error is a clean JSON
answer (507 `storage_full`, 503 `storage_unavailable` with Retry-After), nothing is left
behind (no partial file, no open multipart upload, no media row), a publish waits for the
storage and publishes exactly once, and the service answers again without a restart.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media import upload
from tests.service.media.test_media_errors import MULTIPART, framed
from tests.service.photo_helpers import make_png, make_zip
from tests.service.publishing_helpers import connect_account, operator, sandbox_posts, wait_final
from tests.service.s3_helpers import S3Server, running_s3_server
from tests.support.api import Api
from tests.support.media_server import media_origin
from tests.support.waiting import wait_until
from tikpost.posts.publish import storage_wait
from tikpost.sandbox.samples import make_jpeg

# The database is beside the point here: one backend is enough.
pytestmark = [pytest.mark.slow, SQLITE_ONLY]

DISK_MB = 16
MB = 1024 * 1024


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed ({result.stderr.strip()}): these tests mount a small "
            "tmpfs, which needs root"
        )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem of DISK_MB megabytes, mounted for this test only."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    _run("mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount_point))
    try:
        yield mount_point
    finally:
        _run("umount", "-l", str(mount_point))


@pytest.fixture
def outage_s3() -> Iterator[S3Server]:
    """An S3 server of this test's own, so stopping it troubles no other test."""
    with running_s3_server() as server:
        yield server


def files_on(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def random_file(path: Path, megabytes: int) -> Path:
    with path.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(MB))
    return path


def fill(disk: Path, leave_bytes: int) -> Path:
    """Fill the filesystem as another program would, leaving about `leave_bytes` free."""
    ballast = disk / "ballast"
    with ballast.open("wb") as handle:
        block = bytes(MB)
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError:
            pass
    size = ballast.stat().st_size
    os.truncate(ballast, max(0, size - leave_bytes))
    return ballast


def test_an_upload_larger_than_the_free_space_is_507_and_leaves_nothing(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    small_disk: Path,
    videos: VideoFiles,
    tmp_path: Path,
) -> None:
    big = random_file(tmp_path / "big.mp4", DISK_MB + 8)
    media_dir = small_disk / "media"
    with (
        service_factory(storage_url=media_dir.as_uri()) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        with big.open("rb") as handle:
            response = api.post("/v1/media", files={"file": ("big.mp4", handle, "video/mp4")})
        error = assert_error(response, 507, "storage_full")
        assert "free space or raise its quota" in error["message"]
        assert "retry-after" not in response.headers
        assert files_on(small_disk) == []  # no partial file
        assert api.get("/v1/media").json()["items"] == []  # no row
        # The failed upload freed what it took: the next one fits.
        created = upload(api, videos.good.read_bytes())
        assert created.status_code == 201, created.text
        assert [path.name for path in files_on(small_disk)] == [created.json()["id"]]


def test_a_full_disk_refuses_imports_and_zips_until_space_is_freed(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    small_disk: Path,
    videos: VideoFiles,
    tmp_path: Path,
) -> None:
    origin_root = tmp_path / "origin"
    origin_root.mkdir()
    (origin_root / "good.mp4").write_bytes(videos.good.read_bytes())
    slides = make_zip([(f"slide-{n}.jpg", make_jpeg(shade=40 * n)) for n in (1, 2, 3)])
    with (
        media_origin(origin_root) as origin,
        service_factory(storage_url=(small_disk / "media").as_uri()) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        ballast = fill(small_disk, leave_bytes=16 * 1024)
        imported = api.post("/v1/media", json={"url": f"{origin}/media/good.mp4"})
        assert_error(imported, 507, "storage_full")
        zipped = api.post(
            "/v1/media/zip", files={"file": ("slides.zip", slides, "application/zip")}
        )
        assert_error(zipped, 507, "storage_full")
        assert files_on(small_disk) == [ballast]
        assert api.get("/v1/media").json()["items"] == []
        ballast.unlink()
        imported = api.post("/v1/media", json={"url": f"{origin}/media/good.mp4"})
        assert imported.status_code == 201, imported.text
        zipped = api.post(
            "/v1/media/zip", files={"file": ("slides.zip", slides, "application/zip")}
        )
        assert zipped.status_code == 201, zipped.text
        assert len(api.get("/v1/media").json()["items"]) == 4


def test_a_read_only_disk_is_503_until_it_is_writable_again(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    small_disk: Path,
    videos: VideoFiles,
) -> None:
    data = videos.good.read_bytes()
    with (
        service_factory(storage_url=(small_disk / "media").as_uri()) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        first = upload(api, data).json()
        _run("mount", "-o", "remount,ro", str(small_disk))
        try:
            refused = upload(api, data)
            assert_error(refused, 503, "storage_unavailable")
            assert refused.headers["retry-after"] == "30"
            # The media still reads; deleting it drops the row now and the file once it can.
            assert api.get(f"/v1/media/{first['id']}").status_code == 200
            assert api.delete(f"/v1/media/{first['id']}").status_code == 204
            assert [path.name for path in files_on(small_disk)] == [first["id"]]
        finally:
            _run("mount", "-o", "remount,rw", str(small_disk))
        wait_until(lambda: files_on(small_disk) == [], "the deleted media's file removed", 60)
        again = upload(api, data)
        assert again.status_code == 201, again.text
        assert [item["id"] for item in api.get("/v1/media").json()["items"]] == [again.json()["id"]]


def stopping_body(server: S3Server, total: int, stop_at: int) -> Iterator[bytes]:
    """A streamed multipart upload of `total` bytes that takes S3 away after `stop_at`."""
    head, *_, tail = framed(b"")
    yield head
    block = os.urandom(MB)
    for sent in range(0, total, MB):
        if sent == stop_at:
            server.stop()
        yield block
    yield tail


def nothing_in(server: S3Server, bucket: str) -> bool:
    return server.keys(bucket) == [] and server.open_uploads(bucket) == []


def test_s3_going_away_mid_upload_is_503_and_its_multipart_upload_is_aborted(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    outage_s3: S3Server,
    videos: VideoFiles,
    tmp_path: Path,
) -> None:
    bucket = outage_s3.new_bucket()
    origin_root = tmp_path / "origin"
    origin_root.mkdir()
    (origin_root / "good.mp4").write_bytes(videos.good.read_bytes())
    with (
        media_origin(origin_root) as origin,
        service_factory(**outage_s3.settings(bucket)) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        # 48 MB, S3 gone after 12: parts are already uploading when it goes.
        body = stopping_body(outage_s3, total=48 * MB, stop_at=12 * MB)
        try:
            response = api.post("/v1/media", content=body, headers={"Content-Type": MULTIPART})
            error = assert_error(response, 503, "storage_unavailable")
            assert response.headers["retry-after"] == "30"
            assert "try again" in error["message"]
            # An import while S3 is away: the same answer.
            imported = api.post("/v1/media", json={"url": f"{origin}/media/good.mp4"})
            assert_error(imported, 503, "storage_unavailable")
            assert api.get("/v1/media").json()["items"] == []
        finally:
            outage_s3.start()
        # The multipart upload the outage cut off is aborted once S3 answers again.
        wait_until(lambda: nothing_in(outage_s3, bucket), "the cut-off upload aborted", 60)
        created = upload(api, videos.good.read_bytes())
        assert created.status_code == 201, created.text
        [key] = outage_s3.keys(bucket)
        assert key.endswith(f"/{created.json()['id']}")


def test_a_publish_waits_for_s3_and_publishes_once(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    outage_s3: S3Server,
    videos: VideoFiles,
) -> None:
    bucket = outage_s3.new_bucket()
    with service_factory(**SANDBOX_MODE, **outage_s3.settings(bucket)) as svc:
        with operator(svc) as op:
            op.patch("/config", json={"processing_delay_sec": 0.2}).raise_for_status()
        with svc.client(create_api_key("acme")) as api:
            accounts = [connect_account(api, name) for name in ("first", "second")]
            media = Api(api).upload(videos.good)
            outage_s3.stop()
            try:
                posts = [
                    Api(api).post(
                        account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY"
                    )["id"]
                    for account in accounts
                ]

                def waiting(post_id: str) -> bool:
                    events = api.get(f"/v1/posts/{post_id}").json()["events"]
                    return any("Waiting for the media storage" in e["message"] for e in events)

                wait_until(
                    lambda: any(waiting(post_id) for post_id in posts),
                    "a post waiting for the media storage",
                    60,
                )
            finally:
                outage_s3.start()
            for post_id in posts:
                final = wait_final(api, post_id, timeout=120)
                assert final["status"] == "published", (final["error"], final["events"])
            for name in ("first", "second"):
                assert [p["status"] for p in sandbox_posts(svc, name)] == ["PUBLISH_COMPLETE"]


def test_a_transcode_that_cannot_write_waits_for_space_and_publishes_once(
    sandbox_api: httpx.Client,
    svc: RunningService,
    small_disk: Path,
    videos: VideoFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The transcoder writes its output on the temporary disk: full, the post waits for it."""
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))
    api = sandbox_api
    account = connect_account(api, "transcoded")
    media = Api(api).upload(videos.low_fps)
    ballast = fill(small_disk, leave_bytes=16 * 1024)
    post_id = Api(api).post(
        account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY", transcode=True
    )["id"]

    def waiting() -> bool:
        events = api.get(f"/v1/posts/{post_id}").json()["events"]
        return any("Waiting for the media storage (storage_full)" in e["message"] for e in events)

    wait_until(waiting, "the post waiting for space to transcode", 60)
    ballast.unlink()
    final = wait_final(api, post_id, timeout=120)
    assert final["status"] == "published", (final["error"], final["events"])
    assert final["transcoded_video"]
    assert [p["status"] for p in sandbox_posts(svc, "transcoded")] == ["PUBLISH_COMPLETE"]


def test_a_publish_fails_with_the_storage_code_once_the_wait_is_spent(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    outage_s3: S3Server,
    videos: VideoFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An outage outlasting the wait (here shortened to 3 s) fails the post, saying why."""
    monkeypatch.setattr(storage_wait, "STORAGE_WAIT_SEC", 3)
    bucket = outage_s3.new_bucket()
    with (
        service_factory(**SANDBOX_MODE, **outage_s3.settings(bucket)) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        account = connect_account(api, "patient")
        media = Api(api).upload(videos.good)
        outage_s3.stop()
        try:
            post_id = Api(api).post(
                account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY"
            )["id"]
            final = wait_final(api, post_id, timeout=120)
        finally:
            outage_s3.start()
        assert final["status"] == "failed", final["events"]
        assert final["error"]["code"] == "storage_unavailable"
        assert "retry the post" in final["error"]["message"]
        # Only the init reached TikTok: an upload never completed, which never publishes.
        assert [p["status"] for p in sandbox_posts(svc, "patient")] == ["PROCESSING_UPLOAD"]
        # The service answers, and publishes, again without a restart.
        retried = api.post(f"/v1/posts/{post_id}/retry")
        assert retried.status_code == 202, retried.text
        again = wait_final(api, post_id, timeout=120)
        assert again["status"] == "published", (again["error"], again["events"])
        statuses = [p["status"] for p in sandbox_posts(svc, "patient")]
        assert sorted(statuses) == ["PROCESSING_UPLOAD", "PUBLISH_COMPLETE"]


def test_a_photo_conversion_on_a_full_disk_is_507_and_keeps_nothing(
    sandbox_api: httpx.Client,
    svc: RunningService,
    small_disk: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PNG is converted to JPEG on the temporary disk before the post exists: full, the
    post is refused with 507 rather than blamed on the photo, and goes through once freed."""
    monkeypatch.setattr(tempfile, "tempdir", str(small_disk))
    api = sandbox_api
    account = connect_account(api, "photographer")
    png = api.post("/v1/media", files={"file": ("p.png", make_png(800, 600), "image/png")})
    assert png.status_code == 201, png.text
    body = {"account_id": account["id"], "photos": [png.json()["id"]], "privacy_level": "SELF_ONLY"}
    ballast = fill(small_disk, leave_bytes=16 * 1024)
    assert_error(api.post("/v1/posts", json=body), 507, "storage_full")
    assert files_on(small_disk) == [ballast]
    assert [item["id"] for item in api.get("/v1/media").json()["items"]] == [png.json()["id"]]
    ballast.unlink()
    created = api.post("/v1/posts", json=body)
    assert created.status_code == 202, created.text
    final = wait_final(api, created.json()["id"], timeout=120)
    assert final["status"] == "published", (final["error"], final["events"])
    assert [p["status"] for p in sandbox_posts(svc, "photographer")] == ["PUBLISH_COMPLETE"]
