"""uvicorn's HTTP stacks under tikpost's own app: h11 + asyncio against httptools + uvloop.

    .venv/bin/python bench/http_stack.py [--requests 2000] [--clients 8] [--rounds 3]

The same app (`tikpost.app.create_app`, sandbox mode, a fresh SQLite data dir) is served by
uvicorn once per stack, in a subprocess, one at a time; `clients` keep-alive clients then send
`requests` requests of each kind: `GET /healthz` (the stack alone, nearly) and an authenticated
`GET /v1/accounts` (API key lookup and a database read). Rounds alternate the stacks, so a
change in the machine's load hits both; the best round of each is reported, with the load
average, and each stack's rate is given as a ratio to h11 + asyncio measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from upload import Processes, free_port, wait_ready

STACKS = {"h11+asyncio": ("h11", "asyncio"), "httptools+uvloop": ("httptools", "uvloop")}


def run_server(port: int, http: str, loop: str) -> None:
    import uvicorn

    from tikpost.app import create_app
    from tikpost.settings import Settings

    settings = Settings(public_url=f"http://127.0.0.1:{port}")
    uvicorn.run(
        create_app(settings), port=port, http=http, loop=loop, log_level="warning"
    )  # fmt: skip


async def hammer(url: str, path: str, key: str, requests: int, clients: int) -> float:
    left = [requests]

    async def client() -> None:
        headers = {"X-API-Key": key}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
            while left[0] > 0:
                left[0] -= 1
                (await http.get(path)).raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--role", default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--stack", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "server":
        run_server(args.port, *STACKS[args.stack])
        return
    best: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory(prefix="tikpost-http-") as directory:
        workdir = Path(directory)
        tikpost = str(Path(sys.executable).with_name("tikpost"))
        processes = Processes(workdir)
        env = processes.env(TIKPOST_DATA_DIR=str(workdir / "data"))
        env["TIKPOST_API_RATE_LIMIT"] = "1000000/minute"
        key = subprocess.run(
            [tikpost, "keys", "create", "--team", "bench"],
            cwd=workdir, env=env, capture_output=True, check=True, text=True, timeout=120,
        ).stdout.strip()  # fmt: skip
        try:
            for round_ in range(args.rounds):
                for stack in STACKS if round_ % 2 == 0 else reversed(STACKS):
                    port = free_port()
                    command = [sys.executable, __file__, "--role", "server", "--port", str(port)]
                    server = processes.start([*command, "--stack", stack], stack, env)
                    url = f"http://127.0.0.1:{port}"
                    wait_ready(f"{url}/healthz", server, workdir / f"{stack}.log")
                    for path in ("/healthz", "/v1/accounts"):
                        rate = asyncio.run(hammer(url, path, key, args.requests, args.clients))
                        best[stack, path] = max(best.get((stack, path), 0.0), rate)
                        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
                        print(f"round {round_ + 1} {stack} {path}: {rate:.0f}/s (load {load})")
                    processes.stop_all()
        finally:
            processes.stop_all()
    print("\n| stack | GET /healthz req/s | ratio to h11 | GET /v1/accounts req/s | ratio to h11 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for stack in STACKS:
        cells = []
        for path in ("/healthz", "/v1/accounts"):
            rate, base = best[stack, path], best["h11+asyncio", path]
            cells += [f"{rate:.0f}", f"{rate / base:.2f}"]
        print(f"| {stack} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
