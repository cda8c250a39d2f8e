"""Helpers for the TikTok client suites: a media origin on loopback, bigger videos, polling."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import pytest

from tests.conftest import RunningSandbox
from tikpost.tiktok import PublishStatus, TikTokPostingClient

# Limits small enough that a few-MB video needs several chunks (see sandbox ChunkRules).
SMALL_CHUNK_RULES = {
    "min_chunk_size": 65536,
    "max_chunk_size": 1_000_000,
    "max_final_chunk_size": 2_000_000,
}


@dataclass
class MediaOrigin:
    """A plain HTTP server standing in for the app's media host that TikTok pulls from.

    `routes` maps a path to bytes; a path in `held` answers only once its event is set, so a
    test can keep a pull in PROCESSING_DOWNLOAD for as long as it needs.
    """

    url: str = ""
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    held: dict[str, threading.Event] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def add(
        self, path: str, body: bytes, content_type: str = "video/mp4", status: int = 200
    ) -> str:
        self.routes[path] = (status, content_type, body)
        return self.url + path

    def hold(self, path: str) -> threading.Event:
        event = threading.Event()
        self.held[path] = event
        return event


@pytest.fixture
def media_origin() -> Iterator[MediaOrigin]:
    origin = MediaOrigin()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            origin.requests.append(self.path)
            event = origin.held.get(self.path)
            if event is not None:
                event.wait(timeout=30)
            status, content_type, body = origin.routes.get(
                self.path, (404, "text/plain", b"not found")
            )
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    origin.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        for event in origin.held.values():
            event.set()
        server.shutdown()
        server.server_close()


def make_noisy_video(path: Path, *, seconds: float = 4.0, fps: int = 30) -> Path:
    """A valid 360x640 H.264 clip of a few MB: noise defeats compression so it needs chunks."""
    width, height, noise_rows = 360, 640, 96
    with av.open(str(path), mode="w") as output:
        stream = output.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast"}
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane_index, plane in enumerate(frame.planes):
                rows = noise_rows if plane_index == 0 else noise_rows // 2
                flat = bytes([128]) * (plane.line_size * (plane.height - rows))
                plane.update(os.urandom(plane.line_size * rows) + flat)
            frame.pts = index
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path


@pytest.fixture(scope="session")
def big_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_noisy_video(tmp_path_factory.mktemp("big") / "big.mp4")


async def file_pieces(path: Path, piece: int = 64 * 1024) -> AsyncIterator[bytes]:
    """Stream a file in small pieces, as storage would."""
    with path.open("rb") as handle:
        while block := handle.read(piece):
            yield block
            await asyncio.sleep(0)


def posting_client(sandbox: RunningSandbox, access_token: str) -> TikTokPostingClient:
    return TikTokPostingClient(sandbox.url, access_token)


async def wait_for_status(
    client: TikTokPostingClient,
    publish_id: str,
    until: frozenset[str] = frozenset({"PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"}),
    timeout: float = 30.0,
) -> PublishStatus:
    """Poll like the service does, but fast: the sandbox's processing delay is 50 ms."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status = await client.fetch_status(publish_id)
        if status.status in until:
            return status
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{publish_id} stuck in {status}")
        await asyncio.sleep(0.1)
