"""The whole publish pipeline against a standalone sandbox, beside what the sandbox alone can take.

    .venv/bin/python bench/pipeline.py [--accounts 20] [--posts 5] [--burst 20] [--clients 8]
        [--video-mb 3] [--setups sqlite,postgres,postgres-workers] [--webhook]

For each setup (`sqlite`: one `tikpost serve`; `postgres`: one `serve` on PostgreSQL;
`postgres-workers`: `serve` taking requests only, plus two `tikpost worker`s) it starts a fresh
`tikpost sandbox --audited --processing-delay 0` process (so the emulator's CPU is not billed
to tikpost), connects `accounts + burst` creators through the consent page, uploads one video
and then measures:

1. create: `accounts x posts` posts (due now) sent by `clients` concurrent clients: accepted
   per second, latency p50/p99;
2. pipeline: from the first create to the last `finished_at`: posts/s through to published;
3. burst: `burst` posts due at the same whole second, one per fresh account (per-account
   pacing would otherwise queue them by design): start lateness (the `queued` event "Scheduled
   time reached" minus `scheduled_at`) p50/p99, and how long until the last one is published;
4. CPU seconds per post of all tikpost processes (user + system, children included) and the
   peak RSS (VmHWM) of each.

`--webhook` registers a webhook endpoint for every event type, a receiver answering 200 to
anything, so the CPU per post includes the signed deliveries a user with an endpoint gets.

The baseline in the same run: a bare httpx script (one pooled client, one task per creator,
each posting its posts one after another like tikpost's per-account queue) making the same
TikTok calls (creator info, init, the chunk PUTs, status fetch until complete) straight to the
same sandbox: posts/s the emulator can take. Every tikpost figure is read as a ratio to it.
The machine is shared, so the load average is printed beside each run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from upload import Processes, children_of, free_port, make_video, proc_status, wait_ready

CLIENT_KEY, CLIENT_SECRET = "bench-client-key", "bench-client-secret"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
FINAL = {"published", "in_inbox", "failed", "cancelled"}
TIMEOUT = httpx.Timeout(60.0)


def tikpost_command() -> str:
    found = Path(sys.executable).with_name("tikpost")
    return str(found) if found.exists() else "tikpost"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); what p50/p99 mean in every table here."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its waited-for children (/proc/PID/stat fields 14-17)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# --- PostgreSQL -----------------------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A private cluster (trust auth) in a temp dir, like the test fixtures: its admin URL."""
    root = Path(tempfile.mkdtemp(prefix="tikpost-bench-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(root, user="postgres", group="postgres")
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=120)

    run(str(PG_BIN / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "bench")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    pg_ctl = str(PG_BIN / "pg_ctl")
    run(pg_ctl, "-D", str(root / "data"), "-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        yield f"postgresql://bench@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(root / "data"), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        connection.execute(f'CREATE DATABASE "{name}_dbos"')
    return f"{admin_url}/{name}"


# --- the processes of one setup -------------------------------------------------------------


@dataclass
class Setup:
    name: str
    # Every `serve` taking API requests: the one running workflows first, then any
    # request-only ones.
    serves: list[str]
    sandbox: str
    api_key: str
    pids: dict[str, int] = field(default_factory=dict)  # tikpost's processes, by role

    @property
    def serve(self) -> str:
        return self.serves[0]

    def tikpost_pids(self) -> list[int]:
        roots = list(self.pids.values())
        return roots + [child for pid in roots for child in children_of(pid)]


def start_setup(
    name: str,
    processes: Processes,
    workdir: Path,
    pg_admin: str | None,
    webhook: bool,
    request_serves: int = 0,
) -> Setup:
    """The setup's sandbox and tikpost processes, ready; `request_serves` more `tikpost serve`
    processes that only take requests (`TIKPOST_SERVE_RUNS_WORKFLOWS=false`), as README's
    scale-out has them."""
    tikpost = tikpost_command()
    serve_port, sandbox_port = free_port(), free_port()
    serve_url, sandbox_url = f"http://127.0.0.1:{serve_port}", f"http://127.0.0.1:{sandbox_port}"
    sandbox = processes.start(
        [
            *[tikpost, "sandbox", "--port", str(sandbox_port), "--audited"],
            *["--processing-delay", "0", "--client-key", CLIENT_KEY],
            *["--client-secret", CLIENT_SECRET],
            *["--redirect-uri", f"{serve_url}/v1/oauth/tiktok/callback"],
        ],
        f"{name}-sandbox",
        processes.env(),
    )
    data_dir = workdir / name
    database = (
        f"sqlite:///{data_dir / 'tikpost.db'}"
        if pg_admin is None
        else create_database(pg_admin, f"bench_{name.replace('-', '_')}")
    )
    env = processes.env(
        TIKPOST_DATA_DIR=str(data_dir),
        TIKPOST_DATABASE_URL=database,
        TIKPOST_PUBLIC_URL=serve_url,
        TIKPOST_TIKTOK_CLIENT_KEY=CLIENT_KEY,
        TIKPOST_TIKTOK_CLIENT_SECRET=CLIENT_SECRET,
        TIKPOST_TIKTOK_API_URL=sandbox_url,
        TIKPOST_TIKTOK_AUTH_URL=sandbox_url,
        TIKPOST_API_RATE_LIMIT="1000000/minute",
        TIKPOST_SECRET_KEY=secrets.token_urlsafe(32),
    )
    receiver = None
    if webhook:
        # A receiver that answers 200 to anything (bench/baselines.py's raw sink), on loopback.
        port = free_port()
        receiver = f"http://127.0.0.1:{port}/hook"
        sink = [sys.executable, str(Path(__file__).with_name("upload.py")), "--role", "raw-sink"]
        processes.start([*sink, "--port", str(port)], f"{name}-webhook-receiver", processes.env())
        env["TIKPOST_ALLOW_PRIVATE_URLS"] = "true"
    workers = 2 if name.endswith("-workers") else 0
    serve_env = {**env, "TIKPOST_EXECUTOR_ID": f"{name}-serve"}
    if workers:
        serve_env["TIKPOST_SERVE_RUNS_WORKFLOWS"] = "false"
    upgrade = [tikpost, "db", "upgrade"]
    subprocess.run(upgrade, cwd=workdir, env=env, capture_output=True, check=True, timeout=300)
    minted = subprocess.run(
        [tikpost, "keys", "create", "--team", "bench"],
        cwd=workdir,
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    serve = processes.start(
        [tikpost, "serve", "--port", str(serve_port)], f"{name}-serve", serve_env
    )
    setup = Setup(name, [serve_url], sandbox_url, minted.stdout.decode().strip())
    setup.pids["serve"] = serve.pid
    started = [(serve_url, serve, workdir / f"{name}-serve.log")]
    for n in range(request_serves):
        port = free_port()
        role = f"serve-requests-{n}"
        extra = processes.start(
            [tikpost, "serve", "--port", str(port)],
            f"{name}-{role}",
            {
                **env,
                "TIKPOST_EXECUTOR_ID": f"{name}-{role}",
                "TIKPOST_SERVE_RUNS_WORKFLOWS": "false",
            },
        )
        setup.pids[role] = extra.pid
        setup.serves.append(f"http://127.0.0.1:{port}")
        started.append((setup.serves[-1], extra, workdir / f"{name}-{role}.log"))
    for n in range(workers):
        worker = processes.start(
            [tikpost, "worker", "--executor-id", f"{name}-worker-{n}"], f"{name}-worker-{n}", env
        )
        setup.pids[f"worker-{n}"] = worker.pid
    wait_ready(f"{sandbox_url}/_sandbox/clock", sandbox, workdir / f"{name}-sandbox.log")
    for url, process, log in started:
        wait_ready(f"{url}/healthz", process, log)
    if receiver is not None:
        headers = {"X-API-Key": setup.api_key}
        created = httpx.post(
            f"{serve_url}/v1/webhook-endpoints", json={"url": receiver}, headers=headers
        )
        created.raise_for_status()
    return setup


# --- driving tikpost ------------------------------------------------------------------------


async def connect(client: httpx.AsyncClient, username: str) -> str:
    """Through the sandbox's consent page, as a creator's browser would; returns the account id."""
    started = await client.post("/v1/accounts/connect")
    started.raise_for_status()
    async with httpx.AsyncClient(timeout=TIMEOUT) as browser:
        page = await browser.get(started.json()["authorize_url"])
        page.raise_for_status()
        form: dict[str, Any] = dict(
            re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', page.text)
        )
        ticked = r'name="granted_scope" value="([^"]*)" checked'
        form["granted_scope"] = re.findall(ticked, page.text)
        form.update(decision="approve", username=username, creator="")
        redirect = await browser.post(str(page.url), data=form)
        callback = await browser.get(redirect.headers["location"])
        callback.raise_for_status()
    for account in (await client.get("/v1/accounts")).json()["items"]:
        if account["username"] == username:
            return str(account["id"])
    raise RuntimeError(f"{username} did not connect")


async def upload_video(client: httpx.AsyncClient, path: Path) -> str:
    with path.open("rb") as handle:
        media = await client.post("/v1/media", files={"file": (path.name, handle, "video/mp4")})
    if media.status_code != 201:
        raise RuntimeError(f"upload: {media.status_code} {media.text}")
    return str(media.json()["id"])


async def create_posts(
    urls: list[str], key: str, bodies: list[dict[str, Any]], clients: int
) -> tuple[list[float], list[str], float]:
    """Each body POSTed by one of `clients` workers, each on its own keep-alive connection to
    one of `urls` in turn."""
    latencies: list[float] = []
    ids: list[str] = []
    pending = list(reversed(bodies))

    async def worker(url: str) -> None:
        headers = {"X-API-Key": key}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=TIMEOUT) as client:
            while pending:
                body = pending.pop()
                started = time.perf_counter()
                response = await client.post("/v1/posts", json=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 202:
                    raise RuntimeError(f"create: {response.status_code} {response.text}")
                ids.append(response.json()["id"])

    started = time.perf_counter()
    await asyncio.gather(*(worker(urls[n % len(urls)]) for n in range(clients)))
    return latencies, ids, time.perf_counter() - started


async def wait_final(client: httpx.AsyncClient, ids: list[str], limit: float) -> list[Any]:
    """Every post once final (listing the newest pages, not one GET per post)."""
    wanted, found = set(ids), dict[str, Any]()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/posts", params=params)).json()
            for post in page["items"]:
                if post["id"] in wanted and post["status"] in FINAL:
                    found[post["id"]] = post
            cursor = page["next_cursor"]
            if cursor is None or len(found) == len(wanted):
                break
        if len(found) == len(wanted):
            return list(found.values())
        # Seldom: listing is work for the server under test; finished_at gives the exact times.
        await asyncio.sleep(1.0)
    raise RuntimeError(f"only {len(found)} of {len(wanted)} posts final after {limit:.0f} s")


def at(value: str) -> float:
    return dt.datetime.fromisoformat(value).timestamp()


@dataclass
class Result:
    setup: str
    load_before: str
    create_latencies: list[float]
    create_seconds: float
    posts: int
    pipeline_seconds: float
    failed: int
    lateness: list[float]
    burst_published_after: float
    cpu_per_post: float
    peak_rss: dict[str, int]
    load_after: str
    webhooks_delivered: int | None  # deliveries that got their 200, with --webhook


async def run_setup(setup: Setup, video: Path, args: argparse.Namespace) -> Result:
    load_before = load_average()
    headers = {"X-API-Key": setup.api_key}
    async with httpx.AsyncClient(base_url=setup.serve, headers=headers, timeout=TIMEOUT) as api:
        names = [f"bench{n:03d}{secrets.token_hex(2)}" for n in range(args.accounts + args.burst)]
        accounts = [await connect(api, name) for name in names]
        media = await upload_video(api, video)
        cpu_start = sum(cpu_seconds(pid) for pid in setup.tikpost_pids())
        common = {"video": media, "privacy_level": "SELF_ONLY", "title": "bench #tikpost"}
        bodies = [
            {"account_id": account, **common}
            for _ in range(args.posts)
            for account in accounts[: args.accounts]
        ]
        started = time.time()
        latencies, ids, create_seconds = await create_posts(
            setup.serves, setup.api_key, bodies, args.clients
        )
        done = await wait_final(api, ids, limit=600)
        pipeline_seconds = max(at(post["finished_at"]) for post in done) - started
        failed = sum(post["status"] != "published" for post in done)
        # The burst: due at the next whole second far enough ahead to create all of them first.
        due = math.ceil(time.time() + 3 + args.burst * 0.25)
        due_at = dt.datetime.fromtimestamp(due, dt.UTC).isoformat()
        burst = [
            {"account_id": account, **common, "scheduled_at": due_at}
            for account in accounts[args.accounts :]
        ]
        _, burst_ids, _ = await create_posts(setup.serves, setup.api_key, burst, args.clients)
        if time.time() >= due:
            raise RuntimeError("the burst took longer to create than its lead time")
        burst_done = await wait_final(api, burst_ids, limit=600)
        failed += sum(post["status"] != "published" for post in burst_done)
        lateness = [
            next(at(e["at"]) for e in post["events"] if e["message"] == "Scheduled time reached")
            - due
            for post in burst_done
        ]
        burst_published_after = max(at(post["finished_at"]) for post in burst_done) - due
        posts = len(ids) + len(burst_ids)
        delivered = await wait_deliveries(api, posts) if args.webhook else None
    cpu = sum(cpu_seconds(pid) for pid in setup.tikpost_pids()) - cpu_start
    peak = {role: proc_status(pid).get("VmHWM", 0) for role, pid in setup.pids.items()}
    return Result(
        setup.name, load_before, latencies, create_seconds, len(ids), pipeline_seconds, failed,
        lateness, burst_published_after, cpu / posts, peak, load_average(),
        delivered,
    )  # fmt: skip


# --- the baseline: the same TikTok calls, straight to the sandbox ---------------------------


async def baseline(sandbox: str, video: Path, creators: int, posts: int) -> tuple[float, str]:
    """Posts/s the sandbox takes from a bare httpx script making tikpost's calls per post."""
    from tikpost.tiktok.upload import plan_chunks

    data = await asyncio.to_thread(video.read_bytes)
    plan = plan_chunks(len(data))
    load = load_average()
    limits = httpx.Limits(max_connections=creators * 2, max_keepalive_connections=creators * 2)
    async with httpx.AsyncClient(base_url=sandbox, timeout=TIMEOUT, limits=limits) as client:
        tokens = []
        for _ in range(creators):
            made = await client.post(
                "/_sandbox/creators", json={"username": f"base{secrets.token_hex(4)}"}
            )
            tokens.append(made.raise_for_status().json()["access_token"])

        async def one_creator(token: str) -> None:
            auth = {"Authorization": f"Bearer {token}"}
            for _ in range(posts):
                info = await client.post("/v2/post/publish/creator_info/query/", headers=auth)
                info.raise_for_status()
                source = {
                    "source": "FILE_UPLOAD",
                    "video_size": plan.video_size,
                    "chunk_size": plan.chunk_size,
                    "total_chunk_count": plan.total_chunk_count,
                }
                body = {"post_info": {"title": "b", "privacy_level": "SELF_ONLY"}}
                init = await client.post(
                    "/v2/post/publish/video/init/",
                    headers=auth,
                    json={**body, "source_info": source},
                )
                created = init.raise_for_status().json()["data"]
                for index, (first, last) in enumerate(plan.ranges()):
                    put = await client.put(
                        created["upload_url"],
                        content=data[first : last + 1],
                        headers={
                            "Content-Type": "video/mp4",
                            "Content-Range": f"bytes {first}-{last}/{plan.video_size}",
                        },
                    )
                    expected = 201 if index == plan.total_chunk_count - 1 else 206
                    if put.status_code != expected:
                        raise RuntimeError(f"baseline PUT: {put.status_code} {put.text}")
                while True:
                    status = await client.post(
                        "/v2/post/publish/status/fetch/",
                        headers=auth,
                        json={"publish_id": created["publish_id"]},
                    )
                    state = status.raise_for_status().json()["data"]["status"]
                    if state == "PUBLISH_COMPLETE":
                        break
                    if state == "FAILED":
                        raise RuntimeError(f"baseline post failed: {status.text}")
                    await asyncio.sleep(0.05)

        started = time.perf_counter()
        await asyncio.gather(*(one_creator(token) for token in tokens))
        seconds = time.perf_counter() - started
    return creators * posts / seconds, load


# --- the report -----------------------------------------------------------------------------


async def wait_deliveries(api: httpx.AsyncClient, expected: int, limit: float = 120) -> int:
    """Wait until no delivery is pending and each post's `post.published` one was made (they
    start as posts finish); returns how many succeeded, so a failing receiver shows."""
    deadline = time.monotonic() + limit

    async def count(status: str, most: int) -> int:
        listed = await api.get("/v1/webhook-deliveries", params={"status": status, "limit": most})
        listed.raise_for_status()
        return len(listed.json()["items"])

    # Polled one row at a time: the listing is the bench's, billed to tikpost's CPU.
    while time.monotonic() < deadline:
        if not await count("pending", 1) and await count("succeeded", 500) >= expected:
            break
        await asyncio.sleep(0.25)
    return await count("succeeded", 500)


def report(result: Result, capacity: float, capacity_load: str, args: argparse.Namespace) -> str:
    created = result.posts / result.create_seconds
    posts_per_sec = result.posts / result.pipeline_seconds
    lat = result.create_latencies
    peaks = ", ".join(f"{role} {value / 1e6:.0f} MB" for role, value in result.peak_rss.items())
    return "\n".join(
        [
            f"### {result.setup}",
            "",
            f"- load average (1, 5, 15 min): {result.load_before} before, "
            f"{result.load_after} after; baseline run at {capacity_load}",
            f"- create ({args.clients} clients, {result.posts} posts): {created:.1f} posts/s, "
            f"p50 {percentile(lat, 50) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms",
            f"- pipeline ({args.accounts} accounts x {args.posts} posts): "
            f"{posts_per_sec:.2f} posts/s; sandbox alone (bare httpx, same calls): "
            f"{capacity:.2f} posts/s; ratio **{posts_per_sec / capacity:.2f}**",
            f"- burst of {len(result.lateness)} due the same second: start lateness "
            f"p50 {percentile(result.lateness, 50):.2f} s, p99 "
            f"{percentile(result.lateness, 99):.2f} s; all published "
            f"{result.burst_published_after:.2f} s after the due second",
            f"- CPU of tikpost's processes: {result.cpu_per_post * 1000:.0f} ms per post; "
            f"peak RSS: {peaks}; posts not published: {result.failed}",
            *(
                [f"- webhook deliveries that got their 200: {result.webhooks_delivered}"]
                if result.webhooks_delivered is not None
                else []
            ),
            "",
        ]
    )


PY_SPY_MODES = {"active": [], "idle": ["--idle"], "gil": ["--gil"]}


def profile(processes: Processes, setup: Setup, out: Path, mode: str) -> None:
    """py-spy on each tikpost process (and its children) until the setup stops: speedscope JSON
    for https://www.speedscope.app, written when py-spy gets its SIGINT. `gil` keeps only the
    samples of the thread holding the GIL: the Python work that competes for it, without the
    waits py-spy's own idle detection lets through."""
    out.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    for role, pid in setup.pids.items():
        target = out / f"{setup.name}-{role}.speedscope.json"
        command = [str(spy), "record", "--pid", str(pid), "--subprocesses", "--nonblocking"]
        command += ["--rate", "100", "--format", "speedscope", "--output", str(target)]
        command += PY_SPY_MODES[mode]
        processes.start(command, f"{setup.name}-{role}-py-spy", processes.env())


async def bench(args: argparse.Namespace, workdir: Path, processes: Processes) -> list[str]:
    video = workdir / "bench.mp4"
    size, _ = await asyncio.to_thread(make_video, video, int(args.video_mb * 1e6))
    print(f"test video: {size:,} bytes", flush=True)
    sections = []
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    with contextlib.ExitStack() as stack:
        pg_admin = stack.enter_context(postgres()) if any("postgres" in s for s in setups) else None
        for name in setups:
            admin = None if name == "sqlite" else pg_admin
            setup = start_setup(name, processes, workdir, admin, args.webhook)
            print(f"[{name}] running ({', '.join(setup.pids)})", flush=True)
            if args.profile is not None:
                profile(processes, setup, args.profile, args.profile_mode)
            result = await run_setup(setup, video, args)
            capacity, load = await baseline(setup.sandbox, video, args.accounts, args.posts)
            sections.append(report(result, capacity, load, args))
            print(sections[-1], flush=True)
            processes.stop_all()
    return sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--posts", type=int, default=5, help="per account (paced: 6 starts/min)")
    parser.add_argument("--burst", type=int, default=20, help="posts due the same second")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    parser.add_argument("--video-mb", type=float, default=3.0)
    parser.add_argument("--setups", default="sqlite,postgres,postgres-workers")
    parser.add_argument(
        "--webhook", action="store_true", help="a webhook endpoint for every event (a 200 sink)"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy each tikpost process into this dir"
    )
    parser.add_argument(
        "--profile-mode", choices=sorted(PY_SPY_MODES), default="active", help="what py-spy samples"
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="work in this new dir and keep it (logs, data)"
    )
    args = parser.parse_args()
    if args.posts > 6:
        parser.error("--posts over 6 measures the per-account pacing (6 starts a minute)")
    print(f"{os.cpu_count()} CPUs, load average {load_average()}", flush=True)
    with contextlib.ExitStack() as stack:
        if args.keep is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tikpost-")))
        else:
            directory = args.keep
            directory.mkdir(parents=True)
        processes = Processes(directory)
        try:
            sections = asyncio.run(bench(args, directory, processes))
        finally:
            processes.stop_all()
    print("\n".join(sections))


if __name__ == "__main__":
    main()
