"""Serve an ASGI app on a real loopback socket in a background thread.

Tests talk to the sandbox and the service over HTTP, as users do; this keeps each server on an
ephemeral port so tests never collide and never need a fixed port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

# Past the service's shutdown grace (30 s of drain) plus DBOS's own stop, on a loaded machine.
STOP_TIMEOUT_SEC = 90
START_TIMEOUT_SEC = 30
# How often a stopping server looks whether its connections have closed.
CONNECTIONS_POLL_SEC = 0.005


class PromptServer(uvicorn.Server):
    """uvicorn's server, stopping the moment it is asked to.

    uvicorn looks at `should_exit` once every 0.1 s, then sleeps 0.1 s more for its
    connections to see their shutdown, then waits for them in further 0.1 s steps: about
    0.2 s of every server stop, and the suite stops hundreds of servers. The shutdown is
    uvicorn's own but for those sleeps; a real `tikpost serve` keeps uvicorn's.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken: asyncio.Event | None = None

    def stop(self) -> None:
        """Ask it to stop, from any thread; `serve_on` then waits for the thread.

        `should_exit` is set before the loop is looked at: a stop that finds no loop yet is
        seen by the main loop's first `on_tick`, which runs after the loop is recorded."""
        self.should_exit = True
        loop, woken = self._loop, self._woken
        if loop is not None and woken is not None:
            with contextlib.suppress(RuntimeError):  # its loop has ended already
                loop.call_soon_threadsafe(woken.set)

    async def main_loop(self) -> None:
        self._loop, self._woken = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                while self.server_state.connections or self.server_state.tasks:
                    await asyncio.sleep(CONNECTIONS_POLL_SEC)
        except TimeoutError:
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


@contextmanager
def serve_on(sock: socket.socket, app: Any, **config: Any) -> Iterator[None]:
    """Run `app` on the bound socket `sock` until the block ends (and it has stopped).

    `config` goes to uvicorn. A failed start raises here, pointing at the log above."""
    server = PromptServer(
        uvicorn.Config(
            app,
            **{"log_level": "warning", "lifespan": "on", "timeout_graceful_shutdown": 2, **config},
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SEC
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("test server did not start (see the log above)")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.stop()
        thread.join(timeout=STOP_TIMEOUT_SEC)
        if thread.is_alive():
            raise RuntimeError(f"test server did not stop within {STOP_TIMEOUT_SEC} s")


def bound_socket(host: str = "127.0.0.1") -> socket.socket:
    """A listening-ready socket on an ephemeral port: bound first, so an app can know its own
    URL before it is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", **config: Any) -> Iterator[str]:
    """Run `app` until the block ends; yields its base URL (no trailing slash).

    `config` goes to uvicorn; `ssl_certfile` and `ssl_keyfile` make it HTTPS."""
    with bound_socket(host) as sock, serve_on(sock, app, **config):
        port = sock.getsockname()[1]
        yield f"{'https' if 'ssl_certfile' in config else 'http'}://{host}:{port}"
