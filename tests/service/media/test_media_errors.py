"""Bad uploads: each gets a JSON error, and none leaves a file or a row behind."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media import stored_files, upload
from tests.service.photo_helpers import make_zip
from tests.service.s3_helpers import BOTH_STORAGES
from tests.support.waiting import wait_until
from tikpost.media import probe, repository
from tikpost.sandbox.samples import make_jpeg

# SQLite only: refusals of a body before or while it streams; the rollback of a refused request
# runs on both backends in tests/service/kit/test_errors.py.
pytestmark = SQLITE_ONLY

BOUNDARY = "tikpost-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def framed(data: bytes, name: str = "file", filename: str = "clip.mp4") -> list[bytes]:
    """A multipart body, split so the file's bytes arrive in several chunks."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    step = 64 * 1024
    chunks = [data[i : i + step] for i in range(0, len(data), step)]
    return [head, *chunks, f"\r\n--{BOUNDARY}--\r\n".encode()]


def chunked(parts: list[bytes]) -> Iterator[bytes]:
    """A generator body: httpx sends it chunked, with no Content-Length to judge in advance."""
    yield from parts


def assert_error(response: httpx.Response, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


def assert_nothing_kept(service: RunningService, api: httpx.Client) -> None:
    assert stored_files(service) == []
    assert api.get("/v1/media").json()["items"] == []


@BOTH_STORAGES
def test_garbage_is_unsupported(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    response = upload(api, videos.random_bytes.read_bytes(), "looks-fine.mp4")
    assert_error(response, 422, "unsupported_media", "file")
    assert_nothing_kept(service, api)


def test_truncated_video_is_unsupported(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    data = videos.good.read_bytes()
    assert_error(upload(api, data[: len(data) // 2]), 422, "unsupported_media", "file")
    assert_nothing_kept(service, api)


def test_a_playlist_cannot_make_the_prober_read_other_files(
    service: RunningService, api: httpx.Client
) -> None:
    playlist = b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n"
    response = upload(api, playlist + b"#EXT-X-ENDLIST\n", "list.m3u8", "application/x-mpegurl")
    assert_error(response, 422, "unsupported_media", "file")
    assert_nothing_kept(service, api)


@BOTH_STORAGES
def test_too_large_is_refused_while_streaming(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    videos: VideoFiles,
) -> None:
    data = videos.good.read_bytes()
    with (
        service_factory(max_media_bytes=len(data) - 1) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        # Declared length within the framing allowance: caught by counting the bytes.
        assert_error(upload(api, data), 413, "media_too_large", "file")
        # No declared length at all (chunked): caught the same way, midway.
        response = api.post(
            "/v1/media", content=chunked(framed(data)), headers={"Content-Type": MULTIPART}
        )
        assert_error(response, 413, "media_too_large", "file")
        assert_nothing_kept(svc, api)


def test_too_large_is_refused_from_the_declared_length(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with service_factory(max_media_bytes=1000) as svc, svc.client(create_api_key("acme")) as api:
        assert_error(upload(api, videos.good.read_bytes()), 413, "media_too_large", "file")
        # The connection stays usable after the early refusal.
        assert api.get("/v1/media").status_code == 200
        assert_nothing_kept(svc, api)


def test_a_file_exactly_at_the_limit_is_accepted(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    jpeg = make_jpeg(width=32, height=32)
    with (
        service_factory(max_media_bytes=len(jpeg)) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        assert upload(api, jpeg, "a.jpg").status_code == 201


def test_missing_file_field(service: RunningService, api: httpx.Client) -> None:
    response = api.post("/v1/media", files={"video": ("a.jpg", make_jpeg(32, 32), "image/jpeg")})
    assert_error(response, 422, "validation_error", "file")
    response = api.post("/v1/media", data={"title": "no file"}, files={"x": ("", b"")})
    assert_error(response, 422, "validation_error", "file")
    assert_nothing_kept(service, api)


def test_other_fields_are_ignored(service: RunningService, api: httpx.Client) -> None:
    jpeg = make_jpeg(width=32, height=32)
    response = api.post(
        "/v1/media", data={"note": "x" * 100_000}, files={"file": ("a.jpg", jpeg, "image/jpeg")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["size_bytes"] == len(jpeg)


def test_empty_file(service: RunningService, api: httpx.Client) -> None:
    assert_error(upload(api, b""), 422, "empty_file", "file")
    assert_nothing_kept(service, api)


def test_two_files(service: RunningService, api: httpx.Client) -> None:
    jpeg = make_jpeg(width=32, height=32)
    files = [("file", ("a.jpg", jpeg, "image/jpeg")), ("file", ("b.jpg", jpeg, "image/jpeg"))]
    assert_error(api.post("/v1/media", files=files), 422, "too_many_files", "file")
    assert_nothing_kept(service, api)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        # (JSON {"url"} imports: tests/service/kit/test_safe_fetch.py)
        {"content": b"raw bytes", "headers": {"Content-Type": "video/mp4"}},
        {"content": b""},
    ],
)
def test_non_multipart_bodies(
    service: RunningService, api: httpx.Client, request_kwargs: dict[str, Any]
) -> None:
    response = api.post("/v1/media", **request_kwargs)
    assert_error(response, 415, "unsupported_media_type", None)
    assert_nothing_kept(service, api)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),  # no boundary parameter
        (MULTIPART, b"".join(framed(b"abc"))[:-30]),  # ends inside the file part
        (MULTIPART, b"not a multipart body at all"),
    ],
)
def test_malformed_multipart(
    service: RunningService, api: httpx.Client, content_type: str, body: bytes
) -> None:
    response = api.post("/v1/media", content=body, headers={"Content-Type": content_type})
    assert_error(response, 400, "invalid_multipart", None)
    assert_nothing_kept(service, api)


def test_a_hanging_prober_is_killed(
    service: RunningService, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(probe, "PROBE_TIMEOUT_SEC", 0.5)
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(probe, "_probe_command", lambda _path: sleeper)
    response = upload(api, make_jpeg(width=32, height=32), "a.jpg")
    assert_error(response, 422, "unsupported_media", "file")
    assert "0.5 s" in response.json()["error"]["message"]
    assert_nothing_kept(service, api)


def test_a_crashing_prober_is_contained(
    service: RunningService, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    crasher = [sys.executable, "-c", "import os; os.abort()"]
    monkeypatch.setattr(probe, "_probe_command", lambda _path: crasher)
    assert_error(upload(api, make_jpeg(32, 32), "a.jpg"), 422, "unsupported_media", "file")
    assert_nothing_kept(service, api)
    assert api.get("/healthz").status_code == 200


@BOTH_STORAGES
def test_a_failure_after_storing_removes_the_file(
    service: RunningService, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(repository, "add_media", broken)
    response = upload(api, make_jpeg(width=32, height=32), "a.jpg")
    assert_error(response, 500, "internal_error", None)
    monkeypatch.undo()
    # The server drops a connection after a 500, so look with a fresh one.
    with service.client(api.headers["X-API-Key"]) as fresh:
        assert_nothing_kept(service, fresh)


def test_endless_other_fields_count_against_the_limit(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    parts = framed(b"x" * 100_000, name="notes", filename="notes.txt")
    with service_factory(max_media_bytes=1000) as svc, svc.client(create_api_key("acme")) as api:
        response = api.post(
            "/v1/media", content=chunked(parts), headers={"Content-Type": MULTIPART}
        )
        assert_error(response, 413, "media_too_large", "file")
        assert_nothing_kept(svc, api)


def test_a_client_vanishing_mid_upload_leaves_nothing(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    head, *body = framed(videos.good.read_bytes())
    length = len(head) + sum(len(part) for part in body)
    host, port = service.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        request = (
            f"POST /v1/media HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {api.headers['X-API-Key']}"
            f"\r\nContent-Type: {MULTIPART}\r\nContent-Length: {length}\r\n\r\n"
        )
        sock.sendall(request.encode() + head + b"".join(body[: len(body) // 2]))
        # Wait until the server has started writing, then hang up halfway through the file.
        wait_until(lambda: stored_files(service), "the server writing the upload", 10)
    wait_until(
        lambda: not stored_files(service),
        "the partial file removed",
        10,
        detail=lambda: stored_files(service),
    )
    assert api.get("/v1/media").json()["items"] == []


def test_a_zip_sent_as_one_file_says_where_zips_go(
    service: RunningService, api: httpx.Client
) -> None:
    slides = make_zip([("slide-1.jpg", make_jpeg(64, 64))])
    response = upload(api, slides, "slides.zip")
    assert_error(response, 422, "unsupported_media", "file")
    assert "POST /v1/media/zip" in response.json()["error"]["message"]
    assert_nothing_kept(service, api)
