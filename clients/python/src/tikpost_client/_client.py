"""`Tikpost` and `AsyncTikpost`: one API key, one connection pool, every resource on it."""

from __future__ import annotations

from types import TracebackType

import httpx

from tikpost_client._base import DEFAULT_MAX_RETRIES, Options
from tikpost_client._transport import AsyncTransport, SyncTransport
from tikpost_client._webhooks import Webhooks
from tikpost_client.resources.accounts import Accounts, AsyncAccounts
from tikpost_client.resources.media import AsyncMedia, Media
from tikpost_client.resources.posts import AsyncPosts, Posts
from tikpost_client.resources.webhook_endpoints import (
    AsyncWebhookDeliveries,
    AsyncWebhookEndpoints,
    WebhookDeliveries,
    WebhookEndpoints,
)


class Tikpost:
    """A tikpost service's /v1 API. `api_key` defaults to TIKPOST_API_KEY, `base_url` to
    TIKPOST_URL (else http://127.0.0.1:8000). Use it as a context manager, or `close()` it,
    to release its pooled connections; pass `http_client` to bring your own (proxies, TLS: the
    SDK sets its base URL and key header, and closes it with the client)."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        options = Options.resolve(api_key, base_url, max_retries, timeout)
        self._transport = SyncTransport(options, http_client)
        self.base_url = options.base_url
        self.accounts = Accounts(self._transport)
        self.media = Media(self._transport)
        self.posts = Posts(self._transport)
        self.webhook_endpoints = WebhookEndpoints(self._transport)
        self.webhook_deliveries = WebhookDeliveries(self._transport)
        self.webhooks = Webhooks()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Tikpost:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class AsyncTikpost:
    """`Tikpost` for asyncio: the same resources, their calls awaited, lists `async for`."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        options = Options.resolve(api_key, base_url, max_retries, timeout)
        self._transport = AsyncTransport(options, http_client)
        self.base_url = options.base_url
        self.accounts = AsyncAccounts(self._transport)
        self.media = AsyncMedia(self._transport)
        self.posts = AsyncPosts(self._transport)
        self.webhook_endpoints = AsyncWebhookEndpoints(self._transport)
        self.webhook_deliveries = AsyncWebhookDeliveries(self._transport)
        self.webhooks = Webhooks()

    async def close(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncTikpost:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()
