"""Serve an ASGI app on a real loopback socket in a background thread.

Tests talk to the sandbox and the service over HTTP, as users do; this keeps each server on an
ephemeral port so tests never collide and never need a fixed port.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

# Past the service's shutdown grace (30 s of drain) plus DBOS's own stop, on a loaded machine.
STOP_TIMEOUT_SEC = 90


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", **config: Any) -> Iterator[str]:
    """Run `app` until the block ends; yields its base URL (no trailing slash).

    `config` goes to uvicorn; `ssl_certfile` and `ssl_keyfile` make it HTTPS."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2, **config
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"{'https' if 'ssl_certfile' in config else 'http'}://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT_SEC)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"test server did not stop within {STOP_TIMEOUT_SEC} s")
