"""What both TikTok clients share: a base URL and an HTTP client they may or may not own."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import httpx


def event_hooks() -> dict[str, list[Any]]:
    """Observers the host application installed (tikpost's metrics); none by default, so the
    client stays usable on its own."""
    return {name: list(hooks) for name, hooks in EVENT_HOOKS.items()}


# Filled by the application at start-up: {"request": [...], "response": [...]}.
EVENT_HOOKS: dict[str, list[Any]] = {"request": [], "response": []}


class HttpClientOwner:
    """Pass a shared `httpx.AsyncClient` to pool connections across calls; without one the
    client makes its own and closes it in `aclose` (or on leaving `async with`)."""

    def __init__(self, api_url: str, http: httpx.AsyncClient | None, timeout: float) -> None:
        self._api_url = api_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout, event_hooks=event_hooks())
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
