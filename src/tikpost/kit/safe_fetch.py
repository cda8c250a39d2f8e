"""Outgoing HTTP to URLs that users give us, without letting them aim it at our own network.

A video URL or a webhook URL is chosen by a client, yet fetched from inside our network: pointed
at 127.0.0.1, 10.x, or the cloud metadata service, a plain HTTP client would read (or POST to)
what only we can reach (SSRF). Here every connection is made by `GuardedBackend`, which resolves
the host itself, refuses the whole name if any of its addresses is non-public, and then connects
to one of exactly those checked addresses. There is no second DNS lookup for the socket, so a
name that answers "public" to the check and "private" to the connect (DNS rebinding) gains
nothing. TLS still verifies and sends SNI for the URL's host name, and the Host header is the
URL's, because only the TCP dial is pinned; httpcore does the rest as usual.

Redirects are followed by `fetch` one hop at a time (at most `MAX_REDIRECTS`), each hop's new
connection passing through the same check.

Why not `httpx-secure` (DESIGN.md prefers a well-kept library)? Version 2.0.0 picks the address
by opening a TCP "probe" connection to the host name before validating the address it reached:
a URL naming an internal host makes us connect to it, a port-scan oracle, and exactly what the
tests forbid (no connection may reach a refused target). It also patches private httpx/httpcore
attributes. This module uses only httpcore's public network-backend API.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore
import httpx

from tikpost.kit.tls import client_context
from tikpost.kit.url_guard import (
    UrlGuard,
    UrlNotAllowedError,
    address_refusal,
    check_scheme,
    check_url,
    require_allowed,
)

__all__ = [
    "MAX_REDIRECTS",
    "FetchFailedError",
    "FetchLimits",
    "GuardedBackend",
    "GuardedTransport",
    "UrlGuard",
    "UrlNotAllowedError",
    "address_refusal",
    "check_scheme",
    "check_url",
    "fetch",
    "guarded_client",
    "require_allowed",
]

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchFailedError(Exception):
    """The URL was allowed but gave us nothing usable (unreachable, timeout, redirect loop)."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer with the guard in front: resolve, check, dial the checked IP."""

    def __init__(self, guard: UrlGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore API)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                addresses = await self._guard.admit(host, port)
                failure: Exception = httpcore.ConnectError(f"cannot connect to {host}")
                for ip in addresses:
                    dial_ip, dial_port = self._guard.dial_address(ip, port)
                    try:
                        return await self._inner.connect_tcp(
                            dial_ip,
                            dial_port,
                            local_address=local_address,
                            socket_options=socket_options,
                        )
                    except (httpcore.ConnectError, OSError) as exc:
                        failure = exc
                raise failure
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"connecting to {host} timed out") from None

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore API)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UrlNotAllowedError(path, "unix sockets are never reachable from user URLs")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore's exceptions as the httpx ones callers catch; subclasses before their bases.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.RequestError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _EXCEPTIONS:
            if isinstance(exc, core):
                raise mapped(str(exc) or type(exc).__name__, request=request) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        with _mapped(self._request):
            await self._stream.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose every new connection passes the guard (HTTP/1.1, no proxy).

    A kept-alive connection is reused without a second check: it leads to the address that
    was checked when it was opened, whatever the name resolves to now."""

    def __init__(
        self,
        guard: UrlGuard,
        ssl_context: ssl.SSLContext | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or client_context(),
            network_backend=GuardedBackend(guard),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise UrlNotAllowedError(str(request.url), "only http:// and https:// URLs")
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped(request):
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream, request),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


@dataclass(frozen=True)
class FetchLimits:
    """Deadlines for one fetch: per connect, per read (a stalled server), and the whole body."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 1800.0
    max_redirects: int = MAX_REDIRECTS


def guarded_client(
    guard: UrlGuard,
    timeout: httpx.Timeout | float,
    ssl_context: ssl.SSLContext | None = None,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient for user-given URLs. It never follows redirects by itself (a redirect
    is a new destination that must be judged) and ignores proxy environment variables.
    `ssl_context` replaces the default (certifi) trust, for private CAs; `limits`, httpx's
    default pool (10 connections), for a client many tasks share."""
    return httpx.AsyncClient(
        transport=GuardedTransport(guard, ssl_context, limits),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )


@asynccontextmanager
async def fetch(
    url: str,
    guard: UrlGuard,
    limits: FetchLimits | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[httpx.Response]:
    """GET `url`, following up to `max_redirects` redirects by hand; yields the final response
    with its body unread (any status: the caller decides), all within `total_timeout`.

    Raises `UrlNotAllowedError` for a refused URL or hop and `FetchFailedError` for the rest.
    """
    limits = limits or FetchLimits()
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    current = check_scheme(url)
    try:
        with anyio.fail_after(limits.total_timeout):
            async with guarded_client(guard, timeout, ssl_context) as client:
                for _ in range(limits.max_redirects + 1):
                    request = client.build_request(
                        "GET", current, headers={"accept-encoding": "identity"}
                    )
                    try:
                        response = await client.send(request, stream=True)
                    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
                        # httpx resolves a redirect's Location inside `send` (for
                        # `next_request`, followed or not): a hostile one raises here.
                        raise FetchFailedError(f"malformed answer or Location ({exc})") from None
                    location = response.headers.get("location")
                    if response.status_code not in REDIRECT_STATUSES or not location:
                        try:
                            yield response
                        finally:
                            await response.aclose()
                        return
                    await response.aclose()
                    current = check_scheme(str(current.join(location)))
                raise FetchFailedError(f"more than {limits.max_redirects} redirects")
    except TimeoutError:
        raise FetchFailedError(f"not fetched within {limits.total_timeout:g} s") from None
    except httpx.TimeoutException as exc:
        raise FetchFailedError(f"timed out ({type(exc).__name__})") from None
    except UrlNotAllowedError:
        raise
    except httpx.HTTPError as exc:
        raise FetchFailedError(f"{type(exc).__name__}: {exc}") from None
