"""All SQL for connected accounts and OAuth states; flushes at most, never commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts.models import Account, OAuthState


async def get_for_team(session: AsyncSession, team_id: str, account_id: str) -> Account | None:
    """Scoped by team: another team's id is indistinguishable from an unknown one."""
    result = await session.execute(
        select(Account).where(Account.id == account_id, Account.team_id == team_id)
    )
    return result.scalar_one_or_none()


async def get_for_update(session: AsyncSession, account_id: str) -> Account | None:
    """Lock the row (PostgreSQL); on SQLite the write transaction already holds the lock."""
    result = await session.execute(
        select(Account).where(Account.id == account_id).with_for_update()
    )
    return result.scalar_one_or_none()


async def set_init_times(session: AsyncSession, account_id: str, times: list[float]) -> None:
    """Bookkeeping for TikTok's init limit (posts.publish.pacing), not a change to the account:
    its `updated_at` stays."""
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(init_times=times, updated_at=Account.updated_at)
    )


async def get(session: AsyncSession, account_id: str) -> Account | None:
    return await session.get(Account, account_id, populate_existing=True)


async def list_for_team(session: AsyncSession, team_id: str) -> list[Account]:
    result = await session.execute(
        select(Account).where(Account.team_id == team_id).order_by(Account.created_at, Account.id)
    )
    return list(result.scalars())


async def find_by_open_id(session: AsyncSession, team_id: str, open_id: str) -> Account | None:
    result = await session.execute(
        select(Account)
        .where(Account.team_id == team_id, Account.open_id == open_id)
        .with_for_update()
    )
    return result.scalar_one_or_none()


async def add(session: AsyncSession, account: Account) -> Account:
    session.add(account)
    await session.flush()
    return account


async def add_state(session: AsyncSession, state: OAuthState) -> None:
    session.add(state)
    await session.flush()


async def find_state(session: AsyncSession, state_hash: str) -> OAuthState | None:
    result = await session.execute(
        select(OAuthState).where(OAuthState.state_hash == state_hash).with_for_update()
    )
    return result.scalar_one_or_none()


async def lock_by_open_id(session: AsyncSession, open_id: str) -> list[Account]:
    """Every team's copy of one TikTok account, locked."""
    result = await session.execute(
        select(Account).where(Account.open_id == open_id).with_for_update()
    )
    return list(result.scalars())
