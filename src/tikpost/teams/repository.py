"""All SQL for teams and API keys. Functions flush at most; the caller's unit of work commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.teams.models import ApiKey, Team


async def get_team(session: AsyncSession, team_id: str) -> Team | None:
    return await session.get(Team, team_id)


async def get_team_by_name(session: AsyncSession, name: str) -> Team | None:
    result = await session.execute(select(Team).where(Team.name == name))
    return result.scalar_one_or_none()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def add_team(session: AsyncSession, name: str) -> Team:
    team = Team(name=name)
    session.add(team)
    await session.flush()
    return team


async def add_api_key(session: AsyncSession, team_id: str, prefix: str, key_hash: str) -> ApiKey:
    key = ApiKey(team_id=team_id, prefix=prefix, key_hash=key_hash)
    session.add(key)
    await session.flush()
    return key


async def get_api_key(session: AsyncSession, key_id: str) -> tuple[ApiKey, Team] | None:
    result = await session.execute(
        select(ApiKey, Team).join(Team, ApiKey.team_id == Team.id).where(ApiKey.id == key_id)
    )
    row = result.one_or_none()
    return None if row is None else (row[0], row[1])


async def find_api_key_by_hash(session: AsyncSession, key_hash: str) -> tuple[ApiKey, Team] | None:
    result = await session.execute(
        select(ApiKey, Team)
        .join(Team, ApiKey.team_id == Team.id)
        .where(ApiKey.key_hash == key_hash)
    )
    row = result.one_or_none()
    return None if row is None else (row[0], row[1])


async def list_api_keys(
    session: AsyncSession, team_id: str | None = None
) -> list[tuple[ApiKey, Team]]:
    """Every team's keys (the operator's CLI), or one team's."""
    query = select(ApiKey, Team).join(Team, ApiKey.team_id == Team.id)
    if team_id is not None:
        query = query.where(ApiKey.team_id == team_id)
    result = await session.execute(query.order_by(ApiKey.created_at, ApiKey.id))
    return [(key, team) for key, team in result.all()]


async def mark_api_key_revoked(session: AsyncSession, key: ApiKey, when: datetime) -> None:
    key.revoked_at = when
    await session.flush()


async def touch_api_key(
    session: AsyncSession, key_id: str, when: datetime, stale_before: datetime
) -> None:
    """Record use, but only if the stored value is older than `stale_before`.

    The condition lives in the UPDATE so a busy key costs one write per interval, not one per
    request, whatever the number of processes.
    """
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where(or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < stale_before))
        .values(last_used_at=when)
    )
