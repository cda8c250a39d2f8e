"""Webhook deliveries alone: what one signed, durable delivery costs the process that sends it.

    .venv/bin/python bench/webhooks.py [--deliveries 300] [--database sqlite|postgres]

One process runs tikpost's workflow runtime (as `tikpost serve` does, without the HTTP API) on
a fresh database; a raw asyncio sink in its own process (`bench/upload.py --role raw-sink`)
answers 200 to every request. The bench records `deliveries` events for one endpoint in one
transaction, starts their workflows, and waits until none is pending. It reports deliveries
per second and the CPU (user + system, every thread) this process spent per delivery, with
the idle runtime's own CPU over the same span (its queue polls and heartbeat) taken out.

The baseline in the same run: the same number of signed POSTs of the same payload sent by a
bare httpx client, one pooled connection per concurrent sender, straight to the same sink, so
the result reads as a ratio: what durability and the delivery log cost beside the bare send.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from pipeline import create_database, load_average, postgres, tikpost_command
from sqlalchemy import func, select
from upload import Processes, free_port, wait_ready

from tikpost.kit.crypto import TokenCipher
from tikpost.runtime.worker import create_runtime
from tikpost.settings import Settings
from tikpost.teams.models import Team
from tikpost.webhooks import service
from tikpost.webhooks.models import WebhookDelivery, WebhookEndpoint
from tikpost.webhooks.service import AttemptPlan
from tikpost.webhooks.workflow import DELIVERY_QUEUE, signed_headers, start_deliveries

IDLE_SPAN_SEC = 3.0
# Every delivery's first attempt should succeed; one that did not is reported, not waited for.
DEADLINE_SEC = 300.0


@contextlib.contextmanager
def database_url(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'tikpost.db'}"
        return
    with postgres() as admin:
        yield create_database(admin, "bench_webhooks")


def settings_for(workdir: Path, url: str) -> Settings:
    values = {
        "TIKPOST_DATA_DIR": str(workdir),
        "TIKPOST_DATABASE_URL": url,
        "TIKPOST_SECRET_KEY": secrets.token_urlsafe(32),
        "TIKPOST_ALLOW_PRIVATE_URLS": "true",
        "TIKPOST_EXECUTOR_ID": "bench-webhooks",
    }
    for key in [key for key in os.environ if key.startswith("TIKPOST_")]:
        del os.environ[key]
    os.environ.update(values)
    env = {**os.environ}
    subprocess.run(
        [tikpost_command(), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=300
    )
    return Settings(_env_file=None)


async def bare_sends(url: str, count: int, concurrency: int, payload: str) -> float:
    """Seconds for `count` signed POSTs from `concurrency` senders over pooled connections."""
    plan = AttemptPlan(url, "msg_bench", payload, service.new_secret())
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def sender() -> None:
            while not queue.empty():
                queue.get_nowait()
                response = await client.post(
                    url, content=payload.encode(), headers=signed_headers(plan)
                )
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return time.perf_counter() - started


async def run(settings: Settings, sink_url: str, count: int) -> dict[str, float]:
    runtime = create_runtime(settings)
    await runtime.start()
    try:
        async with runtime.database.session(write=True) as session:
            team = Team(name="bench")
            session.add(team)
            await session.flush()
            secret = service.new_secret()
            cipher = TokenCipher(settings.secret_key.get_secret_value())
            session.add(
                WebhookEndpoint(
                    team_id=team.id, url=sink_url, secret_encrypted=cipher.encrypt(secret)
                )
            )
            team_id = team.id
        await asyncio.sleep(1.0)  # DBOS's first polls and the heartbeat's first beat
        idle_cpu, idle_wall = time.process_time(), time.perf_counter()
        await asyncio.sleep(IDLE_SPAN_SEC)
        idle_rate = (time.process_time() - idle_cpu) / (time.perf_counter() - idle_wall)

        cpu, wall = time.process_time(), time.perf_counter()
        async with runtime.database.session(write=True) as session:
            ids = await service.emit(session, team_id, "post.published", {"post_id": "post_x"})
            ids += [
                delivery_id
                for n in range(count - 1)
                for delivery_id in await service.emit(
                    session, team_id, "post.published", {"post_id": f"post_{n}"}
                )
            ]
        await start_deliveries(ids)
        pending, deadline = len(ids), time.monotonic() + DEADLINE_SEC
        while pending and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            async with runtime.database.session() as session:
                query = select(func.count()).where(WebhookDelivery.status == "pending")
                pending = int((await session.execute(query)).scalar_one())
        elapsed = time.perf_counter() - wall
        spent = time.process_time() - cpu - idle_rate * elapsed
        async with runtime.database.session() as session:
            query = select(func.count()).where(WebhookDelivery.status == "succeeded")
            succeeded = int((await session.execute(query)).scalar_one())
    finally:
        await runtime.stop()
    payload = service.event_payload("post.published", {"post_id": "post_x"})
    concurrency = DELIVERY_QUEUE.worker_concurrency or 32
    bare = await bare_sends(sink_url, count, concurrency, payload)
    return {
        "elapsed": elapsed,
        "cpu_ms": 1000 * spent / count,
        "idle_cpu_pct": 100 * idle_rate,
        "succeeded": succeeded,
        "bare": bare,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {load_average()}")
    with tempfile.TemporaryDirectory(prefix="tikpost-bench-webhooks-") as tmp:
        workdir = Path(tmp)
        processes = Processes(workdir)
        try:
            port = free_port()
            sink = [sys.executable, str(Path(__file__).resolve().with_name("upload.py")), "--role"]
            started = processes.start(
                [*sink, "raw-sink", "--port", str(port)], "sink", processes.env()
            )
            wait_ready(f"http://127.0.0.1:{port}/", started, workdir / "sink.log")
            with database_url(args.database, workdir) as url:
                settings = settings_for(workdir, url)
                sink_url = f"http://127.0.0.1:{port}/hook"
                result = asyncio.run(run(settings, sink_url, args.deliveries))
        finally:
            processes.stop_all()
    count = args.deliveries
    print(
        f"- {args.database}: {result['succeeded']:.0f}/{count} deliveries succeeded in "
        f"{result['elapsed']:.2f} s ({count / result['elapsed']:.1f}/s); "
        f"{result['cpu_ms']:.1f} ms of CPU each (idle runtime {result['idle_cpu_pct']:.1f} % "
        f"of a core, taken out)\n"
        f"- bare httpx, same sink, same payload: {count / result['bare']:.0f}/s; "
        f"ratio **{result['bare'] / result['elapsed']:.3f}**\n"
        f"- load average after: {load_average()}"
    )


if __name__ == "__main__":
    main()
