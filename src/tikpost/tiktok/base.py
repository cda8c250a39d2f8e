"""What both TikTok clients share: a base URL and an HTTP client they may or may not own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from tikpost.kit.loop_clients import LoopClients
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


class LoopPool(LoopClients):
    """One pooled TikTok client per event loop (`kit.loop_clients`): the workflow steps' calls
    run on DBOS's loop, and a new client per call cost a TLS context and a handshake each time
    (the profile's largest single item)."""

    def __init__(self, timeout: float = 30.0, event_hooks: EventHooks | None = None) -> None:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
        super().__init__(lambda: new_client(timeout, event_hooks, limits))
