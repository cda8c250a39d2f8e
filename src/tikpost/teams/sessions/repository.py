"""All SQL for dashboard sessions and sign-in links; flushes at most, never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.teams.models import ApiKey, DashboardSession, SignInLink, Team


async def add_session(
    session: AsyncSession, team_id: str, api_key_id: str | None, token_hash: str
) -> DashboardSession:
    row = DashboardSession(team_id=team_id, api_key_id=api_key_id, token_hash=token_hash)
    session.add(row)
    await session.flush()
    return row


async def find_session(
    session: AsyncSession, token_hash: str
) -> tuple[DashboardSession, Team, ApiKey | None] | None:
    """The session with its team and the key it was opened with (None for a link's)."""
    result = await session.execute(
        select(DashboardSession, Team, ApiKey)
        .join(Team, DashboardSession.team_id == Team.id)
        .outerjoin(ApiKey, DashboardSession.api_key_id == ApiKey.id)
        .where(DashboardSession.token_hash == token_hash)
    )
    row = result.one_or_none()
    return None if row is None else (row[0], row[1], row[2])


async def touch_session(
    session: AsyncSession, session_id: str, when: datetime, stale_before: datetime
) -> None:
    """Move the idle clock, at most once per interval (the condition is in the UPDATE)."""
    await session.execute(
        update(DashboardSession)
        .where(DashboardSession.id == session_id, DashboardSession.ended_at.is_(None))
        .where(DashboardSession.last_seen_at < stale_before)
        .values(last_seen_at=when)
    )


async def end_session_by_hash(session: AsyncSession, token_hash: str, when: datetime) -> None:
    await session.execute(
        update(DashboardSession)
        .where(DashboardSession.token_hash == token_hash, DashboardSession.ended_at.is_(None))
        .values(ended_at=when)
    )


async def add_link(
    session: AsyncSession, team_id: str, token_hash: str, expires_at: datetime
) -> SignInLink:
    link = SignInLink(team_id=team_id, token_hash=token_hash, expires_at=expires_at)
    session.add(link)
    await session.flush()
    return link


async def claim_link(session: AsyncSession, token_hash: str, now: datetime) -> str | None:
    """Mark an unused, unexpired link used and return its team id; None if it cannot be.

    One conditional UPDATE, so two browsers racing with the same link cannot both win.
    """
    result = await session.execute(
        update(SignInLink)
        .where(SignInLink.token_hash == token_hash)
        .where(SignInLink.used_at.is_(None), SignInLink.expires_at > now)
        .values(used_at=now)
        .returning(SignInLink.team_id)
    )
    team_id: str | None = result.scalar_one_or_none()
    return team_id
