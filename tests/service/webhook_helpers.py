"""A local webhook receiver and helpers to emit events and wait for their deliveries."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.service.conftest import RunningService
from tests.support.server import serve_in_thread
from tikpost.runtime.workflows import WorkflowRuntime
from tikpost.webhooks import service as webhooks
from tikpost.webhooks.workflow import start_deliveries


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    # The sender's (host, port): the same for requests that came over one connection.
    peer: tuple[str, int] | None = None


@dataclass
class Receiver:
    """Records every POST; `fail_first[path] = n` answers 500 to the first n requests there."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    fail_first: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [request for request in self.requests if request.path == path]


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    async def hook(request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        with state.lock:
            peer = (request.client.host, request.client.port) if request.client else None
            state.requests.append(Received(path, dict(request.headers), body, time.time(), peer))
            seen = sum(1 for received in state.requests if received.path == path)
        return Response(status_code=500 if seen <= state.fail_first.get(path, 0) else 204)

    app = Starlette(routes=[Route("/{name:path}", hook, methods=["POST"])])
    with serve_in_thread(app) as url:
        state.url = url
        yield state


def team_id(api: httpx.Client) -> str:
    response = api.get("/v1/team")
    response.raise_for_status()
    value: str = response.json()["id"]
    return value


def emit(
    service: RunningService,
    team: str,
    event_type: str,
    data: dict[str, Any],
    extra_urls: Sequence[str] = (),
) -> list[str]:
    """What a domain does: emit in a unit of work, commit, then start the deliveries.

    Runs on its own event loop in the test thread, through the runtime's database (it keeps
    no pooled connections, so any loop may use it).
    """
    runtime: WorkflowRuntime = service.app.state.tikpost.workflows

    async def main() -> list[str]:
        async with runtime.database.session(write=True) as session:
            ids = await webhooks.emit(session, team, event_type, data, extra_urls)
        await start_deliveries(ids)
        return ids

    return asyncio.run(main())


def wait_for_delivery(api: httpx.Client, delivery_id: str, timeout: float = 30) -> dict[str, Any]:
    """The delivery once it is no longer pending."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(f"/v1/webhook-deliveries/{delivery_id}")
        assert response.status_code == 200, response.text
        delivery: dict[str, Any] = response.json()
        if delivery["status"] != "pending":
            return delivery
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery still pending: {delivery}")
        time.sleep(0.1)
