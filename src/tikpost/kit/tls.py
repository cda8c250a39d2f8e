"""The process's one TLS client context.

Loading certifi's CA bundle is the costly part of a TLS context (about 0.13 s of CPU here,
measured in `create_app`, where it was most of the time), and httpx makes a fresh one for every
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
