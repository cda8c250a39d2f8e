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

from tests.service.conftest import PostgresCluster
from tests.support.api import Api
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
from tests.support.videos import make_video
from tests.support.waiting import wait_until
from tikpost.runtime.liveness import FENCED_EXIT_CODE

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
    api: Api
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

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in self.tmp_path.glob("*.log")
        )


@pytest.fixture
def cluster(
    tmp_path: Path, database_url: str, postgres_cluster: PostgresCluster
) -> Iterator[Cluster]:
    # At the head revision already (a copy of the session's templates): `serve` has nothing
    # to migrate, and what these tests watch starts sooner.
    postgres_cluster.migrate_fresh(database_url)
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
        api = Api.keyed(service_url, create_api_key(env, "scale"), timeout=60)
        operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
        account = api.connect_account("scaled")
        [creator] = operator.get("/creators").json()["creators"]
        yield Cluster(tmp_path, processes, env, api, operator, account["id"], creator["open_id"])


def _post_big_video(cluster: Cluster) -> tuple[str, dict[str, Any]]:
    """A two-chunk video posted while each chunk takes CHUNK_LATENCY_MS at the sandbox."""
    media = cluster.api.upload(make_video(cluster.tmp_path / "long.mp4", seconds=20))
    cluster.operator.post(
        "/faults", json={"endpoint": "upload", "latency_ms": CHUNK_LATENCY_MS}
    ).raise_for_status()
    post = cluster.api.post(
        account_id=cluster.account_id, video=media["id"], privacy_level="SELF_ONLY"
    )
    return post["id"], media


def test_a_paused_worker_is_fenced_out_and_the_post_publishes_once(cluster: Cluster) -> None:
    # Frozen mid-chunk, worker-a holds its upload at the sandbox until the sandbox drops the
    # stalled body (as a web server would); keep that short so worker-b need not wait long.
    cluster.operator.patch("/config", json={"upload_idle_timeout_sec": 5}).raise_for_status()
    first = cluster.worker("worker-a")
    post_id, media = _post_big_video(cluster)
    # A post is `uploading` from just before its init: wait for the first chunk itself.
    wait_until(
        lambda: any(p["receiving_chunk"] for p in cluster.sandbox_posts()),
        "worker-a never started uploading",
        60,
        detail=cluster.logs,
    )
    # Frozen, not dead: its process, sockets and workflow are all still there.
    first.send_signal(signal.SIGSTOP)
    try:
        second = cluster.worker("worker-b")
        final = cluster.api.wait_final(post_id, timeout=90)
        assert final["status"] == "published", (final, cluster.logs())
    finally:
        first.send_signal(signal.SIGCONT)
    # Woken up, worker-a finds its heartbeat row taken and exits before doing anything more.
    assert first.wait(timeout=30) == FENCED_EXIT_CODE, cluster.logs()
    assert second.poll() is None

    [published] = cluster.sandbox_posts()
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["media"]["sha256"] == media["sha256"]
    timeline = [event["message"] for event in cluster.api.get_post(post_id)["events"]]
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
    wait_until(
        lambda: cluster.api.get_post(post_id)["status"] == "uploading",
        "the upload never started",
        60,
        detail=cluster.logs,
    )
    # The first chunk is at the sandbox, held there for 1.5 to 4.5 s of injected latency.
    wait_until(
        lambda: any(p["receiving_chunk"] for p in cluster.sandbox_posts()),
        "the first chunk never reached the sandbox",
        60,
        detail=cluster.logs,
    )
    [in_flight] = cluster.sandbox_posts()
    assert (in_flight["uploaded_bytes"] or 0) == 0

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0, cluster.logs()

    # The chunk that was being sent arrived whole; the next one was never started.
    [stopped] = cluster.sandbox_posts()
    held = stopped["uploaded_bytes"]
    assert 0 < held < media["size_bytes"], stopped
    assert cluster.api.get_post(post_id)["uploaded_bytes"] == held

    cluster.operator.delete("/faults").raise_for_status()
    cluster.worker("worker-a")
    final = cluster.api.wait_final(post_id, timeout=90)
    assert final["status"] == "published", (final, cluster.logs())
    [published] = cluster.sandbox_posts()
    assert published["publish_id"] == stopped["publish_id"]
    assert published["media"]["sha256"] == media["sha256"]


def test_a_second_process_with_a_live_executor_id_is_refused(cluster: Cluster) -> None:
    """Taking a live process's id would fence it (it would exit): the newcomer is refused."""
    first = cluster.worker("worker-a")
    wait_until(
        lambda: "worker worker-a running" in (cluster.tmp_path / "worker-a.log").read_text(),
        "worker-a never started",
        60,
        detail=cluster.logs,
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
