"""CPU of making an outbound HTTP client: a TLS context of its own (httpx's default) against
the process's one shared context (`tikpost.kit.tls`).

    .venv/bin/python bench/tls_context.py [--clients 50]

Every webhook delivery and every URL import makes a client (`kit.safe_fetch.guarded_client`),
as does every app for its TikTok calls. Before `kit/tls.py` each one loaded certifi's CA bundle
into a new `ssl.SSLContext`. CPU seconds (`time.process_time`, so the machine's load barely moves
them) per client made each way, in the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable

import httpx

from tikpost.kit.safe_fetch import GuardedTransport, guarded_client
from tikpost.kit.tls import client_context
from tikpost.kit.url_guard import UrlGuard


def cpu_per_call(make: Callable[[], httpx.AsyncClient], count: int) -> float:
    clients = []
    started = time.process_time()
    for _ in range(count):
        clients.append(make())
    spent = (time.process_time() - started) / count

    async def close_all() -> None:
        for client in clients:
            await client.aclose()

    asyncio.run(close_all())
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    guard = UrlGuard()
    client_context()  # made once, before the clock, as a running service has it

    def own_context() -> httpx.AsyncClient:
        transport = GuardedTransport(guard, httpx.create_ssl_context())
        return httpx.AsyncClient(transport=transport, timeout=10, trust_env=False)

    before = cpu_per_call(own_context, args.clients)
    now = cpu_per_call(lambda: guarded_client(guard, 10), args.clients)
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"a client with a TLS context of its own: {before * 1000:.2f} ms of CPU")
    print(f"a client on the shared context:         {now * 1000:.3f} ms of CPU")
    print(f"ratio (own / shared): {before / now:.0f}x")


if __name__ == "__main__":
    main()
