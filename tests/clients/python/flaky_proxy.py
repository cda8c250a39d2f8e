"""A flaky load balancer in front of the real service, to show what the SDK's retries do.

Each request to a planned `METHOD /path` takes the next action of its plan: answer 503 or 429
itself (with `Retry-After: 0`), or pass it on and then lose the answer (a 502 after the
service acted: the case an Idempotency-Key exists for); once the plan is used up, requests
pass through. Every request is recorded with its headers and full body.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.server import serve_in_thread

HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "host"}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Proxy:
    url: str = ""
    plans: dict[str, list[str]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, route: str, *actions: str) -> None:
        with self.lock:
            self.plans[route] = list(actions)

    def at(self, route: str) -> list[Seen]:
        method, path = route.split(" ", 1)
        with self.lock:
            return [s for s in self.seen if (s.method, s.path) == (method, path)]


@contextmanager
def flaky_proxy(upstream: str) -> Iterator[Proxy]:
    state = Proxy()

    async def handle(request: Request) -> Response:
        body = await request.body()
        route = f"{request.method} {request.url.path}"
        with state.lock:
            state.seen.append(Seen(request.method, request.url.path, dict(request.headers), body))
            plan = state.plans.get(route, [])
            action = plan.pop(0) if plan else "forward"
        if action in ("503", "429"):
            error = {"error": {"code": "flaky", "message": "try again", "field": None}}
            return Response(
                httpx.Response(int(action), json=error).content,
                status_code=int(action),
                headers={"Retry-After": "0", "Content-Type": "application/json"},
            )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        async with httpx.AsyncClient(base_url=upstream, timeout=120) as client:
            answer = await client.request(
                request.method,
                request.url.path,
                params=str(request.query_params),
                content=body,
                headers=headers,
            )
        if action == "lose-answer":
            return Response(b"bad gateway", status_code=502)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
        kept.pop("content-encoding", None)
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", handle, methods=methods)])
    with serve_in_thread(app) as url:
        state.url = url
        yield state
