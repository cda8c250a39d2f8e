"""A tiny HTTP origin for pull-from-URL tests: serves files, and a redirect to test refusal."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.server import serve_in_thread


@dataclass
class OriginStats:
    """How many `/slow/` requests the origin served at once, at most (to see a fetch bound)."""

    in_flight: int = 0
    max_in_flight: int = 0
    served: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def media_origin(root: Path, stats: OriginStats | None = None) -> Iterator[str]:
    """Serve `root` at `<url>/media/<name>`; `<url>/redirect/<name>` answers 302 to it;
    `<url>/slow/<name>` serves it after 0.2 s, counting concurrent requests in `stats`."""
    counted = stats if stats is not None else OriginStats()

    async def media(request: Request) -> Response:
        path = root / request.path_params["name"]
        if not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path)

    async def redirect(request: Request) -> Response:
        return RedirectResponse(f"/media/{request.path_params['name']}", status_code=302)

    async def slow(request: Request) -> Response:
        with counted.lock:
            counted.in_flight += 1
            counted.served += 1
            counted.max_in_flight = max(counted.max_in_flight, counted.in_flight)
        try:
            await asyncio.sleep(0.2)
        finally:
            with counted.lock:
                counted.in_flight -= 1
        return await media(request)

    app = Starlette(
        routes=[
            Route("/media/{name}", media),
            Route("/redirect/{name}", redirect),
            Route("/slow/{name}", slow),
        ],
    )
    with serve_in_thread(app) as url:
        yield url
