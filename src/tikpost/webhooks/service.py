"""Rules for webhooks: endpoints and their secrets, emitting events, recording attempts.

Services never commit. `emit` only writes delivery rows into the caller's unit of work; the
caller commits, then hands the returned ids to `workflow.start_deliveries`, which runs one
durable workflow per delivery. Sending before the commit could announce a post that then
failed to commit; the ids being the workflow ids makes a second start harmless.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.crypto import TokenCipher, derive_key
from tikpost.kit.db import utcnow
from tikpost.kit.errors import ApiError
from tikpost.kit.ids import new_id
from tikpost.webhooks import repository
from tikpost.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tikpost.webhooks.schemas import (
    EVENT_TYPES,
    AttemptRead,
    DeliveryDetail,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointRead,
    check_webhook_url,
)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MAX_ERROR_LENGTH = 500
DEFAULT_LIST_LIMIT = 100


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def default_secret(secret_key: str, team_id: str) -> str:
    """The team's secret for per-post `webhook_url` deliveries, derived rather than stored.

    Deriving needs no row, no first-use race and no migration of existing teams; the price is
    that it changes only with the service's secret key (which also re-keys stored tokens).
    """
    key = derive_key(secret_key, f"tikpost/webhooks/default-secret/v1/{team_id}", SECRET_BYTES)
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def _not_found(endpoint_id: str) -> ApiError:
    return ApiError(404, "webhook_endpoint_not_found", f"no webhook endpoint {endpoint_id}", "id")


async def create_endpoint(
    session: AsyncSession, secret_key: str, team_id: str, body: EndpointCreate
) -> EndpointCreated:
    secret = new_secret()
    endpoint = await repository.add_endpoint(
        session,
        WebhookEndpoint(
            team_id=team_id,
            url=body.url,
            description=body.description,
            events=list(dict.fromkeys(body.events)),
            secret_encrypted=TokenCipher(secret_key).encrypt(secret),
        ),
    )
    read = EndpointRead.model_validate(endpoint)
    return EndpointCreated(**read.model_dump(), secret=secret)


async def list_endpoints(session: AsyncSession, team_id: str) -> list[EndpointRead]:
    endpoints = await repository.list_endpoints(session, team_id)
    return [EndpointRead.model_validate(endpoint) for endpoint in endpoints]


async def get_endpoint(session: AsyncSession, team_id: str, endpoint_id: str) -> EndpointRead:
    endpoint = await repository.get_endpoint(session, team_id, endpoint_id)
    if endpoint is None:
        raise _not_found(endpoint_id)
    return EndpointRead.model_validate(endpoint)


async def delete_endpoint(session: AsyncSession, team_id: str, endpoint_id: str) -> None:
    """Stop sending to it; its pending deliveries end `failed` at their next attempt."""
    endpoint = await repository.get_endpoint(session, team_id, endpoint_id)
    if endpoint is None:
        raise _not_found(endpoint_id)
    await repository.mark_endpoint_deleted(session, endpoint, utcnow())


def event_payload(event_type: str, data: Mapping[str, Any]) -> str:
    """The body: `{"type", "timestamp" (RFC 3339, UTC), "data"}`, serialised once and kept."""
    timestamp = utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(
        {"type": event_type, "timestamp": timestamp, "data": dict(data)}, separators=(",", ":")
    )


async def emit(
    session: AsyncSession,
    team_id: str,
    event_type: str,
    data: Mapping[str, Any],
    extra_urls: Sequence[str] = (),
) -> list[str]:
    """Record one delivery per target of this event; returns their ids (nothing is sent yet).

    Targets: the team's live endpoints subscribed to `event_type`, plus `extra_urls` (a post's
    own `webhook_url`), which are signed with the team's `default_secret`. Commit, then pass
    the ids to `tikpost.webhooks.workflow.start_deliveries`.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    payload = event_payload(event_type, data)
    event_id = new_id("msg")
    targets: list[tuple[str | None, str]] = [
        (endpoint.id, endpoint.url)
        for endpoint in await repository.list_endpoints(session, team_id)
        if not endpoint.events or event_type in endpoint.events
    ]
    targets += [(None, check_webhook_url(url)) for url in dict.fromkeys(extra_urls)]
    deliveries = [
        WebhookDelivery(
            id=new_id("whd"),
            team_id=team_id,
            endpoint_id=endpoint_id,
            url=url,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
        )
        for endpoint_id, url in targets
    ]
    await repository.add_deliveries(session, deliveries)
    return [delivery.id for delivery in deliveries]


async def emit_shaped(
    session: AsyncSession, team_id: str, event_type: str, url: str, body: Mapping[str, Any]
) -> str:
    """One delivery of `body` as it is (a compat vendor's own payload shape) to `url`; signed
    with the team's `default_secret` and retried like any delivery. Returns its id."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    delivery = WebhookDelivery(
        id=new_id("whd"),
        team_id=team_id,
        endpoint_id=None,
        url=check_webhook_url(url),
        event_id=new_id("msg"),
        event_type=event_type,
        payload=json.dumps(dict(body), separators=(",", ":")),
    )
    await repository.add_deliveries(session, [delivery])
    return delivery.id


async def pending_delivery_ids(session: AsyncSession) -> list[str]:
    return await repository.list_pending_delivery_ids(session)


@dataclass(frozen=True)
class AttemptPlan:
    """Everything one attempt needs, read fresh each time (never stored in DBOS's database)."""

    url: str
    event_id: str
    payload: str
    secret: str


async def prepare_attempt(
    session: AsyncSession, secret_key: str, delivery_id: str
) -> AttemptPlan | str | None:
    """What to send; the delivery's final status if there is nothing (left) to send; None if
    its endpoint was deleted meanwhile (end it with `end_for_deleted_endpoint`).

    It only reads, so it needs no write session: `record_attempt` locks the row and checks
    again that the delivery is still pending before it logs anything."""
    delivery = await repository.get_delivery(session, delivery_id)
    if delivery is None:
        return "failed"
    if delivery.status != "pending":
        return delivery.status
    if delivery.endpoint_id is None:
        secret = default_secret(secret_key, delivery.team_id)
    else:
        endpoint = await repository.get_endpoint_any(session, delivery.endpoint_id)
        if endpoint is None or endpoint.deleted_at is not None:
            return None
        secret = TokenCipher(secret_key).decrypt(endpoint.secret_encrypted)
    return AttemptPlan(delivery.url, delivery.event_id, delivery.payload, secret)


async def _lock_pending(session: AsyncSession, delivery_id: str) -> WebhookDelivery | str:
    """The delivery's row, locked, while it is pending; else its final status (`failed` for
    one deleted)."""
    delivery = await repository.lock_delivery(session, delivery_id)
    if delivery is None or delivery.status != "pending":
        return "failed" if delivery is None else delivery.status
    return delivery


async def end_for_deleted_endpoint(session: AsyncSession, delivery_id: str) -> str:
    """A delivery whose endpoint was deleted ends `failed`, without a request."""
    delivery = await _lock_pending(session, delivery_id)
    if isinstance(delivery, str):
        return delivery
    _finish(delivery, "failed", "endpoint deleted")
    await session.flush()
    return delivery.status


def _finish(delivery: WebhookDelivery, status: str, error: str | None) -> None:
    delivery.status = status
    delivery.completed_at = utcnow()
    delivery.next_attempt_at = None
    if error is not None:
        delivery.last_error = error


async def record_attempt(
    session: AsyncSession,
    delivery_id: str,
    *,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    retry_in: float | None,
) -> str:
    """Log one request and move the delivery on; returns its status afterwards.

    2xx succeeds. Otherwise the delivery waits `retry_in` seconds for the next attempt, or
    fails when the schedule is spent (`retry_in` None).
    """
    delivery = await _lock_pending(session, delivery_id)
    if isinstance(delivery, str):
        return delivery
    # The row's count moves in the same transaction as each attempt's log line, so a step
    # repeated after a crash still logs the extra request it really made.
    number = delivery.attempt_count + 1
    error = error[:MAX_ERROR_LENGTH] if error else None
    await repository.add_attempt(
        session,
        WebhookAttempt(
            delivery_id=delivery_id,
            number=number,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        ),
    )
    delivery.attempt_count = number
    delivery.last_status_code = status_code
    delivery.last_error = error
    if status_code is not None and 200 <= status_code < 300:
        _finish(delivery, "succeeded", None)
    elif retry_in is None:
        _finish(delivery, "failed", None)
    else:
        delivery.next_attempt_at = utcnow() + timedelta(seconds=retry_in)
    await session.flush()
    return delivery.status


def _delivery_read(delivery: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        url=delivery.url,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempt_count=delivery.attempt_count,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        completed_at=delivery.completed_at,
        payload=json.loads(delivery.payload),
    )


async def list_deliveries(
    session: AsyncSession,
    team_id: str,
    *,
    endpoint_id: str | None = None,
    status: str | None = None,
    limit: int = DEFAULT_LIST_LIMIT,
) -> list[DeliveryRead]:
    """Newest first. Filtering by an endpoint of another team finds nothing (no existence leak
    beyond what a 404 on the endpoint itself would say)."""
    deliveries = await repository.list_deliveries(
        session, team_id, endpoint_id=endpoint_id, status=status, limit=limit
    )
    return [_delivery_read(delivery) for delivery in deliveries]


async def get_delivery(session: AsyncSession, team_id: str, delivery_id: str) -> DeliveryDetail:
    delivery = await repository.get_team_delivery(session, team_id, delivery_id)
    if delivery is None:
        raise ApiError(
            404, "webhook_delivery_not_found", f"no webhook delivery {delivery_id}", "id"
        )
    attempts = await repository.list_attempts(session, delivery_id)
    return DeliveryDetail(
        **_delivery_read(delivery).model_dump(),
        attempts=[AttemptRead.model_validate(attempt) for attempt in attempts],
    )
