"""`tikpost sandbox` as a user runs it: a real process, then the README's curl session."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import VideoFiles

TIKPOST = Path(sys.executable).with_name("tikpost")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def sandbox_process() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(TIKPOST), "sandbox", "--port", str(port), "--processing-delay", "0.2", "--seed", "7"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/_sandbox/clock", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tikpost sandbox did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_readme_curl_session(sandbox_process: str, videos: VideoFiles) -> None:
    url = sandbox_process
    creator = httpx.post(f"{url}/_sandbox/creators", json={"username": "demo_creator"}).json()
    headers = {
        "Authorization": f"Bearer {creator['access_token']}",
        "Content-Type": "application/json; charset=UTF-8",
    }
    info = httpx.post(f"{url}/v2/post/publish/creator_info/query/", headers=headers).json()
    assert info["data"]["creator_username"] == "demo_creator"
    size = videos.good.stat().st_size
    init = httpx.post(
        f"{url}/v2/post/publish/video/init/",
        headers=headers,
        json={
            "post_info": {"title": "hello from tikpost #sandbox", "privacy_level": "SELF_ONLY"},
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": size,
                "total_chunk_count": 1,
            },
        },
    ).json()["data"]
    put = httpx.put(
        init["upload_url"],
        content=videos.good.read_bytes(),
        headers={"Content-Type": "video/mp4", "Content-Range": f"bytes 0-{size - 1}/{size}"},
    )
    assert put.status_code == 201
    status = ""
    for _ in range(50):
        status = httpx.post(
            f"{url}/v2/post/publish/status/fetch/",
            headers=headers,
            json={"publish_id": init["publish_id"]},
        ).json()["data"]["status"]
        if status == "PUBLISH_COMPLETE":
            break
        time.sleep(0.3)
    assert status == "PUBLISH_COMPLETE"
    posts = httpx.get(f"{url}/_sandbox/creators/{creator['open_id']}/posts").json()["posts"]
    assert [p["publish_id"] for p in posts] == [init["publish_id"]]
