"""Uploads written in batches (`media.stream_store`): whole and in order however the bytes are
cut, with the cap and a vanishing client handled while a batch is still being written; and
local storage's early writeback of a big file keeping every byte.

The batch is made small here so that the suite's small test video spans dozens of batches,
and the pieces are cut at sizes that never line up with a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media import stored_files
from tests.service.media.test_media_errors import (
    BOUNDARY,
    MULTIPART,
    assert_error,
    assert_nothing_kept,
)
from tests.service.media.test_upload_slots import new_slot, put
from tests.support.waiting import wait_until
from tikpost.media import stream_store
from tikpost.media.storage import WRITEBACK, LocalStorage

BATCH = 16 * 1024
PIECE = 7001  # prime, so pieces straddle every batch boundary


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_store, "BATCH", BATCH)


def multipart(data: bytes, piece: int = PIECE) -> list[bytes]:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="clip.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{BOUNDARY}--\r\nan epilogue, ignored\r\n".encode()
    return [body[i : i + piece] for i in range(0, len(body), piece)]


def pieces(parts: list[bytes]) -> Iterator[bytes]:
    """A generator body: sent chunked, each piece its own write."""
    yield from parts


def stored_bytes(service: RunningService) -> bytes:
    [path] = stored_files(service)
    assert isinstance(path, Path)
    return path.read_bytes()


def written(service: RunningService) -> int:
    """Bytes in the stored (here: temporary) files so far."""
    total = 0
    for path in stored_files(service):
        assert isinstance(path, Path)
        with contextlib.suppress(FileNotFoundError):
            total += path.stat().st_size
    return total


@SQLITE_ONLY
def test_a_file_of_many_batches_arrives_whole_by_post_and_by_put(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    data = videos.good.read_bytes()
    assert len(data) > 10 * BATCH
    response = api.post(
        "/v1/media", content=pieces(multipart(data)), headers={"Content-Type": MULTIPART}
    )
    assert response.status_code == 201, response.text
    media = response.json()
    assert (media["size_bytes"], media["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert stored_bytes(service) == data
    api.delete(f"/v1/media/{media['id']}").raise_for_status()

    slot = new_slot(api, filename="clip.mp4")
    raw = [data[i : i + PIECE] for i in range(0, len(data), PIECE)]
    response = put(slot["put_url"], pieces(raw), **{"Content-Type": "video/mp4"})
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert stored_bytes(service) == data


@SQLITE_ONLY
def test_the_cap_bites_while_a_batch_is_being_written(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    data = videos.good.read_bytes()
    with (
        service_factory(max_media_bytes=len(data) - 1) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        response = api.post(
            "/v1/media", content=pieces(multipart(data)), headers={"Content-Type": MULTIPART}
        )
        assert_error(response, 413, "media_too_large", "file")
        slot = new_slot(api)
        raw = [data[i : i + PIECE] for i in range(0, len(data), PIECE)]
        assert_error(put(slot["put_url"], pieces(raw)), 413, "media_too_large", "file")
        assert_nothing_kept(svc, api)


@SQLITE_ONLY
def test_a_client_vanishing_between_batches_leaves_nothing(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    parts = multipart(videos.good.read_bytes())
    length = sum(len(part) for part in parts)
    host, port = service.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        request = (
            f"POST /v1/media HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {api.headers['X-API-Key']}"
            f"\r\nContent-Type: {MULTIPART}\r\nContent-Length: {length}\r\n\r\n"
        )
        sock.sendall(request.encode() + b"".join(parts[: len(parts) // 2]))
        # Several batches in: the temporary file has bytes in it before the client hangs up.
        wait_until(lambda: written(service) >= 2 * BATCH, "the server writing batches", 10)
    wait_until(
        lambda: not stored_files(service),
        "the partial file removed",
        10,
        detail=lambda: stored_files(service),
    )
    assert api.get("/v1/media").json()["items"] == []


def test_local_storage_starting_writeback_early_keeps_every_byte(tmp_path: Path) -> None:
    """Past WRITEBACK bytes the local writer asks the kernel to write back as it goes."""
    storage = LocalStorage(tmp_path)
    block = os.urandom(1024 * 1024 + 3)
    pieces = [block[i:] + block[:i] for i in range(2 * WRITEBACK // len(block) + 5)]

    async def write() -> None:
        async with storage.open_write("team/big") as writer:
            for piece in pieces:
                await writer.write(piece)

    asyncio.run(write())
    assert (tmp_path / "team/big").read_bytes() == b"".join(pieces)
