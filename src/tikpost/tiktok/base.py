"""What both TikTok clients share: a base URL and an HTTP client they may or may not own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

# httpx's `event_hooks`: {"request": [...], "response": [...]}, as the host observes calls.
EventHooks = Mapping[str, Sequence[Callable[..., Any]]]


def hooks_for_httpx(hooks: EventHooks | None) -> dict[str, list[Callable[..., Any]]]:
    """A copy in the shape httpx wants, so a client never shares the host's lists."""
    return {name: list(found) for name, found in (hooks or {}).items()}


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
        self._http = http or httpx.AsyncClient(
            timeout=timeout, event_hooks=hooks_for_httpx(event_hooks)
        )
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
