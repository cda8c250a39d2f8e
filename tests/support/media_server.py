"""A tiny HTTP origin for pull-from-URL tests: serves files, and a redirect to test refusal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.server import serve_in_thread


@contextmanager
def media_origin(root: Path) -> Iterator[str]:
    """Serve `root` at `<url>/media/<name>`; `<url>/redirect/<name>` answers 302 to it."""

    async def media(request: Request) -> Response:
        path = root / request.path_params["name"]
        if not path.is_file():
            return Response("not found", status_code=404)
        return FileResponse(path)

    async def redirect(request: Request) -> Response:
        return RedirectResponse(f"/media/{request.path_params['name']}", status_code=302)

    app = Starlette(
        routes=[Route("/media/{name}", media), Route("/redirect/{name}", redirect)],
    )
    with serve_in_thread(app) as url:
        yield url
