"""All SQL for webhooks. Functions flush at most; the caller's unit of work commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


async def add_endpoint(session: AsyncSession, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    session.add(endpoint)
    await session.flush()
    return endpoint


async def get_endpoint(
    session: AsyncSession, team_id: str, endpoint_id: str
) -> WebhookEndpoint | None:
    """A live endpoint of this team (another team's, or a deleted one, is not found)."""
    result = await session.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.team_id == team_id,
            WebhookEndpoint.deleted_at.is_(None),
        )
    )
    return result.scalar_one_or_none()


async def get_endpoint_any(session: AsyncSession, endpoint_id: str) -> WebhookEndpoint | None:
    """By id alone, deleted or not: for a delivery that must learn its endpoint is gone."""
    return await session.get(WebhookEndpoint, endpoint_id)


async def list_endpoints(session: AsyncSession, team_id: str) -> list[WebhookEndpoint]:
    result = await session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.team_id == team_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(result.scalars())


async def mark_endpoint_deleted(
    session: AsyncSession, endpoint: WebhookEndpoint, when: datetime
) -> None:
    endpoint.deleted_at = when
    await session.flush()


async def add_deliveries(
    session: AsyncSession, deliveries: Sequence[WebhookDelivery]
) -> list[WebhookDelivery]:
    session.add_all(deliveries)
    await session.flush()
    return list(deliveries)


async def get_delivery(session: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id)


async def get_team_delivery(
    session: AsyncSession, team_id: str, delivery_id: str
) -> WebhookDelivery | None:
    result = await session.execute(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.team_id == team_id
        )
    )
    return result.scalar_one_or_none()


async def lock_delivery(session: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    """The row, locked for update (PostgreSQL; SQLite's write session is locked already)."""
    result = await session.execute(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def list_deliveries(
    session: AsyncSession,
    team_id: str,
    *,
    endpoint_id: str | None,
    status: str | None,
    limit: int,
) -> list[WebhookDelivery]:
    """Newest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.team_id == team_id)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    result = await session.execute(query.limit(limit))
    return list(result.scalars())


async def list_pending_delivery_ids(session: AsyncSession) -> list[str]:
    result = await session.execute(
        select(WebhookDelivery.id).where(WebhookDelivery.status == "pending")
    )
    return list(result.scalars())


async def add_attempt(session: AsyncSession, attempt: WebhookAttempt) -> WebhookAttempt:
    session.add(attempt)
    await session.flush()
    return attempt


async def list_attempts(session: AsyncSession, delivery_id: str) -> list[WebhookAttempt]:
    result = await session.execute(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number, WebhookAttempt.id)
    )
    return list(result.scalars())


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """Deliveries per status, for the scrape-time gauges."""
    query = select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    return {status: count for status, count in await session.execute(query)}
