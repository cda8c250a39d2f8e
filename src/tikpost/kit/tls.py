"""The process's one TLS client context.

Loading certifi's CA bundle is the costly part of a TLS context (31 ms of CPU on a quiet
machine, 51-55 ms under load: bench/tls_context.py), and httpx makes a fresh one for every
client it builds: each webhook delivery and each URL import paid it, as did every app. One
context serves every client and thread (httpcore only sets the same ALPN list on it per
connection), so it is made once, on first use, from the environment as httpx would read it
(`SSL_CERT_FILE`, `SSL_CERT_DIR`).
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def client_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
