"""What both TikTok clients share: a base URL and an HTTP client they may or may not own."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from tikpost.kit.tls import client_context

# httpx's `event_hooks`: {"request": [...], "response": [...]}, as the host observes calls.
EventHooks = Mapping[str, Sequence[Callable[..., Any]]]


def new_client(
    timeout: float | httpx.Timeout,
    event_hooks: EventHooks | None = None,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncClient:
    """A client for TikTok: a copy of the host's hooks (so it never shares the host's lists),
    the process's one TLS context (`kit.tls`), and httpx's default pool unless `limits`."""
    hooks = {name: list(found) for name, found in (event_hooks or {}).items()}
    if limits is None:
        return httpx.AsyncClient(timeout=timeout, event_hooks=hooks, verify=client_context())
    return httpx.AsyncClient(
        timeout=timeout, event_hooks=hooks, verify=client_context(), limits=limits
    )


class HttpClientOwner:
    """Pass a shared `httpx.AsyncClient` to pool connections across calls; without one the
    client makes its own, with the host's `event_hooks`, and closes it in `aclose` (or on
    leaving `async with`). A shared client carries its own hooks."""

    def __init__(
        self,
        api_url: str,
        http: httpx.AsyncClient | None,
        timeout: float,
        event_hooks: EventHooks | None = None,
    ) -> None:
        self._api_url = api_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or new_client(timeout, event_hooks)
        self._timeout = timeout

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()


class LoopPool:
    """One pooled `httpx.AsyncClient` per event loop, made on first use in that loop.

    A client's connections belong to the loop that opened them, so a process whose TikTok
    calls run on a loop it does not own (DBOS's, for workflow steps) cannot be handed one client
    up front; a new client per call, though, costs a TLS context and a handshake each time (the
    profile's largest single item). Keyed weakly: a loop that is gone takes its client along.
    """

    def __init__(self, timeout: float = 30.0, event_hooks: EventHooks | None = None) -> None:
        self._timeout = timeout
        self._hooks = event_hooks
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None or found.is_closed:
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
            found = new_client(self._timeout, self._hooks, limits)
            self._clients[loop] = found
        return found

    async def aclose(self) -> None:
        """Close this loop's client (the others close with their loops)."""
        found = self._clients.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.aclose()
