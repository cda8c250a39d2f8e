"""Test seams for the SSRF guard: a connection-counting listener and a recording guard.

No test traffic may leave loopback. Addresses such as 10.0.0.1 and 169.254.169.254 are refused
before any connect, and `RecordingGuard` proves it: every dial the guard would make is recorded
(and a public stand-in address is re-routed to a local server, so nothing is sent elsewhere).
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.server import serve_in_thread
from tikpost.kit.safe_fetch import UrlGuard

# A public address the fake resolver hands out; `RecordingGuard` never dials it for real.
PUBLIC_STAND_IN = "93.184.215.14"


@dataclass
class Listener:
    """A plain TCP server that only counts the connections it accepts."""

    port: int = 0
    accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def listener(family: socket.AddressFamily = socket.AF_INET) -> Iterator[Listener]:
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, 0))
    server.listen(16)
    server.settimeout(0.05)
    state = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with state.lock:
                state.accepted += 1
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def ipv6_loopback_available() -> bool:
    with suppress(OSError), socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.bind(("::1", 0))
        return True
    return False


class RecordingGuard(UrlGuard):
    """The real guard, with a fake DNS for chosen names and every dial recorded.

    `names` answers for those host names instead of the system resolver; `routes` re-routes a
    checked (ip, port) to a local server. A dial to anything not routed and not on loopback is
    refused here, so a bug can never send test traffic off the machine.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        names: dict[str, list[str]] | None = None,
        routes: dict[tuple[str, int], tuple[str, int]] | None = None,
    ) -> None:
        super().__init__(allow_private=allow_private)
        self.names = names or {}
        self.routes = routes or {}
        self.resolved: list[str] = []
        self.dials: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.resolved.append(host)
        if host in self.names:
            return self.names[host]
        return await super().resolve(host, port)

    def dial_address(self, ip: str, port: int) -> tuple[str, int]:
        self.dials.append((ip, port))
        if (ip, port) in self.routes:
            return self.routes[ip, port]
        if ip not in ("127.0.0.1", "::1"):
            raise AssertionError(f"test tried to connect to {ip}:{port}")
        return ip, port


@contextmanager
def redirector() -> Iterator[str]:
    """`/to?url=U` answers 302 to U; `/loop` redirects to itself; `/host` echoes Host."""

    async def to(request: Request) -> Response:
        return RedirectResponse(request.query_params["url"], status_code=302)

    async def loop(request: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    async def host(request: Request) -> Response:
        return PlainTextResponse(request.headers.get("host", ""))

    app = Starlette(routes=[Route("/to", to), Route("/loop", loop), Route("/host", host)])
    with serve_in_thread(app) as url:
        yield url


@contextmanager
def tls_origin(hostname: str, directory: Path) -> Iterator[tuple[int, ssl.SSLContext]]:
    """An HTTPS server on loopback whose self-signed certificate names only `hostname`;
    `/host` echoes the Host header. Yields its port and a client context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    async def host(request: Request) -> Response:
        return PlainTextResponse(request.headers.get("host", ""))

    app = Starlette(routes=[Route("/host", host)])
    with serve_in_thread(app, ssl_certfile=str(certfile), ssl_keyfile=str(keyfile)) as url:
        yield int(url.rsplit(":", 1)[1]), ssl.create_default_context(cafile=str(certfile))
