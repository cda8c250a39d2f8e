"""The SSRF guard, over real HTTP: refused URLs reach nothing, allowed ones are pinned.

Every refusal is checked three ways: the API answers 422 `url_not_allowed` with the reason, a
local listener standing where the request would go accepted no connection, and the guard's
recorded dials show no connection was even attempted (addresses off this machine, such as
10.0.0.1 and 169.254.169.254, are never really dialled: see `RecordingGuard`).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.guard_helpers import (
    PUBLIC_STAND_IN,
    RecordingGuard,
    ipv6_loopback_available,
    listener,
    redirector,
    tls_origin,
)
from tests.service.webhook_helpers import emit, receiver, team_id, wait_for_delivery
from tests.support.media_server import media_origin
from tikpost.kit.safe_fetch import (
    FetchFailedError,
    UrlNotAllowedError,
    address_refusal,
    fetch,
)

Started = tuple[RunningService, httpx.Client, RecordingGuard]


@pytest.fixture
def guarded(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> Callable[..., Any]:
    """`with guarded(guard, **settings) as (svc, api, guard):` the service with the guard ON."""

    @contextmanager
    def start(guard: RecordingGuard, **overrides: Any) -> Iterator[Started]:
        def install(app: Any) -> None:
            app.state.tikpost = replace(app.state.tikpost, url_guard=guard)

        with (
            service_factory(allow_private_urls=False, configure=install, **overrides) as svc,
            svc.client(create_api_key("acme")) as api,
        ):
            yield svc, api, guard

    return start


def _refused(response: httpx.Response, reason: str, field: str = "url") -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("url_not_allowed", field)
    assert reason in error["message"]


@SQLITE_ONLY
def test_private_destinations_are_refused_before_any_connection(
    guarded: Callable[..., Any],
) -> None:
    with listener() as v4, guarded(RecordingGuard()) as (_svc, api, guard):
        cases = [
            (f"http://127.0.0.1:{v4.port}/v.mp4", "127.0.0.1 is a loopback address"),
            (f"http://localhost:{v4.port}/v.mp4", "localhost resolves to"),
            ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
            ("http://10.0.0.1/v.mp4", "10.0.0.1 is a private address"),
            ("http://[::ffff:10.0.0.1]/v.mp4", "a private address"),
            ("http://100.64.0.1/v.mp4", "CGNAT"),
            ("http://[fd00:ec2::254]/", "a cloud metadata address"),
            (f"http://2130706433:{v4.port}/", "resolves to 127.0.0.1"),
            ("http://0.0.0.0/", "an unspecified address"),
        ]
        for url, reason in cases:
            _refused(api.post("/v1/media", json={"url": url}), reason)
        assert guard.dials == []
        assert v4.accepted == 0
        assert api.get("/v1/media").json()["items"] == []


@SQLITE_ONLY
@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback here")
def test_ipv6_loopback_is_refused(guarded: Callable[..., Any]) -> None:
    with listener(socket.AF_INET6) as v6, guarded(RecordingGuard()) as (_svc, api, guard):
        url = f"http://[::1]:{v6.port}/v.mp4"
        _refused(api.post("/v1/media", json={"url": url}), "::1 is a loopback address")
        assert (guard.dials, v6.accepted) == ([], 0)


@SQLITE_ONLY
def test_a_public_url_redirecting_inward_is_refused_at_the_hop(
    guarded: Callable[..., Any],
) -> None:
    """The first hop is "public" (fake DNS), served by a local redirector; the hop it
    redirects to is private and is refused before any connection."""
    with listener() as target, redirector() as origin:
        port = int(origin.rsplit(":", 1)[1])
        guard = RecordingGuard(
            names={"media.example.com": [PUBLIC_STAND_IN]},
            routes={(PUBLIC_STAND_IN, 80): ("127.0.0.1", port)},
        )
        with guarded(guard) as (_svc, api, _):
            for inner, reason in (
                (f"http://127.0.0.1:{target.port}/v.mp4", "a loopback address"),
                ("http://10.0.0.1/v.mp4", "a private address"),
                ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
            ):
                url = str(httpx.URL("http://media.example.com/to", params={"url": inner}))
                _refused(api.post("/v1/media", json={"url": url}), reason)
        assert set(guard.dials) == {(PUBLIC_STAND_IN, 80)}
        assert target.accepted == 0


@SQLITE_ONLY
def test_a_name_with_any_private_address_is_refused(guarded: Callable[..., Any]) -> None:
    guard = RecordingGuard(names={"mixed.example.com": [PUBLIC_STAND_IN, "10.1.2.3"]})
    with guarded(guard) as (_svc, api, _):
        response = api.post("/v1/media", json={"url": "http://mixed.example.com/v.mp4"})
        _refused(response, "mixed.example.com resolves to 10.1.2.3, which is a private address")
    assert guard.dials == []


def test_the_connection_is_pinned_to_the_checked_address(videos: VideoFiles) -> None:
    """One lookup per connection (no second one a rebinding DNS could answer differently),
    the dial goes to the address checked, and the Host header stays the URL's."""

    async def main(origin_port: int, redirect_port: int) -> None:
        guard = RecordingGuard(
            names={"cdn.example.com": [PUBLIC_STAND_IN]},
            routes={
                (PUBLIC_STAND_IN, 80): ("127.0.0.1", redirect_port),
                (PUBLIC_STAND_IN, 8080): ("127.0.0.1", origin_port),
            },
        )
        async with fetch("http://cdn.example.com/host", guard) as response:
            assert response.status_code == 200
            assert await response.aread() == b"cdn.example.com"
        assert guard.resolved == ["cdn.example.com"]
        assert guard.dials == [(PUBLIC_STAND_IN, 80)]
        async with fetch("http://cdn.example.com:8080/media/good.mp4", guard) as response:
            body = await response.aread()
        assert body == videos.good.read_bytes()

    with media_origin(videos.good.parent) as media, redirector() as hosts:
        asyncio.run(main(_port(media), _port(hosts)))


def test_https_keeps_the_url_host_for_tls_and_host_header(tmp_path: Path) -> None:
    """Pinned to a checked IP, the TLS handshake still verifies the certificate for the URL's
    host name (sent as SNI), and the Host header is still the URL's."""

    async def main(port: int, context: ssl.SSLContext) -> None:
        guard = RecordingGuard(
            names={"cdn.example.com": [PUBLIC_STAND_IN]},
            routes={(PUBLIC_STAND_IN, 443): ("127.0.0.1", port)},
        )
        async with fetch("https://cdn.example.com/host", guard, ssl_context=context) as response:
            assert await response.aread() == b"cdn.example.com"
        assert guard.dials == [(PUBLIC_STAND_IN, 443)]
        # The same server under another name fails verification: the name, not the IP, counts.
        other = RecordingGuard(
            names={"evil.example.com": [PUBLIC_STAND_IN]},
            routes={(PUBLIC_STAND_IN, 443): ("127.0.0.1", port)},
        )
        with pytest.raises(FetchFailedError, match="CERTIFICATE_VERIFY_FAILED"):
            async with fetch("https://evil.example.com/host", other, ssl_context=context):
                pass

    with tls_origin("cdn.example.com", tmp_path) as (port, context):
        asyncio.run(main(port, context))


@SQLITE_ONLY
def test_redirects_are_followed_at_most_five_times(guarded: Callable[..., Any]) -> None:
    with redirector() as origin:
        with guarded(RecordingGuard(allow_private=True)) as (_svc, api, _):
            response = api.post("/v1/media", json={"url": f"{origin}/loop"})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "url_fetch_failed"
        assert "more than 5 redirects" in error["message"]


@SQLITE_ONLY
def test_unreachable_or_failing_urls_are_fetch_failures(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    with (
        media_origin(videos.good.parent) as origin,
        service_factory() as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        for url, words in (
            (f"{origin}/media/missing.mp4", "HTTP 404"),
            (f"http://127.0.0.1:{port}/v.mp4", "ConnectError"),
            ("ftp://example.com/v.mp4", "only absolute http"),
        ):
            response = api.post("/v1/media", json={"url": url})
            assert response.status_code == 422, response.text
            assert words in response.json()["error"]["message"]
        assert api.get("/v1/media").json()["items"] == []


@SQLITE_ONLY
def test_an_imported_file_over_the_size_cap_is_413(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with (
        media_origin(videos.good.parent) as origin,
        service_factory(max_media_bytes=10_000) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        response = api.post("/v1/media", json={"url": f"{origin}/media/good.mp4"})
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "media_too_large"
        assert api.get("/v1/media").json()["items"] == []


@SQLITE_ONLY
def test_media_by_url_is_the_same_resource_as_an_upload(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with (
        media_origin(videos.good.parent) as origin,
        service_factory() as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        response = api.post("/v1/media", json={"url": f"{origin}/media/good.mp4"})
        assert response.status_code == 201, response.text
        media = response.json()
        assert media["filename"] == "good.mp4"
        assert (media["kind"], media["content_type"]) == ("video", "video/mp4")
        assert media["sha256"] == hashlib.sha256(videos.good.read_bytes()).hexdigest()
        assert media["probe"]["width"] == 720
        bad = api.post("/v1/media", json={"link": "x"})
        assert (bad.status_code, bad.json()["error"]["field"]) == (422, "url")


@SQLITE_ONLY
def test_webhook_urls_are_guarded_at_registration_and_delivery(
    guarded: Callable[..., Any],
) -> None:
    with (
        receiver() as hooks,
        guarded(RecordingGuard(), webhook_retry_delays=[0.05]) as (svc, api, guard),
    ):
        for url, reason in (
            (f"{hooks.url}/hook", "127.0.0.1 is a loopback address"),
            ("http://localhost/hook", "localhost resolves to"),
            ("http://169.254.169.254/hook", "a cloud metadata address"),
        ):
            response = api.post("/v1/webhook-endpoints", json={"url": url})
            _refused(response, reason)
        # A URL that got past registration (a post's own webhook_url) is checked on delivery.
        [delivery_id] = emit(svc, team_id(api), "post.published", {}, [f"{hooks.url}/hook"])
        delivery = wait_for_delivery(api, delivery_id)
        assert delivery["status"] == "failed"
        assert "url not allowed" in delivery["last_error"]
        assert hooks.requests == []
        assert guard.dials == []


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.2", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("fc00::1", "a private address"),
        ("100.64.0.1", "a shared (CGNAT, 100.64.0.0/10) address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("64:ff9b::a00:1", "a private address"),
        ("192.0.2.1", "a private address"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_address_policy(address: str, refused: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == refused


def test_fetch_refuses_before_connecting() -> None:
    async def main() -> None:
        guard = RecordingGuard()
        with pytest.raises(UrlNotAllowedError, match="cloud metadata"):
            async with fetch("http://169.254.169.254/", guard):
                pass
        assert guard.dials == []

    asyncio.run(main())


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@SQLITE_ONLY
def test_malformed_urls_are_refused_not_500(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    """URLs that break a parser only deep inside (an unclosed IPv6 bracket, a bad IDNA label,
    a port past 65535) are 422s in every field that takes a URL, and so is a redirect to one."""
    post = {"account_id": "acct_x", "privacy_level": "SELF_ONLY"}
    with (
        redirector() as origin,
        service_factory() as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        for url in (
            "http://[",
            "http://[::1/v.mp4",
            "http://xn--/v.mp4",
            "http://example.com:99999/v.mp4",
        ):
            for path, body, field in (
                ("/v1/media", {"url": url}, "url"),
                ("/v1/posts", {**post, "video_url": url}, "video_url"),
                ("/v1/posts", {**post, "photos": [url]}, "photos[0]"),
            ):
                response = api.post(path, json=body)
                _refused(response, "the URL is malformed", field)
        hop = str(httpx.URL(f"{origin}/to", params={"url": "http://xn--/v.mp4"}))
        response = api.post("/v1/media", json={"url": hop})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("url_fetch_failed", "url")
        assert "malformed answer or Location" in error["message"]
        assert api.get("/v1/media").json()["items"] == []
