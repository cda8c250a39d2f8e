"""Chunked PUT uploads, pull-from-URL for videos and photos, cancel, and TikTok's webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import RunningSandbox, SandboxFactory, VideoFiles
from tests.sandbox.helpers import (
    bearer,
    error_code,
    init_file,
    put_chunk,
    upload_whole,
    wait_status,
)
from tests.support.media_server import media_origin
from tests.support.server import serve_in_thread
from tikpost.sandbox.samples import make_jpeg

SMALL_CHUNKS = {
    "min_chunk_size": 65536,
    "max_chunk_size": 1_000_000,
    "max_final_chunk_size": 2_000_000,
}


def init_chunked(api: httpx.Client, size: int, chunk: int) -> dict[str, Any]:
    response = api.post(
        "/v2/post/publish/video/init/",
        json={
            "post_info": {"privacy_level": "SELF_ONLY", "title": "chunks"},
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": chunk,
                "total_chunk_count": size // chunk,
            },
        },
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_multi_chunk_upload_statuses(sandbox_factory: SandboxFactory, videos: VideoFiles) -> None:
    data = videos.good.read_bytes()
    chunk = 700_000
    count = len(data) // chunk
    with sandbox_factory(chunk_rules=SMALL_CHUNKS) as sandbox:
        creator = sandbox.create_creator("chunky")
        with bearer(sandbox.url, creator["access_token"]) as api:
            init = init_chunked(api, len(data), chunk)
            url = init["upload_url"]
            assert put_chunk(url, data[chunk : 2 * chunk], chunk, len(data)).status_code == 416
            for index in range(count):
                first = index * chunk
                end = len(data) if index == count - 1 else first + chunk
                response = put_chunk(url, data[first:end], first, len(data))
                expected = 201 if index == count - 1 else 206
                assert response.status_code == expected
                assert response.headers["content-range"] == f"bytes 0-{end - 1}/{len(data)}"
                if index == 0:
                    status = api.post(
                        "/v2/post/publish/status/fetch/", json={"publish_id": init["publish_id"]}
                    ).json()["data"]
                    assert status == {
                        "status": "PROCESSING_UPLOAD",
                        "publicaly_available_post_id": [],
                        "uploaded_bytes": chunk,
                    }
            assert put_chunk(url, data[:chunk], 0, len(data)).status_code == 416
            assert wait_status(api, init["publish_id"])["status"] == "PUBLISH_COMPLETE"
        [post] = sandbox.posts(creator["open_id"])
        assert post["media"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_upload_rejections(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(chunk_rules=SMALL_CHUNKS) as sandbox:
        creator = sandbox.create_creator("rejected")
        with bearer(sandbox.url, creator["access_token"]) as api:
            init = init_chunked(api, 300_000, 100_000)
            url = init["upload_url"]
            wrong_size = put_chunk(url, b"x" * 50_000, 0, 300_000)
            no_range = httpx.put(url, content=b"x" * 100_000, headers={"Content-Type": "video/mp4"})
            bad_type = httpx.put(
                url,
                content=b"x" * 100_000,
                headers={"Content-Type": "text/plain", "Content-Range": "bytes 0-99999/300000"},
            )
            wrong_total = put_chunk(url, b"x" * 100_000, 0, 999_999)
            unknown = put_chunk(url.replace("upload_token=", "upload_token=zz"), b"x", 0, 1)
            assert put_chunk(url, b"x" * 100_000, 0, 300_000).status_code == 206
            sandbox.operator.post(
                "/_sandbox/uploads/expire", json={"publish_id": init["publish_id"]}
            ).raise_for_status()
            expired = put_chunk(url, b"x" * 100_000, 100_000, 300_000)
    assert wrong_size.status_code == 416
    assert no_range.status_code == 400
    assert bad_type.status_code == 400
    assert wrong_total.status_code == 400
    assert unknown.status_code == 404
    assert expired.status_code == 403


def test_upload_url_expires_after_an_hour(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("slowpoke")
    with bearer(sandbox.url, creator["access_token"]) as api:
        init = init_chunked(api, 1000, 1000)
    sandbox.advance_clock(3601)
    assert put_chunk(init["upload_url"], b"x" * 1000, 0, 1000).status_code == 403


def test_injected_upload_fault_keeps_progress(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("flaky")
    with bearer(sandbox.url, creator["access_token"]) as api:
        init = init_chunked(api, 1000, 1000)
    sandbox.operator.post("/_sandbox/faults", json={"endpoint": "upload", "error_rate": 1})
    assert put_chunk(init["upload_url"], b"x" * 1000, 0, 1000).status_code == 500
    sandbox.operator.delete("/_sandbox/faults")
    assert put_chunk(init["upload_url"], b"x" * 1000, 0, 1000).status_code == 201


@pytest.fixture
def origin(tmp_path: Path, videos: VideoFiles) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "origin"
    root.mkdir()
    (root / "good.mp4").write_bytes(videos.good.read_bytes())
    (root / "slide1.jpg").write_bytes(make_jpeg(1080, 1350, 1))
    (root / "slide2.jpg").write_bytes(make_jpeg(720, 1280, 2))
    (root / "huge.jpg").write_bytes(make_jpeg(1440, 1920, 3))
    (root / "text.jpg").write_bytes(b"this is not an image at all")
    with media_origin(root) as url:
        yield url, root


def test_pull_from_verified_url(
    sandbox_factory: SandboxFactory, origin: tuple[str, Path], videos: VideoFiles
) -> None:
    url, _ = origin
    with sandbox_factory(verified_url_prefixes=[f"{url}/media/"]) as sandbox:
        creator = sandbox.create_creator("puller")
        with bearer(sandbox.url, creator["access_token"]) as api:

            def pull(video_url: str, inbox: bool = False) -> httpx.Response:
                body: dict[str, Any] = {
                    "source_info": {"source": "PULL_FROM_URL", "video_url": video_url}
                }
                if inbox:
                    return api.post("/v2/post/publish/inbox/video/init/", json=body)
                body["post_info"] = {"privacy_level": "SELF_ONLY"}
                return api.post("/v2/post/publish/video/init/", json=body)

            good = pull(f"{url}/media/good.mp4").json()["data"]
            assert good["publish_id"].startswith("v_pub_url~v2.")
            assert "upload_url" not in good
            final = wait_status(api, good["publish_id"])
            assert final["status"] == "PUBLISH_COMPLETE"
            assert final["downloaded_bytes"] == videos.good.stat().st_size
            inbox = pull(f"{url}/media/good.mp4", inbox=True).json()["data"]
            assert inbox["publish_id"].startswith("v_inbox_url~v2.")
            assert wait_status(api, inbox["publish_id"])["status"] == "SEND_TO_USER_INBOX"
            missing = pull(f"{url}/media/absent.mp4").json()["data"]
            assert wait_status(api, missing["publish_id"])["fail_reason"] == "video_pull_failed"
            unverified = pull(f"{url}/redirect/good.mp4")
            assert (unverified.status_code, error_code(unverified)) == (
                403,
                "url_ownership_unverified",
            )
        sha = hashlib.sha256(videos.good.read_bytes()).hexdigest()
        assert sandbox.posts(creator["open_id"])[0]["media"]["sha256"] == sha


def test_redirects_are_not_followed(
    sandbox_factory: SandboxFactory, origin: tuple[str, Path]
) -> None:
    url, _ = origin
    with sandbox_factory(verified_url_prefixes=[f"{url}/"]) as sandbox:
        creator = sandbox.create_creator("redirected")
        with bearer(sandbox.url, creator["access_token"]) as api:
            response = api.post(
                "/v2/post/publish/video/init/",
                json={
                    "post_info": {"privacy_level": "SELF_ONLY"},
                    "source_info": {
                        "source": "PULL_FROM_URL",
                        "video_url": f"{url}/redirect/good.mp4",
                    },
                },
            )
            final = wait_status(api, response.json()["data"]["publish_id"])
        assert final["fail_reason"] == "video_pull_failed"


def photo_init(
    api: httpx.Client, urls: list[str], mode: str = "DIRECT_POST", **info: Any
) -> httpx.Response:
    post_info: dict[str, Any] = {"title": "slides", "description": "a carousel", **info}
    if mode == "DIRECT_POST":
        post_info.setdefault("privacy_level", "SELF_ONLY")
    return api.post(
        "/v2/post/publish/content/init/",
        json={
            "media_type": "PHOTO",
            "post_mode": mode,
            "post_info": post_info,
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_images": urls,
                "photo_cover_index": 0,
            },
        },
    )


def test_photo_carousels(sandbox_factory: SandboxFactory, origin: tuple[str, Path]) -> None:
    url, root = origin
    media = f"{url}/media"
    with sandbox_factory(verified_url_prefixes=[f"{media}/"]) as sandbox:
        creator = sandbox.create_creator("photographer")
        with bearer(sandbox.url, creator["access_token"]) as api:
            direct = photo_init(api, [f"{media}/slide1.jpg", f"{media}/slide2.jpg"]).json()["data"]
            assert direct["publish_id"].startswith("p_pub_url~v2.")
            assert wait_status(api, direct["publish_id"])["status"] == "PUBLISH_COMPLETE"
            draft = photo_init(api, [f"{media}/slide1.jpg"], mode="MEDIA_UPLOAD").json()["data"]
            assert draft["publish_id"].startswith("p_inbox_url~v2.")
            assert wait_status(api, draft["publish_id"])["status"] == "SEND_TO_USER_INBOX"
            huge = photo_init(api, [f"{media}/slide1.jpg", f"{media}/huge.jpg"]).json()["data"]
            assert (
                wait_status(api, huge["publish_id"])["fail_reason"] == "picture_size_check_failed"
            )
            sandbox.advance_clock(61)
            text = photo_init(api, [f"{media}/text.jpg"]).json()["data"]
            assert wait_status(api, text["publish_id"])["fail_reason"] == "file_format_check_failed"
            long_title = photo_init(api, [f"{media}/slide1.jpg"], title="t" * 91)
            assert (long_title.status_code, error_code(long_title)) == (400, "invalid_params")
            too_many = photo_init(api, [f"{media}/slide1.jpg"] * 36)
            assert (too_many.status_code, error_code(too_many)) == (400, "invalid_params")
            foreign = photo_init(api, ["https://elsewhere.example/a.jpg"])
            assert (foreign.status_code, error_code(foreign)) == (403, "url_ownership_unverified")
        pulled = sandbox.posts(creator["open_id"])[0]["photos"]
        assert [p["sha256"] for p in pulled] == [
            hashlib.sha256((root / name).read_bytes()).hexdigest()
            for name in ("slide1.jpg", "slide2.jpg")
        ]


def test_cancel_a_slow_pull(sandbox_factory: SandboxFactory) -> None:
    async def slow(request: Request) -> Response:
        import asyncio

        await asyncio.sleep(5)
        return Response(b"late")

    with (
        serve_in_thread(Starlette(routes=[Route("/slow.mp4", slow)])) as slow_url,
        sandbox_factory(verified_url_prefixes=[f"{slow_url}/"]) as sandbox,
    ):
        creator = sandbox.create_creator("canceller")
        with bearer(sandbox.url, creator["access_token"]) as api:
            init = api.post(
                "/v2/post/publish/video/init/",
                json={
                    "post_info": {"privacy_level": "SELF_ONLY"},
                    "source_info": {"source": "PULL_FROM_URL", "video_url": f"{slow_url}/slow.mp4"},
                },
            ).json()["data"]
            cancelled = api.post(
                "/v2/post/publish/cancel/", json={"publish_id": init["publish_id"]}
            )
            assert cancelled.status_code == 200
            assert cancelled.json()["error"]["code"] == "ok"
            final = wait_status(api, init["publish_id"])
            assert (final["status"], final["fail_reason"]) == ("FAILED", "publish_cancelled")
            again = api.post("/v2/post/publish/cancel/", json={"publish_id": init["publish_id"]})
            assert error_code(again) == "publish_not_cancellable"


def test_webhooks_are_signed_as_tiktok_signs_them(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    received: list[tuple[bytes, str]] = []
    attempts: list[int] = []

    async def hook(request: Request) -> Response:
        attempts.append(1)
        if len(attempts) == 1:
            return Response(status_code=503)  # the first delivery fails and must be retried
        received.append((await request.body(), request.headers["tiktok-signature"]))
        return Response(status_code=200)

    hook_app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    with (
        serve_in_thread(hook_app) as hook_url,
        sandbox_factory(webhook_url=f"{hook_url}/hook") as sandbox,
    ):
        creator = sandbox.create_creator("hooked")
        with bearer(sandbox.url, creator["access_token"]) as api:
            publish_id = upload_whole(api, videos.good)
            wait_status(api, publish_id)
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert received, "no webhook arrived"
    raw, header = received[0]
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        b"sandbox-client-secret", f"{parts['t']}.".encode() + raw, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["s"], expected)
    assert abs(int(parts["t"]) - time.time()) < 60
    event = json.loads(raw)
    assert event["event"] == "post.publish.complete"
    assert event["client_key"] == "sbawtestclientkey"
    assert event["user_openid"] == creator["open_id"]
    assert json.loads(event["content"]) == {
        "publish_id": publish_id,
        "publish_type": "DIRECT_PUBLISH",
    }
    assert len(attempts) >= 2


def test_a_chunk_that_stops_arriving_is_dropped_and_frees_the_upload(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    """A client frozen mid-body gets 408 after `upload_idle_timeout_sec`; nothing of its chunk
    is kept and the next PUT of the same range goes through."""
    data = videos.good.read_bytes()
    with sandbox_factory(upload_idle_timeout_sec=0.5) as sandbox:
        creator = sandbox.create_creator("frozen")
        with bearer(sandbox.url, creator["access_token"]) as api:
            response = init_file(api, len(data))
            assert response.status_code == 200, response.text
            data_ = response.json()["data"]
            url = httpx.URL(data_["upload_url"])
            with socket.create_connection((url.host, url.port), timeout=10) as raw:
                head = (
                    f"PUT {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}\r\n"
                    "Content-Type: video/mp4\r\n"
                    f"Content-Range: bytes 0-{len(data) - 1}/{len(data)}\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n"
                )
                raw.sendall(head.encode() + data[:1000])  # and then nothing more
                answer = raw.recv(4096).decode(errors="replace")
            assert answer.startswith("HTTP/1.1 408"), answer
            status = api.post(
                "/v2/post/publish/status/fetch/", json={"publish_id": data_["publish_id"]}
            ).json()["data"]
            assert not status.get("uploaded_bytes")
            assert put_chunk(str(url), data, 0, len(data)).status_code == 201
            assert wait_status(api, data_["publish_id"])["status"] == "PUBLISH_COMPLETE"
