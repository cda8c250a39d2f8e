"""The database goes away under a busy `tikpost serve`, and comes back.

Real processes: a standalone sandbox (with latency, so posts are in flight), `tikpost serve`,
and on PostgreSQL a cluster of the test's own, which it restarts (`pg_ctl restart -m fast`),
then stops for ten seconds and starts again; on SQLite, another connection holds the write
lock longer than the service's busy timeout. Meanwhile the API and the TikTok webhook receiver
must answer 503 `database_unavailable` with `Retry-After` (never 500); afterwards the same
process answers again, every post is published exactly once (the sandbox's own view), every
post's webhook is delivered, the heartbeat beats on, and DBOS holds no workflow in error.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.service.conftest import PostgresCluster, _free_port, _postgres_bin_dir
from tests.service.webhook_helpers import Receiver, receiver
from tests.support.api import FINAL, Api
from tests.support.processes import (
    CLIENT_SECRET,
    TIKPOST,
    Processes,
    Running,
    create_api_key,
    free_port,
    running_processes,
    service_env,
    start_sandbox,
    wait_up,
)
from tests.support.videos import make_video
from tests.support.waiting import wait_until
from tikpost.kit.db import sync_url
from tikpost.tiktok.webhooks import sign

IN_FLIGHT = {"uploading", "processing"}
# A bound on how long the posts may take once the database is back, not a timing claim.
SETTLE_SEC = 120.0
DOWN_SEC = 10.0
ACCOUNTS = 4
SETTINGS = {
    "secret_key": "database-outage-test-secret-key-0123456789",
    "api_rate_limit": "100000/minute",
    "heartbeat_sec": "0.5",
    "executor_stale_sec": "5",
    "allow_private_urls": "true",
    "executor_id": "serve-1",
}


@dataclass
class Cluster:
    """A PostgreSQL server of this test's own, to restart and stop at will."""

    pg: PostgresCluster
    pg_ctl: list[str]
    options: str
    log: Path

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.pg_ctl, *args], check=True, capture_output=True, timeout=60, stdin=None
        )

    def restart(self) -> None:
        self._run("-m", "fast", "-w", "-o", self.options, "-l", str(self.log), "restart")

    def stop(self) -> None:
        self._run("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._run("-w", "-o", self.options, "-l", str(self.log), "start")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _postgres_bin_dir()
    assert bin_dir is not None, "PostgreSQL binaries not installed (/usr/lib/postgresql/*/bin)"
    root = Path(tempfile.mkdtemp(prefix="tikpost-pg-outage-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run(
        [*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tikpost"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data)]
    admin = f"postgresql://tikpost@127.0.0.1:{port}/postgres"
    running = Cluster(PostgresCluster(port, admin), pg_ctl, options, root / "log")
    running.start()
    try:
        yield running
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("outage") / "clip.mp4", seconds=3.5)


@pytest.fixture
def processes() -> Iterator[Processes]:
    with running_processes() as running:
        yield running


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


@dataclass
class Service:
    """`tikpost serve` against a sandbox, with connected accounts and one uploaded video."""

    process: Running
    url: str
    api: httpx.Client
    operator: httpx.Client
    accounts: list[str]
    media_id: str

    def post(self, index: int) -> httpx.Response:
        body = {
            "account_id": self.accounts[index % len(self.accounts)],
            "video": self.media_id,
            "privacy_level": "SELF_ONLY",
            "title": f"outage post #{index:02d}",
        }
        return self.api.post("/v1/posts", json=body, headers={"Idempotency-Key": f"p{index}"})

    def posts(self) -> list[dict[str, Any]]:
        listed = self.api.get("/v1/posts", params={"limit": 200})
        assert listed.status_code == 200, listed.text
        items: list[dict[str, Any]] = listed.json()["items"]
        return items

    def wait(self, what: str, check: Callable[[], bool], timeout: float) -> None:
        """Until `check()`, failing at once should `tikpost serve` exit, and showing the posts
        and the log should the time run out."""

        def alive_and() -> bool:
            assert self.process.process.poll() is None, "tikpost serve exited"
            return check()

        def diagnosis() -> str:
            posts = [(p["title"], p["status"], p["updated_at"]) for p in self.posts()]
            return f"{posts}\n{self.process.logged_since_start()[-6000:]}"

        wait_until(alive_and, what, timeout, interval=0.2, detail=diagnosis)

    def tiktok_webhook(self) -> httpx.Response:
        """A correctly signed TikTok event, as TikTok would send it."""
        content = json.dumps({"publish_id": "v_pub_unknown"})
        raw = json.dumps({"event": "post.publish.complete", "content": content}).encode()
        signature = sign(CLIENT_SECRET, raw, int(time.time()))
        return httpx.post(
            f"{self.url}/v1/tiktok/webhook",
            content=raw,
            headers={"tiktok-signature": signature, "content-type": "application/json"},
            timeout=30,
        )


def start_service(
    tmp_path: Path, processes: Processes, database_url: str, hooks: Receiver, video: Path
) -> Service:
    """Sandbox and service up, a webhook receiver registered, four accounts, one video."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox_url, _ = start_sandbox(processes, tmp_path, url, processing_delay=1.0)
    operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
    for endpoint in ("upload", "status/fetch", "creator_info"):
        fault = {"endpoint": endpoint, "error_rate": 0.0, "latency_ms": 300}
        operator.post("/faults", json=fault).raise_for_status()
    env = service_env(
        data_dir=tmp_path / "data",
        database_url=database_url,
        service_url=url,
        sandbox_url=sandbox_url,
        **SETTINGS,
    )
    process = processes.start([TIKPOST, "serve", "--port", str(port)], env, tmp_path / "serve.log")
    wait_up(f"{url}/healthz", process.process)
    process.wait_logged("workflow runtime started")
    api = Api.keyed(url, create_api_key(env, "outage"))
    registered = api.client.post("/v1/webhook-endpoints", json={"url": f"{hooks.url}/hook"})
    assert registered.status_code == 201, registered.text
    ids = [api.connect_account(f"creator{index}")["id"] for index in range(ACCOUNTS)]
    return Service(process, url, api.client, operator, ids, api.upload(video)["id"])


def answering(service: Service) -> Callable[[], bool]:
    return lambda: service.api.get("/v1/posts", params={"limit": 1}).status_code == 200


def check_unavailable(response: httpx.Response) -> None:
    """What a client sees while the database is away: a clean, retryable 503."""
    assert response.status_code == 503, (response.status_code, response.text)
    assert response.json()["error"]["code"] == "database_unavailable"
    assert int(response.headers["retry-after"]) > 0


def check_published_once(service: Service, hooks: Receiver, count: int) -> None:
    """Every post published, each exactly once at TikTok, each one's webhook delivered."""
    posts = service.posts()
    assert len(posts) == count
    assert {post["status"] for post in posts} == {"published"}, [
        (post["title"], post["status"], post["error"]) for post in posts
    ]
    held = []
    for creator in service.operator.get("/creators").json()["creators"]:
        held += service.operator.get(f"/creators/{creator['open_id']}/posts").json()["posts"]
    complete = [
        entry["post_info"]["title"] for entry in held if entry["status"] == "PUBLISH_COMPLETE"
    ]
    assert sorted(complete) == sorted(post["title"] for post in posts)

    def delivered() -> bool:
        bodies = [json.loads(request.body) for request in hooks.at("/hook")]
        published = {b["data"]["id"] for b in bodies if b["type"] == "post.published"}
        return published == {post["id"] for post in posts}

    service.wait("every post.published webhook delivered", delivered, 60)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_postgresql_restarted_then_down_for_ten_seconds(
    tmp_path: Path, cluster: Cluster, video: Path, processes: Processes, hooks: Receiver
) -> None:
    database_url = cluster.pg.create_database()
    service = start_service(tmp_path, processes, database_url, hooks, video)
    for index in range(12):
        created = service.post(index)
        assert created.status_code == 202, created.text

    def in_flight() -> bool:
        return any(post["status"] in IN_FLIGHT for post in service.posts())

    service.wait("a post uploading or processing", in_flight, 60)
    cluster.restart()
    service.wait("the API answering after the restart", answering(service), 60)
    service.wait("a post uploading or processing", in_flight, 60)
    cluster.stop()
    stopped_at = time.monotonic()
    seen = 0
    while time.monotonic() - stopped_at < DOWN_SEC:
        check_unavailable(service.api.get("/v1/posts"))
        check_unavailable(service.post(100 + seen))
        check_unavailable(service.tiktok_webhook())
        seen += 1
        time.sleep(0.5)
    cluster.start()
    started_at = time.monotonic()

    service.wait("the API answering again", answering(service), 60)
    answered_at = time.monotonic()
    finished = service.posts
    service.wait(
        "every post final",
        lambda: all(post["status"] in FINAL for post in finished()),
        SETTLE_SEC,
    )
    print(
        f"after PostgreSQL started: API answered in {answered_at - started_at:.1f} s, "
        f"every post final in {time.monotonic() - started_at:.1f} s"
    )
    check_published_once(service, hooks, 12)
    assert service.tiktok_webhook().status_code == 200
    assert service.process.process.poll() is None, "the service was restarted"

    engine = create_engine(sync_url(database_url))
    dbos = create_engine(sync_url(f"{database_url}_dbos"))

    def heartbeat() -> Any:
        with engine.connect() as connection:
            query = text("SELECT heartbeat_at FROM executors WHERE id = 'serve-1'")
            return connection.execute(query).scalar_one()

    try:
        # The heartbeat thread survived the outage: it is still beating.
        before = heartbeat()
        service.wait("another heartbeat", lambda: heartbeat() != before, 30)
        with dbos.connect() as connection:
            states = connection.execute(
                text("SELECT status, count(*) FROM dbos.workflow_status GROUP BY status")
            ).all()
    finally:
        engine.dispose()
        dbos.dispose()
    assert "ERROR" not in dict(states), states
    logged = service.process.logged_since_start()
    assert "Exception encountered in asynchronous workflow" not in logged
    assert "unhandled" not in logged
    assert seen >= 5


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sqlite_locked_past_its_busy_timeout(
    tmp_path: Path, video: Path, processes: Processes, hooks: Receiver
) -> None:
    db_file = tmp_path / "data" / "tikpost.db"
    # A one-second busy timeout (the default is 30 s), so the lock outlasts it quickly.
    database_url = f"sqlite:///{db_file}?timeout=1"
    service = start_service(tmp_path, processes, database_url, hooks, video)
    for index in range(4):
        created = service.post(index)
        assert created.status_code == 202, created.text

    def in_flight() -> bool:
        return any(post["status"] in IN_FLIGHT for post in service.posts())

    service.wait("a post uploading or processing", in_flight, 60)
    lock = sqlite3.connect(db_file, timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        check_unavailable(service.post(4))
        # Held until a workflow step met the lock too (and waits for it).
        service.process.wait_logged("lost the database", timeout=60)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    created = service.post(4)
    assert created.status_code == 202, created.text
    service.wait(
        "every post final",
        lambda: all(post["status"] in FINAL for post in service.posts()),
        SETTLE_SEC,
    )
    check_published_once(service, hooks, 5)
    logged = service.process.logged_since_start()
    assert "Exception encountered in asynchronous workflow" not in logged
    assert "unhandled" not in logged
