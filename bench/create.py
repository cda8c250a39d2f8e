"""`POST /v1/posts` alone: what a create costs when no workflow runs beside it.

    .venv/bin/python bench/create.py [--accounts 100] [--posts 1000] [--clients 8]
        [--serves 1] [--setups sqlite,postgres] [--profile DIR [--profile-mode gil]]

bench/pipeline.py times the creates while the workflows they start publish the earlier posts,
so its create figure is shared CPU. Here every post is scheduled a day ahead: its workflow is
enqueued with a delay and nothing runs until then, so the CPU billed per post is the create's
own (creator_info from TikTok, the checks, the write transaction, the enqueue). `--serves 2`
adds a `tikpost serve` that only takes requests, the clients taking turns between them: how
far the API scales out on the same machine.

Same setups as bench/pipeline.py (a standalone `tikpost sandbox --audited`, then `tikpost
serve` on SQLite or PostgreSQL). The baselines, measured in the same run by the same
`clients` keep-alive clients:

- `GET /healthz` of the same `serve`s: what their HTTP stack answers per second with no work;
- the sandbox's `creator_info` straight from httpx: the one TikTok call each create makes,
  so the TikTok side's share shows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import os
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from pipeline import (
    PY_SPY_MODES,
    TIMEOUT,
    Setup,
    connect,
    cpu_seconds,
    create_posts,
    load_average,
    percentile,
    postgres,
    profile,
    start_setup,
    upload_video,
)
from upload import Processes, make_video


async def rate_of(
    clients: int, requests: int, send: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
) -> float:
    """Requests per second of `send`, `clients` keep-alive clients sharing `requests`."""
    left = [requests]

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            while left[0] > 0:
                left[0] -= 1
                (await send(client)).raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return requests / (time.perf_counter() - started)


async def creator_info_rate(sandbox: str, clients: int, requests: int, creators: int) -> float:
    """creator_info/s straight from the sandbox, spread over `creators` tokens like the creates
    (TikTok allows 20 a minute per token)."""
    tokens = []
    async with httpx.AsyncClient(base_url=sandbox, timeout=TIMEOUT) as client:
        for n in range(creators):
            made = await client.post("/_sandbox/creators", json={"username": f"base{n}"})
            tokens.append(made.raise_for_status().json()["access_token"])
    turn = itertools.cycle(tokens)
    url = f"{sandbox}/v2/post/publish/creator_info/query/"

    def send(client: httpx.AsyncClient) -> Awaitable[httpx.Response]:
        return client.post(url, headers={"Authorization": f"Bearer {next(turn)}"})

    return await rate_of(clients, requests, send)


async def run_setup(setup: Setup, video: Path, args: argparse.Namespace) -> str:
    load_before = load_average()
    headers = {"X-API-Key": setup.api_key}
    async with httpx.AsyncClient(base_url=setup.serve, headers=headers, timeout=TIMEOUT) as api:
        names = [f"bench{n:03d}{secrets.token_hex(2)}" for n in range(args.accounts)]
        accounts = [await connect(api, name) for name in names]
        media = await upload_video(api, video)
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    common = {"video": media, "privacy_level": "SELF_ONLY", "title": "bench #tikpost"}
    bodies = [
        {"account_id": accounts[n % len(accounts)], **common, "scheduled_at": ahead}
        for n in range(args.posts)
    ]
    cpu_start = sum(cpu_seconds(pid) for pid in setup.tikpost_pids())
    latencies, ids, seconds = await create_posts(setup.serves, setup.api_key, bodies, args.clients)
    cpu = sum(cpu_seconds(pid) for pid in setup.tikpost_pids()) - cpu_start
    serves = itertools.cycle(setup.serves)
    health = await rate_of(
        args.clients, args.posts, lambda client: client.get(f"{next(serves)}/healthz")
    )
    info = await creator_info_rate(setup.sandbox, args.clients, args.posts, args.accounts)
    created = len(ids) / seconds
    return "\n".join(
        [
            f"### {setup.name}",
            "",
            f"- load average (1, 5, 15 min): {load_before} before, {load_average()} after",
            f"- create ({args.clients} clients, {len(setup.serves)} serve, {len(ids)} posts "
            f"scheduled a day ahead, {args.accounts} accounts): **{created:.1f} posts/s**, "
            f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 99) * 1000:.1f} ms; "
            f"CPU of tikpost's processes {cpu / len(ids) * 1000:.1f} ms per post",
            f"- `GET /healthz` of the same serve(s): {health:.0f}/s (create ÷ it: "
            f"{created / health:.3f}); the sandbox's creator_info alone: {info:.0f}/s "
            f"(create ÷ it: {created / info:.3f})",
            "",
        ]
    )


async def bench(args: argparse.Namespace, workdir: Path, processes: Processes) -> list[str]:
    video = workdir / "bench.mp4"
    await asyncio.to_thread(make_video, video, int(args.video_mb * 1e6))
    sections = []
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    with contextlib.ExitStack() as stack:
        pg_admin = stack.enter_context(postgres()) if "postgres" in setups else None
        for name in setups:
            admin = None if name == "sqlite" else pg_admin
            setup = start_setup(
                name, processes, workdir, admin, webhook=False, request_serves=args.serves - 1
            )
            if args.profile is not None:
                profile(processes, setup, args.profile, args.profile_mode)
            sections.append(await run_setup(setup, video, args))
            print(sections[-1], flush=True)
            processes.stop_all()
    return sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--accounts",
        type=int,
        default=100,
        help="posts are spread over them: TikTok allows 20 "
        "creator_info calls a minute per account, and each create makes one",
    )
    parser.add_argument("--posts", type=int, default=1000, help="in all, spread over accounts")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    parser.add_argument(
        "--serves",
        type=int,
        default=1,
        help="tikpost serve processes the clients share (the ones past the first only take "
        "requests, as in README's scale-out)",
    )
    parser.add_argument("--video-mb", type=float, default=1.0)
    parser.add_argument("--setups", default="sqlite,postgres", help="sqlite and/or postgres")
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy each tikpost process into this dir"
    )
    parser.add_argument(
        "--profile-mode", choices=sorted(PY_SPY_MODES), default="active", help="what py-spy samples"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tikpost-") as directory:
        processes = Processes(Path(directory))
        try:
            sections = asyncio.run(bench(args, Path(directory), processes))
        finally:
            processes.stop_all()
    print("\n".join(sections))


if __name__ == "__main__":
    main()
