"""Scale-out under fire: 50 posts over 10 accounts while processes are killed with SIGKILL.

Everything runs as real processes against a standalone `tikpost sandbox` with faults on (5% of
TikTok's answers are 5xx, each with 50-150 ms of latency), one forced access-token expiry and
one forced upload-URL expiry in the middle of the run:

- on PostgreSQL: `tikpost serve` (API, and workflows too) plus two `tikpost worker` processes,
  one database, one media directory. Only the workers are killed, at seeded random moments,
  six times; most come back under the same executor id (DBOS resumes that id's workflows), one
  under a new id, the old one never to return, so only the other processes' takeover of a
  silent executor (tikpost.runtime.liveness) can finish its work.
- on SQLite: one `tikpost serve`, killed and restarted six times.

At the end every post is final; the sandbox shows each published post exactly once, no post
published twice and nothing left half-way for a post tikpost knows; the one expired token was
refreshed exactly once; no process logged a secret.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.service.conftest import PostgresCluster
from tests.support.api import FINAL, Api
from tests.support.processes import (
    CLIENT_SECRET,
    TIKPOST,
    Processes,
    Running,
    assert_no_secrets,
    create_api_key,
    free_port,
    running_processes,
    service_env,
    start_sandbox,
    stored_tokens,
    wait_up,
)
from tests.support.videos import make_video
from tests.support.waiting import wait_until
from tikpost.kit.db import sync_url

pytestmark = [pytest.mark.slow, pytest.mark.timeout(480)]

SEED = 20261123
# The account whose access token the sandbox expires mid-run.
TOKEN_ACCOUNT = 3
POSTS, ACCOUNTS = 50, 10
KILLS = 6
FAULTY_ENDPOINTS = ("oauth/token", "creator_info", "video/init", "status/fetch", "upload")
# Posts are final within this long after the last one was created (they take ~30 s).
RUN_TIMEOUT_SEC = 240.0
# Seconds between kills; the first comes this long after the posts are created.
KILL_GAP_SEC = (1.0, 3.0)
SECRET_KEY = "scale-out-test-secret-key-0123456789abcdef"
COMMON_SETTINGS = {
    "secret_key": SECRET_KEY,
    "api_rate_limit": "100000/minute",  # the test polls hard with one key
    "heartbeat_sec": "0.5",
    "executor_stale_sec": "3",
    "shutdown_grace_sec": "5",
}
READY_LINE = "workflow runtime started"
FENCED_EXIT_CODE = 75

T = TypeVar("T")


@pytest.fixture(scope="module")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short clip TikTok accepts (~2.6 MB: one chunk), posted 50 times."""
    return make_video(tmp_path_factory.mktemp("scale-out") / "clip.mp4", seconds=3.5)


@pytest.fixture
def processes() -> Iterator[Processes]:
    with running_processes() as running:
        yield running


def patiently(call: Callable[[], T], timeout: float = 90) -> T:
    """`call()`, again while the service is down (it is being killed and restarted)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@dataclass
class Run:
    """One scenario's processes, clients and what the test did to them."""

    tmp_path: Path
    processes: Processes
    database_url: str
    service_url: str
    sandbox_url: str
    env: dict[str, str]
    api: httpx.Client
    operator: httpx.Client
    secrets: list[str] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Any] = field(default_factory=dict)
    post_ids: list[str] = field(default_factory=list)
    kills: list[str] = field(default_factory=list)
    unfinished_at_kill: list[int] = field(default_factory=list)
    expired_token_account: str | None = None
    superseded_publish_id: str | None = None
    notes: list[str] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)

    def note(self, message: str) -> None:
        self.notes.append(f"{time.monotonic() - self.t0:5.1f} s: {message}")

    def get(self, path: str, **params: Any) -> Any:
        def call() -> Any:
            response = self.api.get(path, params=params)
            response.raise_for_status()
            return response.json()

        return patiently(call)

    def posts(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.get("/v1/posts", limit=200)["items"]
        return items

    def unfinished(self) -> int:
        return sum(post["status"] not in FINAL for post in self.posts())

    def debug(self) -> str:
        """The non-final posts with their timelines, and every process's last words."""
        lines = []
        for post in self.posts():
            if post["status"] not in FINAL:
                lines.append(f"post {post['id']} ({post['title']}): {post['status']}")
                lines += [f"    {e['at']} {e['status']}: {e['message']}" for e in post["events"]]
        return "\n".join([*lines, *self.notes, self.processes.tails(60)])


def set_up(
    tmp_path: Path, processes: Processes, database_url: str, serve_settings: dict[str, str]
) -> tuple[Run, list[str]]:
    """Sandbox, `tikpost serve`, an API key, ten connected accounts, one uploaded video."""
    service_port = free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    # Seconds of processing keep every post in flight for a while, so the kills find work
    # (one second was enough while each step opened its own connections and HTTP clients).
    sandbox_url, _ = start_sandbox(
        processes, tmp_path, service_url, processing_delay=6.0, seed=SEED
    )
    operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
    # An unaudited app may post for 5 creators a day; this test posts for 10.
    operator.patch("/config", json={"unaudited_active_user_cap": ACCOUNTS}).raise_for_status()
    env = service_env(
        data_dir=tmp_path / "data",
        database_url=database_url,
        service_url=service_url,
        sandbox_url=sandbox_url,
        **COMMON_SETTINGS,
    )
    serve = [TIKPOST, "serve", "--port", str(service_port)]
    service = processes.start(serve, {**env, **serve_settings}, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", service.process)
    key = create_api_key(env, "scale-out")
    api = Api.keyed(service_url, key)
    run = Run(
        tmp_path, processes, database_url, service_url, sandbox_url, env, api.client, operator
    )
    run.secrets += [key, CLIENT_SECRET, SECRET_KEY]
    for index in range(ACCOUNTS):
        connected = api.connect(f"creator{index:02d}")
        run.secrets += [connected.code, connected.state]
    listed = api.client.get("/v1/accounts").json()["items"]
    run.accounts = sorted(listed, key=lambda a: a["username"])
    assert len(run.accounts) == ACCOUNTS
    return run, serve


def upload_and_post(run: Run, video: Path) -> None:
    """The faults go on, then one video and 50 posts of it, round-robin over the accounts."""
    api = Api(run.api)
    run.media = api.upload(video)
    for endpoint in FAULTY_ENDPOINTS:
        fault = {"endpoint": endpoint, "error_rate": 0.05, "latency_ms": 100}
        run.operator.post("/faults", json=fault).raise_for_status()
    for index in range(POSTS):
        body = {
            "account_id": run.accounts[index % ACCOUNTS]["id"],
            "video": run.media["id"],
            "privacy_level": "SELF_ONLY",
            "title": f"scale-out post #{index:02d}",
        }
        run.post_ids.append(api.post(idempotency_key=f"p{index}", **body)["id"])
    run.note(f"{POSTS} posts created")


class Mischief:
    """The run's one forced token expiry and one forced upload-URL expiry, a step at a time.

    The upload URL is expired for a post that tikpost has initialised but not yet uploaded
    (the sandbox's latency holds each PUT back); when the PUT got there first, the next such
    post is tried. A hit shows as the post re-initialised under a new publish_id.
    """

    def __init__(self, run: Run, token_at: float) -> None:
        self.run = run
        self.token_at = token_at
        self.target: tuple[str, str] | None = None
        self.expired_token: str | None = None
        self.tried: set[str] = set()
        self.last_look = 0.0

    @property
    def done(self) -> bool:
        return (
            self.run.expired_token_account is not None
            and self.expired_token is None
            and (self.run.superseded_publish_id is not None or len(self.tried) >= 15)
        )

    def step(self) -> None:
        try:
            self._expire_token()
            self._expire_upload_url()
        except httpx.TransportError:
            pass  # the service is down for a moment; look again next step

    @property
    def refreshing(self) -> bool:
        """Between the forced expiry and tikpost's commit of the refreshed tokens: no kills then.

        TikTok rotates refresh tokens, so a process killed after TikTok answered a refresh but
        before its commit loses the account (the new tokens die with it, the old refresh token
        is spent). No code can close that window; this test keeps its kills out of it.
        """
        return self.expired_token is not None

    def _expire_token(self) -> None:
        if self.expired_token is not None:
            account_id = self.run.accounts[TOKEN_ACCOUNT]["id"]
            access, _ = stored_tokens(self.run.database_url, SECRET_KEY)[account_id]
            if access != self.expired_token:
                self.expired_token = None  # refreshed and committed
                self.run.note("the expired token was refreshed")
            return
        if self.run.expired_token_account is not None or time.monotonic() < self.token_at:
            return
        account = self.run.accounts[TOKEN_ACCOUNT]
        access, _ = stored_tokens(self.run.database_url, SECRET_KEY)[account["id"]]
        expired = self.run.operator.post("/tokens/expire", json={"access_token": access})
        expired.raise_for_status()
        self.run.secrets.append(access)
        self.expired_token = access
        self.run.expired_token_account = account["username"]
        self.run.note(f"expired the access token of {account['username']}")

    def _expire_upload_url(self) -> None:
        if self.run.superseded_publish_id is not None or len(self.tried) >= 15:
            return
        if time.monotonic() - self.last_look < 0.05:
            return
        self.last_look = time.monotonic()
        if self.target is not None:
            post_id, publish_id = self.target
            post = self.run.api.get(f"/v1/posts/{post_id}").json()
            if post["publish_id"] != publish_id:
                self.run.superseded_publish_id = publish_id
                self.run.note(f"upload URL of {publish_id} expired mid-upload")
            elif post["status"] != "uploading":
                self.target = None  # its PUT was through already: try another post
            return
        uploading = self.run.api.get("/v1/posts", params={"status": "uploading"}).json()["items"]
        for post in uploading:
            if post["publish_id"] and post["uploaded_bytes"] == 0 and post["id"] not in self.tried:
                expire = {"publish_id": post["publish_id"]}
                self.run.operator.post("/uploads/expire", json=expire).raise_for_status()
                self.tried.add(post["id"])
                self.target = (post["id"], post["publish_id"])
                return


def wait_all_final(
    run: Run, supervise: Callable[[], None] = lambda: None, timeout: float = RUN_TIMEOUT_SEC
) -> list[dict[str, Any]]:

    def final_posts() -> list[dict[str, Any]] | None:
        supervise()
        posts = run.posts()
        return posts if all(post["status"] in FINAL for post in posts) else None

    posts = wait_until(final_posts, "every post final", timeout, interval=0.5, detail=run.debug)
    run.note("every post is final")
    return posts


def check_outcome(run: Run, posts: list[dict[str, Any]]) -> None:
    """What tikpost reports agrees with what TikTok (the sandbox) holds, post by post."""
    assert len(posts) == POSTS
    failed = [post for post in posts if post["status"] != "published"]
    for post in failed:
        # A failure is allowed only as a clear, coded one (5% faults, bounded retries).
        assert post["status"] == "failed", post
        assert post["error"], post
        assert post["error"]["code"], post
        assert post["error"]["message"], post
    if failed:
        print("failed posts:", [(p["title"], p["error"]["code"]) for p in failed])
    assert len(failed) <= 2, [(p["title"], p["error"]) for p in failed]

    creators = run.operator.get("/creators").json()["creators"]
    held: list[dict[str, Any]] = []
    for creator in creators:
        listed = run.operator.get(f"/creators/{creator['open_id']}/posts").json()["posts"]
        held += [{**entry, "creator": creator["username"]} for entry in listed]
    complete = [entry for entry in held if entry["status"] == "PUBLISH_COMPLETE"]
    titles = [entry["post_info"]["title"] for entry in complete]
    assert len(set(titles)) == len(titles), "a post was published twice"
    assert len({entry["publish_id"] for entry in complete}) == len(complete)

    by_title = {entry["post_info"]["title"]: entry for entry in complete}
    known_publish_ids: set[str] = set()
    superseded: set[str] = set()
    for post in posts:
        recorded = {e["data"]["publish_id"] for e in post["events"] if "publish_id" in e["data"]}
        known_publish_ids |= recorded
        superseded |= recorded - {post["publish_id"]}
        entry = by_title.pop(post["title"], None)
        if post["status"] == "published":
            assert entry is not None, f"{post['title']} is published but TikTok has no such post"
            assert entry["publish_id"] == post["publish_id"]
            assert entry["media"]["sha256"] == run.media["sha256"]
        else:
            assert entry is None, f"{post['title']} failed in tikpost but TikTok published it"
    assert not by_title, f"TikTok published posts tikpost does not know: {sorted(by_title)}"

    # Nothing half-way at TikTok for any publish_id tikpost still uses; what is left over is
    # an upload abandoned for a re-init (its URL expired), or an init whose answer a kill cut
    # off (tikpost never learned its publish_id, so it never sent it a byte).
    current = {post["publish_id"] for post in posts}
    leftovers = [entry for entry in held if entry["status"] not in ("PUBLISH_COMPLETE", "FAILED")]
    for entry in leftovers:
        assert entry["publish_id"] not in current, entry
        if entry["publish_id"] not in superseded:
            assert entry["publish_id"] not in known_publish_ids, entry
            assert not entry["uploaded_bytes"], entry
    orphans = [e for e in leftovers if e["publish_id"] not in known_publish_ids]
    # A kill can cut off one init per account at once (each account's queue runs one post).
    assert len(orphans) <= len(run.kills) * ACCOUNTS, orphans
    if leftovers:
        print(f"left at TikTok: {len(leftovers)} ({len(orphans)} inits cut off by a kill)")

    # The forced expiries happened, and each was handled once.
    assert run.superseded_publish_id is not None, "no upload URL expired mid-upload"
    assert run.superseded_publish_id in superseded
    refreshes = {creator["username"]: creator["refresh_count"] for creator in creators}
    assert refreshes.pop(run.expired_token_account) == 1
    assert set(refreshes.values()) == {0}, refreshes

    # Killed at random, the processes still found work in flight.
    assert len(run.kills) >= 5
    assert sum(count > 0 for count in run.unfinished_at_kill) >= 5, run.unfinished_at_kill

    # No process logged a secret: keys, codes, every token the accounts ever had.
    for access, refresh in stored_tokens(run.database_url, SECRET_KEY).values():
        run.secrets += [access, refresh]
    assert_no_secrets(run.processes.all_logged(), run.secrets)
    print("\n".join(run.notes))
    last = max(posts, key=lambda post: post["finished_at"])
    print(f"the last post to finish ({last['title']}):")
    print("\n".join(f"    {e['at']} {e['status']}: {e['message']}" for e in last["events"]))


@dataclass
class Worker:
    """A `tikpost worker` slot: restarted after each kill, under the same or a new id."""

    name: str
    executor_id: str
    running: Running
    ready: bool = False


@pytest.mark.postgres
def test_two_workers_on_postgresql_killed_at_random(
    tmp_path: Path,
    postgres_cluster: PostgresCluster,
    small_video: Path,
    processes: Processes,
) -> None:
    database_url = postgres_cluster.create_database()
    postgres_cluster.migrate_fresh(database_url)  # `serve` then has nothing to migrate
    run, serve = set_up(tmp_path, processes, database_url, {"TIKPOST_EXECUTOR_ID": "serve-1"})
    rng = random.Random(SEED)
    generations = {"a": 1, "b": 1}
    retired: list[tuple[str, int]] = []  # (executor id, how many processes had started)

    def start_worker(name: str) -> Worker:
        executor_id = f"worker-{name}-{generations[name]}"
        args = [TIKPOST, "worker", "--executor-id", executor_id]
        started = processes.start(args, run.env, tmp_path / f"worker-{name}.log")
        return Worker(name, executor_id, started)

    workers = {name: start_worker(name) for name in generations}
    for worker in workers.values():
        worker.running.wait_logged(READY_LINE)
        worker.ready = True
    service = {"serve": processes.running[1]}

    def supervise() -> None:
        """Do what systemd would: start again a process that was fenced (exit 75), which a
        heartbeat stalled past the stale bound on a loaded machine can cause; any other exit
        fails the test."""
        for worker in list(workers.values()):
            code = worker.running.process.poll()
            if code is not None:
                assert code == FENCED_EXIT_CODE, f"{worker.executor_id} exited {code}"
                run.note(f"{worker.executor_id} was fenced; restarting it")
                workers[worker.name] = start_worker(worker.name)
            elif not worker.ready and READY_LINE in worker.running.logged_since_start():
                worker.ready = True
        code = service["serve"].process.poll()
        if code is not None:
            assert code == FENCED_EXIT_CODE, f"serve-1 exited {code}"
            run.note("serve-1 was fenced; restarting it")
            service["serve"] = processes.start(serve, service["serve"].env, tmp_path / "serve.log")
            wait_up(f"{run.service_url}/healthz", service["serve"].process)

    upload_and_post(run, small_video)

    # The kill after which a worker comes back under a new id: neither first nor last.
    renamed_kill = rng.randrange(1, KILLS - 1)
    mischief = Mischief(run, token_at=time.monotonic() + 2.0)
    next_kill = time.monotonic() + rng.uniform(*KILL_GAP_SEC)
    chaos_deadline = time.monotonic() + 120
    while len(run.kills) < KILLS or not mischief.done:
        assert time.monotonic() < chaos_deadline, f"the chaos never finished:\n{run.debug()}"
        supervise()
        ready = sorted(name for name, worker in workers.items() if worker.ready)
        due = time.monotonic() >= next_kill and not mischief.refreshing
        if len(run.kills) < KILLS and due and ready:
            victim = workers[rng.choice(ready)]
            run.unfinished_at_kill.append(run.unfinished())
            victim.running.kill()
            run.kills.append(victim.executor_id)
            run.note(f"killed {victim.executor_id} ({run.unfinished_at_kill[-1]} posts unfinished)")
            if len(run.kills) - 1 == renamed_kill:
                retired.append((victim.executor_id, len(processes.running)))
                generations[victim.name] += 1
            time.sleep(rng.uniform(0.0, 1.0))
            workers[victim.name] = start_worker(victim.name)
            run.note(f"started {workers[victim.name].executor_id}")
            next_kill = time.monotonic() + rng.uniform(*KILL_GAP_SEC)
        mischief.step()
        time.sleep(0.02)

    posts = wait_all_final(run, supervise)
    check_outcome(run, posts)

    # The retired id never came back; the others took it over: its row is gone, and DBOS
    # holds nothing of it that is still pending.
    [(gone, started_before)] = retired
    assert not [started for started in processes.running[started_before:] if gone in started.args]
    engine = create_engine(sync_url(database_url))
    with engine.connect() as connection:
        live = connection.execute(text("SELECT id FROM executors")).scalars().all()
    engine.dispose()
    assert gone not in live, live
    dbos = create_engine(sync_url(f"{database_url}_dbos"))
    with dbos.connect() as connection:
        pending = connection.execute(
            text(
                "SELECT count(*) FROM dbos.workflow_status WHERE executor_id = :gone "
                "AND status IN ('PENDING', 'ENQUEUED')"
            ),
            {"gone": gone},
        ).scalar_one()
    dbos.dispose()
    assert pending == 0


def test_one_process_on_sqlite_killed_at_random(
    tmp_path: Path, small_video: Path, processes: Processes
) -> None:
    database_url = f"sqlite:///{tmp_path / 'data' / 'tikpost.db'}"
    executor = {"TIKPOST_EXECUTOR_ID": "serve-1"}
    run, serve = set_up(tmp_path, processes, database_url, executor)
    rng = random.Random(SEED)
    upload_and_post(run, small_video)

    mischief = Mischief(run, token_at=time.monotonic() + 2.0)
    next_kill = time.monotonic() + rng.uniform(*KILL_GAP_SEC)
    chaos_deadline = time.monotonic() + 150
    while len(run.kills) < KILLS or not mischief.done:
        assert time.monotonic() < chaos_deadline, f"the chaos never finished:\n{run.debug()}"
        due = time.monotonic() >= next_kill and not mischief.refreshing
        if len(run.kills) < KILLS and due:
            run.unfinished_at_kill.append(run.unfinished())
            service = processes.running[-1]
            service.kill()
            run.kills.append("serve-1")
            run.note(f"killed serve-1 ({run.unfinished_at_kill[-1]} posts unfinished)")
            restarted = processes.start(serve, {**run.env, **executor}, tmp_path / "serve.log")
            wait_up(f"{run.service_url}/healthz", restarted.process)
            next_kill = time.monotonic() + rng.uniform(*KILL_GAP_SEC)
        mischief.step()
        time.sleep(0.02)

    posts = wait_all_final(run)
    check_outcome(run, posts)
