"""docs/deploy.md's production layout, run as real processes with `deploy/tikpost.env`.

One host: `tikpost db upgrade`, then an API-only `tikpost serve` (`TIKPOST_SERVE_RUNS_WORKFLOWS`
is `false` in the env file) and two `tikpost worker --executor-id …` processes, as the systemd
units start them, on one PostgreSQL database, media in an S3 bucket (the session's moto server),
API rate-limit counters in Redis (the session's redis-server), JSON logs, and a standalone
`tikpost sandbox` in TikTok's place. Every line of the env file is used as written except the
values that name real machines or secrets (`OVERRIDDEN`).

Three accounts are connected, one video uploaded, nine posts created; as soon as a worker has
uploaded a video it is stopped with SIGTERM (as `systemctl stop` does) and started again under
its id. Checked: `/readyz` is 200 (database and storage); the video is in the bucket under the
env file's prefix; every post is published exactly once at the sandbox; every upload TikTok
received is in a worker's log and `serve` initialised, uploaded and polled nothing; the
stopped worker exited 0, the posts it had in hand were finished afterwards (by its restart or
by the other worker) and its restart came up under the same id and stayed up; every line
`serve` and the workers logged (uvicorn's and DBOS's lines included) is a JSON object;
the key's rate-limit counter is in Redis and agrees with the API's `X-RateLimit-Remaining`; no
process logged a secret.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import coredis
import httpx
import pytest
from sqlalchemy import create_engine, select

from tests.service.conftest import PostgresCluster
from tests.service.s3_helpers import ACCESS_KEY_ID, SECRET_ACCESS_KEY, S3Server
from tests.support.oauth_browser import authorize
from tests.support.processes import (
    CLIENT_KEY,
    CLIENT_SECRET,
    TIKPOST,
    Running,
    assert_no_secrets,
    create_api_key,
    free_port,
    running_processes,
    start_sandbox,
    stored_tokens,
    tail,
    wait_up,
)
from tests.support.videos import make_video
from tikpost.kit.db import sync_url
from tikpost.teams.models import ApiKey

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(240)]

ENV_FILE = Path(__file__).resolve().parents[3] / "deploy" / "tikpost.env"
# What a test must set itself: real machines' addresses and secrets (the file's CHANGE-MEs), and
# what the file leaves commented out because it depends on the S3 provider or is TikTok's own.
OVERRIDDEN = {
    "TIKPOST_DATABASE_URL",
    "TIKPOST_S3_ENDPOINT_URL",
    "TIKPOST_S3_ACCESS_KEY_ID",
    "TIKPOST_S3_SECRET_ACCESS_KEY",
    "TIKPOST_PUBLIC_URL",
    "TIKPOST_SECRET_KEY",
    "TIKPOST_TIKTOK_CLIENT_KEY",
    "TIKPOST_TIKTOK_CLIENT_SECRET",
    "TIKPOST_TIKTOK_API_URL",
    "TIKPOST_TIKTOK_AUTH_URL",
    "TIKPOST_RATE_LIMIT_STORAGE_URL",
    "TIKPOST_DATA_DIR",
}
ACCOUNTS, POSTS = 3, 9
# TikTok's upload endpoint, as the sandbox serves it: workers' httpx request lines name it.
UPLOAD_PATH = "/upload/video/"
INIT_PATH = "/post/publish/video/init/"
STATUS_PATH = "/post/publish/status/fetch/"
RUN_TIMEOUT_SEC = 120.0


def env_file() -> dict[str, str]:
    """deploy/tikpost.env as systemd's EnvironmentFile= reads it (KEY=value, # comments)."""
    values = {}
    for line in ENV_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, separator, value = line.partition("=")
            assert separator, f"not KEY=value: {line!r}"
            values[key] = value
    return values


def until(check: Any, what: str, timeout: float = RUN_TIMEOUT_SEC, every: float = 0.2) -> Any:
    """Poll `check()` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def json_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON objects a process logged: every line must be one."""
    entries = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise AssertionError(f"{path.name}:{number} is not JSON: {line[:200]!r}") from None
        assert isinstance(entry, dict), line
        assert {"time", "level", "logger", "message"} <= set(entry), line
        entries.append(entry)
    return entries


def upload_lines(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """httpx's request lines for uploads to TikTok (`HTTP Request: PUT …/upload/video/?…`)."""
    return [
        e
        for e in entries
        if e["logger"] == "httpx" and "PUT" in e["message"] and UPLOAD_PATH in e["message"]
    ]


def published_titles(sandbox_url: str) -> list[str]:
    """Titles of every post the sandbox has published, one per publication."""
    with httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=10) as operator:
        titles = []
        for creator in operator.get("/creators").json()["creators"]:
            posts = operator.get(f"/creators/{creator['open_id']}/posts").json()["posts"]
            titles += [p["post_info"]["title"] for p in posts if p["status"] == "PUBLISH_COMPLETE"]
        return titles


async def redis_entries(redis_url: str, key_id: str) -> dict[str, list[str]]:
    """The limiter's keys in Redis that count requests of API key `key_id`, with their entries
    (a moving window: one timestamp per request)."""
    parts = urlsplit(redis_url)
    client = coredis.Redis(host=parts.hostname, port=parts.port, decode_responses=True)
    found = {}
    async for name in client.scan_iter(match=f"*{key_id}*"):
        found[str(name)] = [str(entry) for entry in await client.lrange(name, 0, -1)]
    return found


def test_deploy_layout_with_the_example_env_file(
    tmp_path: Path, postgres_cluster: PostgresCluster, s3_server: S3Server, redis_url: str
) -> None:
    from_file = env_file()
    # The documented URL form (the file's), not the psycopg one the tests use elsewhere.
    database_url = postgres_cluster.create_database().replace(
        "postgresql+psycopg://", "postgresql://"
    )
    storage = urlsplit(from_file["TIKPOST_STORAGE_URL"])
    assert storage.scheme == "s3", from_file["TIKPOST_STORAGE_URL"]
    bucket, prefix = storage.netloc, storage.path.strip("/")
    region = from_file["TIKPOST_S3_REGION"]
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        region_name=region,
    )
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    host = socket.gethostname()
    port = free_port()
    service_url = f"http://127.0.0.1:{port}"
    secret_key = secrets.token_urlsafe(48)

    with running_processes() as processes:
        try:
            sandbox_url, _ = start_sandbox(processes, tmp_path, service_url, processing_delay=1.0)
            configured = httpx.patch(
                f"{sandbox_url}/_sandbox/config", json={"unaudited_active_user_cap": 10}
            )
            configured.raise_for_status()
            overrides = {
                "TIKPOST_DATABASE_URL": database_url,
                "TIKPOST_S3_ENDPOINT_URL": s3_server.endpoint_url,
                "TIKPOST_S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
                "TIKPOST_S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
                "TIKPOST_PUBLIC_URL": service_url,
                "TIKPOST_SECRET_KEY": secret_key,
                "TIKPOST_TIKTOK_CLIENT_KEY": CLIENT_KEY,
                "TIKPOST_TIKTOK_CLIENT_SECRET": CLIENT_SECRET,
                "TIKPOST_TIKTOK_API_URL": sandbox_url,
                "TIKPOST_TIKTOK_AUTH_URL": sandbox_url,
                "TIKPOST_RATE_LIMIT_STORAGE_URL": redis_url,
                "TIKPOST_DATA_DIR": str(tmp_path / "var-lib-tikpost"),
            }
            assert set(overrides) == OVERRIDDEN
            # Like systemd: the env file's variables and a bare PATH, nothing of this shell's.
            env = {**from_file, **overrides, "PATH": "/usr/bin:/bin"}
            assert not [k for k, v in env.items() if "CHANGE-ME" in v], "a placeholder was kept"
            assert env["TIKPOST_SERVE_RUNS_WORKFLOWS"] == "false"
            assert env["TIKPOST_LOG_FORMAT"] == "json"

            upgraded = subprocess.run(
                [TIKPOST, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
            )
            assert upgraded.returncode == 0, upgraded.stderr[-2000:]
            assert "database at revision" in upgraded.stdout, upgraded.stdout

            serve = processes.start(
                [TIKPOST, "serve", "--host", "127.0.0.1", "--port", str(port)],
                {**env, "TIKPOST_EXECUTOR_ID": f"serve-{host}"},
                tmp_path / "serve.log",
            )

            def worker_id(n: int) -> str:
                return f"worker-{host}-{n}"

            def start_worker(n: int) -> Running:
                worker = processes.start(
                    [TIKPOST, "worker", "--executor-id", worker_id(n)],
                    env,
                    tmp_path / f"worker-{n}.log",
                )
                worker.wait_logged(f"worker {worker_id(n)} running")
                return worker

            workers = {n: start_worker(n) for n in (1, 2)}
            wait_up(f"{service_url}/healthz", serve.process)
            ready = httpx.get(f"{service_url}/readyz", timeout=10)
            assert ready.status_code == 200, ready.text
            assert ready.json() == {
                "status": "ready",
                "checks": {"database": True, "storage": True},
            }

            key = create_api_key(env, "my-team")
            api = httpx.Client(base_url=service_url, headers={"X-API-Key": key}, timeout=30)
            for i in range(ACCOUNTS):
                started = api.post("/v1/accounts/connect")
                assert started.status_code == 201, started.text
                callback = authorize(started.json()["authorize_url"], username=f"u{i}")
                assert callback.status_code == 200, callback.text
            accounts = api.get("/v1/accounts").json()["items"]
            assert len(accounts) == ACCOUNTS

            video = make_video(tmp_path / "v.mp4", seconds=3.5)
            with video.open("rb") as handle:
                uploaded = api.post("/v1/media", files={"file": ("v.mp4", handle, "video/mp4")})
            assert uploaded.status_code == 201, uploaded.text
            objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            assert [o for o in objects if o["Key"].startswith(f"{prefix}/")], objects

            titles = [f"layout #{i}" for i in range(POSTS)]
            for i, title in enumerate(titles):
                body = {
                    "account_id": accounts[i % ACCOUNTS]["id"],
                    "video": uploaded.json()["id"],
                    "privacy_level": "SELF_ONLY",
                    "title": title,
                }
                created = api.post("/v1/posts", json=body)
                assert created.status_code == 202, created.text

            # `systemctl restart tikpost-worker@N` of the first worker to upload, while it has
            # that post in hand (TikTok takes a second to process it): SIGTERM drains and exits
            # 0, leaving the post's workflow pending; the id starts again at once.
            def first_uploader() -> int | None:
                for n, worker in workers.items():
                    assert worker.process.poll() is None, tail(worker.log)
                    if UPLOAD_PATH in worker.logged_since_start():
                        return n
                return None

            stopped: int = until(first_uploader, "a worker's first upload", every=0.05)
            other = 3 - stopped
            workers[stopped].process.send_signal(signal.SIGTERM)
            assert workers[stopped].process.wait(timeout=90) == 0, tail(workers[stopped].log)
            stopped_run = workers[stopped].logged_since_start()
            workers[stopped] = start_worker(stopped)

            until(lambda: len(published_titles(sandbox_url)) >= POSTS, "all posts at TikTok")

            def all_published() -> list[dict[str, Any]] | None:
                answer = api.get("/v1/posts", params={"limit": 200})
                assert answer.status_code == 200, answer.text
                posts: list[dict[str, Any]] = answer.json()["items"]
                return posts if all(p["status"] == "published" for p in posts) else None

            # Sparingly: every request counts against the key's 60/minute.
            posts = until(all_published, "tikpost to see every post published", every=1.0)
            remaining = int(
                api.get("/v1/posts", params={"limit": 1}).headers["x-ratelimit-remaining"]
            )
            assert sorted(p["title"] for p in posts) == sorted(titles)
            assert sorted(published_titles(sandbox_url)) == sorted(titles)  # each exactly once
            api.close()
        except BaseException:
            print(processes.tails())
            raise

        # Who published: the workers; `serve` started no post at TikTok, uploaded nothing and
        # polled no status (it does ask for creator info, connecting accounts and taking posts).
        logs = {
            name: json_lines(tmp_path / f"{name}.log") for name in ("serve", "worker-1", "worker-2")
        }
        first_run = [json.loads(line) for line in stopped_run.splitlines() if line.startswith("{")]
        second_run = logs[f"worker-{stopped}"][len(first_run) :]
        for path in (INIT_PATH, UPLOAD_PATH, STATUS_PATH):
            assert not [e for e in logs["serve"] if path in e["message"]], path
        worker_runs = [first_run, second_run, logs[f"worker-{other}"]]
        worker_uploads = sum(len(upload_lines(run)) for run in worker_runs)
        sandbox_uploads = (tmp_path / "sandbox.log").read_text().count(f"PUT {UPLOAD_PATH}")
        assert worker_uploads == sandbox_uploads >= POSTS
        # The posts the stopped worker had in hand were finished after it: by its restart (DBOS
        # resumes the id's pending workflows at launch) or by the other worker (which re-enqueues
        # a retired executor's work at its next heartbeat), whichever came first.
        in_hand = {e.get("post_id") for e in upload_lines(first_run)}
        assert in_hand, "the worker was stopped before it uploaded"
        assert None not in in_hand, "upload lines carry no post_id"
        resumed = {
            e.get("post_id") for run in worker_runs[1:] for e in run if STATUS_PATH in e["message"]
        }
        assert in_hand <= resumed, (in_hand, resumed)
        # The restart came up under the same id (a retired id may start again); all stayed up.
        assert any(f"(executor {worker_id(stopped)})" in e["message"] for e in second_run)
        alive = [serve, *workers.values()]
        assert all(r.process.poll() is None for r in alive), processes.tails()

        # The key's counter is in Redis, and it is the one the API answered from.
        engine = create_engine(sync_url(database_url))
        with engine.connect() as connection:
            key_id = connection.execute(select(ApiKey.id)).scalar_one()
        engine.dispose()
        counters = asyncio.run(redis_entries(redis_url, key_id))
        assert len(counters) == 1, counters
        (entries,) = counters.values()
        limit = int(env["TIKPOST_API_RATE_LIMIT"].split("/")[0])
        in_window = [t for t in entries if float(t) > time.time() - 60]
        assert len(in_window) == limit - remaining

        leaks = [key, secret_key, CLIENT_SECRET, SECRET_ACCESS_KEY]
        for access, refresh in stored_tokens(database_url, secret_key).values():
            leaks += [access, refresh]
        assert len(leaks) == 4 + 2 * ACCOUNTS
        assert_no_secrets(processes.all_logged(), leaks)
