"""Scale-out on PostgreSQL: a paused worker is fenced out, a stopping worker drains.

Real processes throughout: a standalone `tikpost sandbox`, an API-only `tikpost serve`
(TIKPOST_SERVE_RUNS_WORKFLOWS=false, so it never runs a post itself) and `tikpost worker`s,
all on one PostgreSQL database. The sandbox slows each upload chunk down so that signals land
while a chunk is in flight.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.oauth_browser import authorize
from tests.support.processes import (
    TIKPOST,
    Processes,
    create_api_key,
    free_port,
    running_processes,
    service_env,
    start_sandbox,
    wait_up,
)
from tikpost.runtime.liveness import FENCED_EXIT_CODE
from tikpost.sandbox.samples import make_video

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

CHUNK_LATENCY_MS = 3000


@dataclass
class Cluster:
    """The processes of one test and clients for them."""

    tmp_path: Path
    processes: Processes
    env: dict[str, str]
    api: httpx.Client
    operator: httpx.Client
    account_id: str
    open_id: str

    def worker(self, executor_id: str) -> subprocess.Popen[bytes]:
        return self.processes.start(
            [TIKPOST, "worker", "--executor-id", executor_id],
            self.env,
            self.tmp_path / f"{executor_id}.log",
        ).process

    def sandbox_posts(self) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = self.operator.get(f"/creators/{self.open_id}/posts").json()[
            "posts"
        ]
        return posts

    def post(self, post_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get(f"/v1/posts/{post_id}").json()
        return found

    def wait_final(self, post_id: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (post := self.post(post_id))["status"] not in {"published", "failed"}:
            assert time.monotonic() < deadline, (post, self.logs())
            time.sleep(0.2)
        return post

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.tmp_path.glob("*.log")
        )


@pytest.fixture
def cluster(tmp_path: Path, database_url: str) -> Iterator[Cluster]:
    with running_processes() as processes:
        service_port = free_port()
        service_url = f"http://127.0.0.1:{service_port}"
        sandbox_url, _ = start_sandbox(processes, tmp_path, service_url)
        env = service_env(
            data_dir=tmp_path / "data",
            database_url=database_url,
            service_url=service_url,
            sandbox_url=sandbox_url,
            heartbeat_sec="0.5",
            executor_stale_sec="5",
            shutdown_grace_sec="20",
            api_rate_limit="100000/minute",
        )
        serve = processes.start(
            [TIKPOST, "serve", "--port", str(service_port)],
            {**env, "TIKPOST_EXECUTOR_ID": "api", "TIKPOST_SERVE_RUNS_WORKFLOWS": "false"},
            tmp_path / "serve.log",
        )
        wait_up(f"{service_url}/healthz", serve.process)
        key = create_api_key(env, "scale")
        api = httpx.Client(base_url=service_url, headers={"X-API-Key": key}, timeout=60)
        operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
        started = api.post("/v1/accounts/connect").json()
        assert authorize(started["authorize_url"], username="scaled").status_code == 200
        [account] = api.get("/v1/accounts").json()["items"]
        [creator] = operator.get("/creators").json()["creators"]
        yield Cluster(tmp_path, processes, env, api, operator, account["id"], creator["open_id"])


def _post_big_video(cluster: Cluster) -> tuple[str, dict[str, Any]]:
    """A two-chunk video posted while each chunk takes CHUNK_LATENCY_MS at the sandbox."""
    video = make_video(cluster.tmp_path / "long.mp4", seconds=20)
    with video.open("rb") as handle:
        media = cluster.api.post(
            "/v1/media", files={"file": ("long.mp4", handle, "video/mp4")}
        ).json()
    cluster.operator.post(
        "/faults", json={"endpoint": "upload", "latency_ms": CHUNK_LATENCY_MS}
    ).raise_for_status()
    post = cluster.api.post(
        "/v1/posts",
        json={"account_id": cluster.account_id, "video": media["id"], "privacy_level": "SELF_ONLY"},
    )
    assert post.status_code == 202, post.text
    return post.json()["id"], media


def _wait_for(condition: Any, what: str, cluster: Cluster, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}\n{cluster.logs()}"
        time.sleep(0.05)


def test_a_paused_worker_is_fenced_out_and_the_post_publishes_once(cluster: Cluster) -> None:
    # Frozen mid-chunk, worker-a holds its upload at the sandbox until the sandbox drops the
    # stalled body (as a web server would); keep that short so worker-b need not wait long.
    cluster.operator.patch("/config", json={"upload_idle_timeout_sec": 5}).raise_for_status()
    first = cluster.worker("worker-a")
    post_id, media = _post_big_video(cluster)
    # A post is `uploading` from just before its init: wait for the first chunk itself.
    _wait_for(
        lambda: any(p["receiving_chunk"] for p in cluster.sandbox_posts()),
        "worker-a never started uploading",
        cluster,
    )
    # Frozen, not dead: its process, sockets and workflow are all still there.
    first.send_signal(signal.SIGSTOP)
    try:
        second = cluster.worker("worker-b")
        final = cluster.wait_final(post_id)
        assert final["status"] == "published", (final, cluster.logs())
    finally:
        first.send_signal(signal.SIGCONT)
    # Woken up, worker-a finds its heartbeat row taken and exits before doing anything more.
    assert first.wait(timeout=30) == FENCED_EXIT_CODE, cluster.logs()
    assert second.poll() is None

    [published] = cluster.sandbox_posts()
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["media"]["sha256"] == media["sha256"]
    timeline = [event["message"] for event in cluster.post(post_id)["events"]]
    assert sum("Initialised at TikTok" in line for line in timeline) == 1, timeline
    # Taken over by a survivor (whichever beat first: worker-b or the API process).
    survivors = ("worker-b.log", "serve.log")
    assert any(
        "executor worker-a stopped beating" in (cluster.tmp_path / log).read_text()
        for log in survivors
    )


def test_sigterm_lets_the_chunk_in_flight_finish_and_the_rest_resumes(cluster: Cluster) -> None:
    worker = cluster.worker("worker-a")
    post_id, media = _post_big_video(cluster)
    _wait_for(
        lambda: cluster.post(post_id)["status"] == "uploading",
        "the upload never started",
        cluster,
    )
    # The first chunk is at the sandbox, held there for 1.5 to 4.5 s of injected latency.
    _wait_for(
        lambda: any(p["receiving_chunk"] for p in cluster.sandbox_posts()),
        "the first chunk never reached the sandbox",
        cluster,
    )
    [in_flight] = cluster.sandbox_posts()
    assert (in_flight["uploaded_bytes"] or 0) == 0

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, cluster.logs()

    # The chunk that was being sent arrived whole; the next one was never started.
    [stopped] = cluster.sandbox_posts()
    held = stopped["uploaded_bytes"]
    assert 0 < held < media["size_bytes"], stopped
    assert cluster.post(post_id)["uploaded_bytes"] == held

    cluster.operator.delete("/faults").raise_for_status()
    cluster.worker("worker-a")
    final = cluster.wait_final(post_id)
    assert final["status"] == "published", final
    [published] = cluster.sandbox_posts()
    assert published["publish_id"] == stopped["publish_id"]
    assert published["media"]["sha256"] == media["sha256"]


def test_a_second_process_with_a_live_executor_id_is_refused(cluster: Cluster) -> None:
    """Taking a live process's id would fence it (it would exit): the newcomer is refused."""
    first = cluster.worker("worker-a")
    _wait_for(
        lambda: "worker worker-a running" in (cluster.tmp_path / "worker-a.log").read_text(),
        "worker-a never started",
        cluster,
    )
    second = cluster.processes.start(
        [TIKPOST, "worker", "--executor-id", "worker-a"],
        cluster.env,
        cluster.tmp_path / "second.log",
    ).process
    assert second.wait(timeout=30) != 0
    assert "executor id 'worker-a' is in use" in (cluster.tmp_path / "second.log").read_text()
    time.sleep(1.5)  # three heartbeats: worker-a was not fenced
    assert first.poll() is None
