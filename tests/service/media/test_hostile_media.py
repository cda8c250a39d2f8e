"""SSRF through every field of a post that names a URL, with the guard on (as in production).

tests/service/kit/test_safe_fetch.py covers `POST /v1/media {"url"}` and the guard itself; here the
same destinations go in through `video_url`, a `photos` item, a post's `webhook_url` and a
webhook endpoint. Each is a 422 `url_not_allowed` naming the field and saying why, and nothing
is dialled: local listeners stand where loopback requests would land and accept no connection,
and `RecordingGuard` records every dial (it would refuse to dial 10.0.0.1 or 169.254.169.254
for real, so nothing can leave the machine).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY, ServiceFactory
from tests.service.guard_helpers import (
    PUBLIC_STAND_IN,
    Listener,
    RecordingGuard,
    ipv6_loopback_available,
    listener,
    redirector,
)

PUBLIC_NAME = "media.example.com"

# (request body, field named in the error) for a URL `u`, per place a URL can go in.
SURFACES: list[tuple[str, Callable[[str], dict[str, Any]], str]] = [
    ("/v1/posts", lambda u: {"video_url": u}, "video_url"),
    ("/v1/posts", lambda u: {"photos": ["med_first", u]}, "photos[1]"),
    ("/v1/posts", lambda u: {"video": "med_x", "webhook_url": u}, "webhook_url"),
    ("/v1/webhook-endpoints", lambda u: {"url": u}, "url"),
]
POST_BASE = {"account_id": "acct_x", "privacy_level": "SELF_ONLY"}


def _destinations(v4: Listener, v6: Listener | None) -> list[tuple[str, str]]:
    """Each private destination the issue lists, with the reason the error must give."""
    found = [
        (f"http://127.0.0.1:{v4.port}/p.jpg", "127.0.0.1 is a loopback address"),
        (f"http://localhost:{v4.port}/p.jpg", "localhost resolves to"),  # /etc/hosts, offline
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://10.0.0.1/p.jpg", "10.0.0.1 is a private address"),
    ]
    if v6 is not None:
        found.append((f"http://[::1]:{v6.port}/p.jpg", "::1 is a loopback address"))
    return found


@pytest.fixture
def listeners() -> Iterator[tuple[Listener, Listener | None]]:
    """Connection counters on 127.0.0.1 and (where this machine has it) [::1]."""
    with ExitStack() as stack:
        v4 = stack.enter_context(listener())
        v6 = stack.enter_context(listener(socket.AF_INET6)) if ipv6_loopback_available() else None
        yield v4, v6


@SQLITE_ONLY
def test_private_destinations_are_refused_in_every_url_field(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    listeners: tuple[Listener, Listener | None],
) -> None:
    v4, v6 = listeners
    with redirector() as origin:
        guard = RecordingGuard(
            names={PUBLIC_NAME: [PUBLIC_STAND_IN]},
            routes={(PUBLIC_STAND_IN, 80): ("127.0.0.1", int(origin.rsplit(":", 1)[1]))},
        )

        def install(app: Any) -> None:
            app.state.tikpost = replace(app.state.tikpost, url_guard=guard)

        with (
            service_factory(allow_private_urls=False, configure=install) as svc,
            svc.client(create_api_key("acme")) as api,
        ):
            for url, reason in _destinations(v4, v6):
                for path, body, field in SURFACES:
                    extra = POST_BASE if path == "/v1/posts" else {}
                    response = api.post(path, json={**extra, **body(url)})
                    _assert_refused(response, field, reason, url)
            assert guard.dials == []

            # A public-looking URL whose server redirects inward: refused at the hop, before
            # it is dialled. (Webhook deliveries follow no redirects at all.)
            for inner, reason in _destinations(v4, v6):
                url = str(httpx.URL(f"http://{PUBLIC_NAME}/to", params={"url": inner}))
                for path, body, field in SURFACES[:2]:
                    response = api.post(path, json={**POST_BASE, **body(url)})
                    _assert_refused(response, field, reason, url)
            assert set(guard.dials) == {(PUBLIC_STAND_IN, 80)}  # only the redirector

            assert api.get("/v1/media").json()["items"] == []
            assert api.get("/v1/posts").json()["items"] == []
            assert api.get("/v1/webhook-endpoints").json()["items"] == []
    assert v4.accepted == 0
    assert v6 is None or v6.accepted == 0


def _assert_refused(response: httpx.Response, field: str, reason: str, url: str) -> None:
    assert response.status_code == 422, (url, field, response.text)
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("url_not_allowed", field), (url, response.text)
    assert reason in error["message"], (url, response.text)
    assert error["message"].startswith(f"{field}: not allowed: "), response.text
