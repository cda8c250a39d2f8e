"""Every outbound client shares one TLS context: certifi's bundle is loaded once per process."""

from __future__ import annotations

import asyncio
import ssl

import httpx

from tikpost.kit.safe_fetch import GuardedTransport
from tikpost.kit.tls import client_context
from tikpost.kit.url_guard import UrlGuard
from tikpost.tiktok.base import HttpClientOwner, LoopPool


def context_of(client: httpx.AsyncClient) -> ssl.SSLContext | None:
    transport = client._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return transport._pool._ssl_context


def test_one_context_verifies_with_the_default_trust() -> None:
    context = client_context()
    assert context is client_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


def test_tiktok_clients_and_url_fetches_share_it() -> None:
    async def made() -> list[ssl.SSLContext | None]:
        owner = HttpClientOwner("https://open.tiktokapis.com", None, timeout=5)
        pool = LoopPool()
        guarded = GuardedTransport(UrlGuard())
        try:
            return [context_of(owner._http), context_of(pool.client()), guarded._pool._ssl_context]
        finally:
            await owner.aclose()
            await pool.aclose()
            await guarded.aclose()

    assert all(found is client_context() for found in asyncio.run(made()))
