"""All SQL for the executors table. Functions flush at most; the caller's unit of work commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.runtime.models import RETIRED, Executor


async def lock(session: AsyncSession, executor_id: str) -> Executor | None:
    return await session.get(Executor, executor_id, with_for_update=True)


async def claim(
    session: AsyncSession, executor_id: str, exists: bool, values: dict[str, Any]
) -> None:
    """Write the executor's row: a new one, or over the (locked) one it replaces."""
    statement = (
        insert(Executor).values(id=executor_id, **values)
        if not exists
        else update(Executor).where(Executor.id == executor_id).values(**values)
    )
    await session.execute(statement)


async def retire(session: AsyncSession, executor_id: str, incarnation: str) -> None:
    await session.execute(
        update(Executor)
        .where(Executor.id == executor_id, Executor.incarnation == incarnation)
        .values(heartbeat_at=RETIRED)
    )


async def renew(session: AsyncSession, executor_id: str, incarnation: str, now: datetime) -> bool:
    """Date the heartbeat `now`; False when the row is no longer this incarnation's."""
    result = await session.execute(
        update(Executor)
        .where(Executor.id == executor_id, Executor.incarnation == incarnation)
        .values(heartbeat_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def heartbeats(session: AsyncSession, own_id: str) -> list[tuple[str, datetime]]:
    """(id, heartbeat) of every other executor."""
    rows = (
        await session.execute(
            select(Executor.id, Executor.heartbeat_at).where(Executor.id != own_id)
        )
    ).all()
    return [(row.id, row.heartbeat_at) for row in rows]


async def delete_if_heartbeat(session: AsyncSession, executor_id: str, seen: datetime) -> bool:
    """Remove the row if its heartbeat is still `seen`: of several takers exactly one wins."""
    result = await session.execute(
        delete(Executor).where(Executor.id == executor_id, Executor.heartbeat_at == seen)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
