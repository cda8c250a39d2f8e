"""Every FastAPI dependency a route takes, as one `…Dep` alias each, read from `AppState`.

Routes name what they need (`session: SessionDep`, `storage: StorageDep`) and never reach into
`app.state`; services take the plain objects. `CurrentTeam` is defined in `teams/auth.py` (it
is the API-key check, and this module imports it) and re-exported here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts.tokens import TokenSource
from tikpost.kit.db import Database
from tikpost.kit.ratelimit import ApiRateLimiter
from tikpost.kit.url_guard import UrlGuard
from tikpost.media.storage import FileChanges, Storage
from tikpost.settings import Settings
from tikpost.state import AppState, app_state
from tikpost.teams.auth import CurrentTeam
from tikpost.tiktok import TikTokApp

__all__ = [
    "AppStateDep",
    "CurrentTeam",
    "DatabaseDep",
    "RateLimiterDep",
    "SessionDep",
    "SettingsDep",
    "StorageDep",
    "StoredUnit",
    "TikTokDep",
    "TokensDep",
    "UnitDep",
    "UrlGuardDep",
]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

AppStateDep = Annotated[AppState, Depends(app_state)]


def _settings(state: AppStateDep) -> Settings:
    return state.settings


def _database(state: AppStateDep) -> Database:
    return state.database


def _storage(state: AppStateDep) -> Storage:
    return state.storage


def _tiktok(state: AppStateDep) -> TikTokApp:
    return state.tiktok


def _tokens(state: AppStateDep) -> TokenSource:
    return state.tokens


def _url_guard(state: AppStateDep) -> UrlGuard:
    return state.url_guard


def _rate_limiter(state: AppStateDep) -> ApiRateLimiter:
    return state.rate_limiter


SettingsDep = Annotated[Settings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
StorageDep = Annotated[Storage, Depends(_storage)]
TikTokDep = Annotated[TikTokApp, Depends(_tiktok)]
TokensDep = Annotated[TokenSource, Depends(_tokens)]
UrlGuardDep = Annotated[UrlGuard, Depends(_url_guard)]
RateLimiterDep = Annotated[ApiRateLimiter, Depends(_rate_limiter)]


async def _request_session(request: Request, database: DatabaseDep) -> AsyncIterator[AsyncSession]:
    """The session-per-request: services add and flush, this commits once at the end."""
    # Requests that may write hold SQLite's write lock from their first statement: SQLite
    # serialises writers anyway, and a deferred transaction that reads and then writes fails
    # at once (no busy wait) if another connection committed in between.
    async with database.session(write=request.method not in _SAFE_METHODS) as session:
        yield session


# scope="function" commits before the response is sent, so a client never sees a 2xx for a
# change that then failed to commit.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


@dataclass(frozen=True)
class StoredUnit:
    """A request's database session plus the file changes that must follow its commit."""

    session: AsyncSession
    files: FileChanges


async def _stored_unit(database: DatabaseDep, storage: StorageDep) -> AsyncIterator[StoredUnit]:
    """Like `SessionDep`, but file changes are applied or undone with the commit.

    Files written for a failed request (bad media, too large, a failed commit) are removed;
    files of deleted rows are removed only after the delete is durable.
    """
    files = FileChanges(storage)
    try:
        async with database.session(write=True) as session:
            yield StoredUnit(session, files)
    except BaseException:
        await files.rollback()
        raise
    await files.commit()


UnitDep = Annotated[StoredUnit, Depends(_stored_unit, scope="function")]
