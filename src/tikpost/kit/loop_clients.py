"""One pooled `httpx.AsyncClient` per event loop, made on first use in that loop.

A client's connections belong to the loop that opened them, so a process whose calls run on
a loop it does not own (DBOS's, for workflow steps) cannot be handed one client up front; a
new client per call, though, opens a new connection (and, for TLS, a handshake) every time.
Keyed weakly: a loop that is gone takes its client along.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable

import httpx


class LoopClients:
    """`client()` is this loop's client, made by `make` the first time (or after a close)."""

    def __init__(self, make: Callable[[], httpx.AsyncClient]) -> None:
        self._make = make
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        found = self._clients.get(loop)
        if found is None or found.is_closed:
            found = self._make()
            self._clients[loop] = found
        return found

    async def aclose(self) -> None:
        """Close this loop's client (the others close with their loops)."""
        found = self._clients.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.aclose()
