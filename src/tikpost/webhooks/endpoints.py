"""HTTP routes for webhook endpoints and the delivery log (thin: the service has the rules)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tikpost.deps import CurrentTeam, SessionDep, SettingsDep, UrlGuardDep
from tikpost.kit.safe_fetch import require_allowed
from tikpost.settings import Settings
from tikpost.webhooks import service
from tikpost.webhooks.models import DeliveryStatus
from tikpost.webhooks.schemas import (
    DefaultSecret,
    DeliveryDetail,
    DeliveryList,
    EndpointCreate,
    EndpointCreated,
    EndpointList,
    EndpointRead,
)

router = APIRouter(prefix="/v1", tags=["webhooks"])


def _secret_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


@router.post("/webhook-endpoints", status_code=201, response_model=EndpointCreated)
async def create_webhook_endpoint(
    body: EndpointCreate,
    team: CurrentTeam,
    session: SessionDep,
    settings: SettingsDep,
    guard: UrlGuardDep,
) -> EndpointCreated:
    """Register a team-wide receiver. The response holds its `whsec_…` signing secret, shown
    this once (stored encrypted, never returned again): verify deliveries with it.

    A URL leading to a loopback, private, link-local or metadata address is refused (422
    `url_not_allowed`) unless TIKPOST_ALLOW_PRIVATE_URLS is set; deliveries are checked again."""
    await require_allowed(body.url, guard, "url")
    return await service.create_endpoint(session, _secret_key(settings), team.id, body)


@router.get("/webhook-endpoints", response_model=EndpointList)
async def list_webhook_endpoints(team: CurrentTeam, session: SessionDep) -> EndpointList:
    """The team's endpoints, oldest first, without secrets."""
    return EndpointList(items=await service.list_endpoints(session, team.id))


@router.get("/webhook-endpoints/default-secret", response_model=DefaultSecret)
async def get_default_webhook_secret(team: CurrentTeam, settings: SettingsDep) -> DefaultSecret:
    """The secret that signs deliveries to a post's own `webhook_url` (endpoints have their
    own). One per team, derived from the server's secret key, so it can be read again at any
    time with the team's API key; it changes only if the server's secret key does."""
    return DefaultSecret(secret=service.default_secret(_secret_key(settings), team.id))


@router.get("/webhook-endpoints/{endpoint_id}", response_model=EndpointRead)
async def get_webhook_endpoint(
    endpoint_id: str, team: CurrentTeam, session: SessionDep
) -> EndpointRead:
    return await service.get_endpoint(session, team.id, endpoint_id)


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=204)
async def delete_webhook_endpoint(
    endpoint_id: str, team: CurrentTeam, session: SessionDep
) -> Response:
    """Stop sending to this endpoint; its delivery log stays readable."""
    await service.delete_endpoint(session, team.id, endpoint_id)
    return Response(status_code=204)


@router.get("/webhook-deliveries", response_model=DeliveryList)
async def list_webhook_deliveries(
    team: CurrentTeam,
    session: SessionDep,
    endpoint_id: str | None = None,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = service.DEFAULT_LIST_LIMIT,
) -> DeliveryList:
    """The delivery log, newest first; per-post `webhook_url` deliveries have no endpoint_id."""
    deliveries = await service.list_deliveries(
        session, team.id, endpoint_id=endpoint_id, status=status, limit=limit
    )
    return DeliveryList(items=deliveries)


@router.get("/webhook-deliveries/{delivery_id}", response_model=DeliveryDetail)
async def get_webhook_delivery(
    delivery_id: str, team: CurrentTeam, session: SessionDep
) -> DeliveryDetail:
    """One delivery with every attempt: status code, error and time of each request."""
    return await service.get_delivery(session, team.id, delivery_id)
