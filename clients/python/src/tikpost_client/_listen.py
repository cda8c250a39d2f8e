"""`client.webhook_endpoints.listen()`: a receiver on this machine, for scripts and local work.

A script that posts and wants to see its webhook arrive would otherwise write an HTTP server
first (a dozen lines before its own). This one runs in a thread on loopback, verifies every
delivery with `webhooks.unwrap` (a forged one is answered 400 and never queued) and hands the
events out in arrival order. The server must be allowed to call private addresses
(`TIKPOST_ALLOW_PRIVATE_URLS=true`), as it is in the sandbox set-ups; in production, receive
webhooks on a public HTTPS endpoint instead.
"""

from __future__ import annotations

import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tikpost_client._errors import WebhookVerificationError
from tikpost_client._webhooks import WebhookEvent, Webhooks


class WebhookListener:
    """Use in a `with` block; `url` is the `webhook_url` to give a post."""

    def __init__(self, secret: str, host: str = "127.0.0.1", port: int = 0) -> None:
        events: queue.Queue[WebhookEvent] = queue.Queue()
        unwrap = Webhooks().unwrap

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    events.put(unwrap(body, dict(self.headers.items()), secret))
                except WebhookVerificationError:
                    self.send_response(400)
                else:
                    self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: a script's output is its own."""

        self._events = events
        self._server = ThreadingHTTPServer((host, port), Receiver)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://{host}:{self._server.server_port}/"

    def next(self, timeout: float | None = 60.0) -> WebhookEvent:
        """The next verified event; `queue.Empty` if none arrives within `timeout` seconds."""
        return self._events.get(timeout=timeout)

    def __enter__(self) -> WebhookListener:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
