"""A server killed with SIGKILL mid-upload and restarted publishes the post exactly once.

Everything runs as real processes: a standalone `tikpost sandbox` (so TikTok's side survives
the kill) and `tikpost serve` against it, killed while TikTok holds part of the upload.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.oauth_browser import authorize
from tikpost.sandbox.samples import make_video

TIKPOST = str(Path(sys.executable).with_name("tikpost"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.1)


@pytest.fixture
def big_video(tmp_path: Path) -> Path:
    """~15 MB: two TikTok chunks with tikpost's default chunk plan."""
    return make_video(tmp_path / "long.mp4", seconds=20)


class Processes:
    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        handle = log.open("ab")
        process = subprocess.Popen(args, env=env, stdout=handle, stderr=subprocess.STDOUT)
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def processes() -> Iterator[Processes]:
    running = Processes()
    yield running
    running.stop_all()


def test_sigkill_mid_upload_publishes_exactly_once(
    tmp_path: Path, database_url: str, big_video: Path, processes: Processes
) -> None:
    sandbox_url = f"http://127.0.0.1:{free_port()}"
    service_port = free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    sandbox = processes.start(
        [
            TIKPOST,
            "sandbox",
            "--port",
            sandbox_url.rsplit(":", 1)[1],
            "--redirect-uri",
            f"{service_url}/v1/oauth/tiktok/callback",
            "--processing-delay",
            "0.5",
        ],
        dict(os.environ),
        tmp_path / "sandbox.log",
    )
    wait_up(f"{sandbox_url}/_sandbox/clock", sandbox)
    env = {
        **os.environ,
        "TIKPOST_DATA_DIR": str(tmp_path / "data"),
        "TIKPOST_DATABASE_URL": database_url,
        "TIKPOST_PUBLIC_URL": service_url,
        "TIKPOST_TIKTOK_CLIENT_KEY": "sbawtestclientkey",
        "TIKPOST_TIKTOK_CLIENT_SECRET": "sandbox-client-secret",
        "TIKPOST_TIKTOK_API_URL": sandbox_url,
        "TIKPOST_TIKTOK_AUTH_URL": sandbox_url,
        "TIKPOST_EXECUTOR_ID": "crash-test-serve",
    }
    serve = [TIKPOST, "serve", "--port", str(service_port)]
    service = processes.start(serve, env, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", service)
    key = subprocess.run(
        [TIKPOST, "keys", "create", "--team", "crash"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    api = httpx.Client(base_url=service_url, headers={"X-API-Key": key}, timeout=60)
    operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
    started = api.post("/v1/accounts/connect").json()
    callback = authorize(started["authorize_url"], username="survivor")
    assert callback.status_code == 200
    oauth_code = callback.url.params["code"]
    [account] = api.get("/v1/accounts").json()["items"]
    [creator] = operator.get("/creators").json()["creators"]
    with big_video.open("rb") as handle:
        media = api.post("/v1/media", files={"file": ("long.mp4", handle, "video/mp4")}).json()
    # Slow each chunk down so the kill lands between the first and the last one.
    operator.post("/faults", json={"endpoint": "upload", "latency_ms": 3000}).raise_for_status()
    post = api.post(
        "/v1/posts",
        json={"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"},
    ).json()

    def sandbox_posts() -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = operator.get(f"/creators/{creator['open_id']}/posts").json()[
            "posts"
        ]
        return listed

    deadline = time.monotonic() + 60
    while not any(0 < (p["uploaded_bytes"] or 0) < media["size_bytes"] for p in sandbox_posts()):
        assert time.monotonic() < deadline, "the upload never got under way"
        time.sleep(0.05)
    service.send_signal(signal.SIGKILL)
    service.wait(timeout=10)
    [interrupted] = sandbox_posts()
    assert interrupted["status"] == "PROCESSING_UPLOAD"
    assert 0 < interrupted["uploaded_bytes"] < media["size_bytes"]

    operator.delete("/faults").raise_for_status()
    restarted = processes.start(serve, env, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", restarted)
    deadline = time.monotonic() + 90
    while (final := api.get(f"/v1/posts/{post['id']}").json())["status"] not in {
        "published",
        "failed",
    }:
        assert time.monotonic() < deadline, final
        time.sleep(0.2)
    assert final["status"] == "published", (final["error"], (tmp_path / "serve.log").read_text())
    [published] = sandbox_posts()
    assert published["publish_id"] == interrupted["publish_id"]
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["media"]["sha256"] == media["sha256"]

    # The servers' own logs of all that (access lines included) hold no secret.
    logged = (tmp_path / "serve.log").read_text() + (tmp_path / "sandbox.log").read_text()
    assert "/v1/oauth/tiktok/callback" in logged  # the access log is really there
    for secret in (key, oauth_code, started["state"], "sandbox-client-secret"):
        assert secret not in logged
    assert not re.search(r"\b(act|rft)\.[A-Za-z0-9]{8,}|upload_token=[A-Za-z0-9]", logged)
