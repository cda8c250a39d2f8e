"""`client.webhook_endpoints` and `client.webhook_deliveries`: where events go, what was sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tikpost_client._base import Call, model, nothing, query, seg
from tikpost_client._listen import WebhookListener
from tikpost_client._models import (
    DefaultSecret,
    DeliveryDetail,
    DeliveryList,
    DeliveryRead,
    EndpointCreated,
    EndpointList,
    EndpointRead,
)

if TYPE_CHECKING:
    from tikpost_client._transport import AsyncTransport, SyncTransport

ENDPOINTS = "/v1/webhook-endpoints"
DELIVERIES = "/v1/webhook-deliveries"


def _create(
    url: str, events: Sequence[str] | None, description: str | None
) -> Call[EndpointCreated]:
    body = query(
        url=url, events=list(events) if events is not None else None, description=description
    )
    return Call("POST", ENDPOINTS, model(EndpointCreated), json=body)


def _list() -> Call[EndpointList]:
    return Call("GET", ENDPOINTS, model(EndpointList))


def _get(endpoint_id: str) -> Call[EndpointRead]:
    return Call("GET", f"{ENDPOINTS}/{seg(endpoint_id)}", model(EndpointRead))


def _delete(endpoint_id: str) -> Call[None]:
    return Call("DELETE", f"{ENDPOINTS}/{seg(endpoint_id)}", nothing)


def _default_secret() -> Call[DefaultSecret]:
    return Call("GET", f"{ENDPOINTS}/default-secret", model(DefaultSecret))


def _deliveries(
    endpoint_id: str | None, status: str | None, limit: int | None
) -> Call[DeliveryList]:
    params = query(endpoint_id=endpoint_id, status=status, limit=limit)
    return Call("GET", DELIVERIES, model(DeliveryList), params=params)


def _delivery(delivery_id: str) -> Call[DeliveryDetail]:
    return Call("GET", f"{DELIVERIES}/{seg(delivery_id)}", model(DeliveryDetail))


class WebhookEndpoints:
    def __init__(self, transport: SyncTransport) -> None:
        self._send = transport.send

    def create(
        self, url: str, *, events: Sequence[str] | None = None, description: str | None = None
    ) -> EndpointCreated:
        """A team-wide receiver; the answer's `.secret` is shown this once: store it."""
        return self._send(_create(url, events, description))

    def list(self) -> list[EndpointRead]:
        return self._send(_list()).items

    def get(self, endpoint_id: str) -> EndpointRead:
        return self._send(_get(endpoint_id))

    def delete(self, endpoint_id: str) -> None:
        self._send(_delete(endpoint_id))

    def default_secret(self) -> str:
        """The secret that signs deliveries to a post's own `webhook_url`."""
        return self._send(_default_secret()).secret

    def listen(self, host: str = "127.0.0.1", port: int = 0) -> WebhookListener:
        """A local receiver of the deliveries to a post's own `webhook_url` (verified with
        the default secret): `with client.webhook_endpoints.listen() as hook:` then
        `webhook_url=hook.url` and `hook.next()`."""
        return WebhookListener(self.default_secret(), host, port)


class WebhookDeliveries:
    def __init__(self, transport: SyncTransport) -> None:
        self._send = transport.send

    def list(
        self,
        *,
        endpoint_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[DeliveryRead]:
        """The latest deliveries (the server keeps no cursor for them), newest first."""
        return self._send(_deliveries(endpoint_id, status, limit)).items

    def get(self, delivery_id: str) -> DeliveryDetail:
        """One delivery with each attempt's outcome."""
        return self._send(_delivery(delivery_id))


class AsyncWebhookEndpoints:
    def __init__(self, transport: AsyncTransport) -> None:
        self._send = transport.send

    async def create(
        self, url: str, *, events: Sequence[str] | None = None, description: str | None = None
    ) -> EndpointCreated:
        return await self._send(_create(url, events, description))

    async def list(self) -> list[EndpointRead]:
        return (await self._send(_list())).items

    async def get(self, endpoint_id: str) -> EndpointRead:
        return await self._send(_get(endpoint_id))

    async def delete(self, endpoint_id: str) -> None:
        await self._send(_delete(endpoint_id))

    async def default_secret(self) -> str:
        return (await self._send(_default_secret())).secret


class AsyncWebhookDeliveries:
    def __init__(self, transport: AsyncTransport) -> None:
        self._send = transport.send

    async def list(
        self,
        *,
        endpoint_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[DeliveryRead]:
        return (await self._send(_deliveries(endpoint_id, status, limit))).items

    async def get(self, delivery_id: str) -> DeliveryDetail:
        return await self._send(_delivery(delivery_id))
