"""Database plumbing shared by every domain: one Base, one engine, sessions that commit once.

Two backends are supported and must behave alike: SQLite (the embedded default) and PostgreSQL
(scale-out, several processes). The differences that matter to callers are hidden here:

- Users write `sqlite:///…` or `postgresql://…`; the async drivers are chosen for them.
- SQLite runs in WAL mode with foreign keys enforced and a busy timeout (30 s, or the URL's
  `?timeout=` in seconds), so concurrent processes wait for each other instead of failing
  with "database is locked"; past it, `tikpost.kit.db_outage` treats the lock like an outage.
- `Database.session(write=True)` starts the transaction holding the write lock (`BEGIN
  IMMEDIATE`) on SQLite. On PostgreSQL the caller locks the rows it will change with
  `select(...).with_for_update()` (which SQLite ignores, being locked already). Together that
  gives "one token refresh per account, even across processes" on both backends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 30_000
_BEGIN_OPTION = "tikpost_sqlite_begin"

# Stable constraint names, so Alembic can find and alter constraints on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base every domain's `models.py` derives from (one metadata for Alembic)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends.

    SQLite has no timezone type and hands back naive values; comparing those with aware
    `datetime.now(UTC)` raises. Everything is stored as UTC and comes back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """The one clock for stored timestamps (aware, UTC)."""
    return datetime.now(UTC)


def async_url(url: str) -> str:
    """The user's URL with the async driver this service uses for that backend."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def sync_url(url: str) -> str:
    """The same database through a blocking driver, for Alembic and other synchronous tools."""
    parsed = make_url(async_url(url))
    driver = "sqlite" if parsed.get_backend_name() == "sqlite" else "postgresql+psycopg"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def ensure_sqlite_dir(url: str) -> None:
    """Create the SQLite file's directory: a fresh data dir must not fail the first start."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def configure_sqlite(engine: Engine, *, foreign_keys: bool = True) -> None:
    """Make pysqlite/aiosqlite behave: our own BEGINs, WAL, foreign keys, waiting on locks.

    The sqlite3 module otherwise issues its own deferred BEGIN lazily, which makes `BEGIN
    IMMEDIATE` impossible and lets a read transaction fail outright when it later writes.
    Migrations pass `foreign_keys=False`: Alembic's batch mode rebuilds a table by dropping it,
    and with enforcement on that drop would cascade-delete the rows of every child table.
    """
    if engine.dialect.name != "sqlite":
        return
    # `?timeout=<seconds>` in the URL is sqlite3's own busy timeout; it then stands.
    busy_timeout = "" if "timeout" in engine.url.query else f"{SQLITE_BUSY_TIMEOUT_MS}"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if busy_timeout:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine and its session factory; created per app (or CLI command) and disposed after."""

    def __init__(self, url: str, *, echo: bool = False, pooled: bool = True) -> None:
        """`pooled=False` keeps no connection between sessions: each connection then lives and
        dies in one event loop, so the same Database may be used from several loops (workflow
        steps run on DBOS's loop, startup sweeps on the server's)."""
        self.url = async_url(url)
        ensure_sqlite_dir(self.url)
        pool: dict[str, Any] = {"pool_pre_ping": True} if pooled else {"poolclass": NullPool}
        self.engine: AsyncEngine = create_async_engine(self.url, echo=echo, **pool)
        configure_sqlite(self.engine.sync_engine)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Same pool, but transactions begin holding SQLite's write lock.
        write_engine = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._write_sessions = async_sessionmaker(write_engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits once if the block succeeds, rolls back if it raises.

        `write=True` takes SQLite's database-wide write lock at the first statement, so
        read-then-write logic cannot interleave with another writer (another request, worker or
        process). Use it for any block that writes after reading; pair it with
        `.with_for_update()` on the rows that matter so PostgreSQL serialises them too.
        """
        factory = self._write_sessions if write else self._sessions
        async with factory() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await session.commit()

    async def ping(self) -> None:
        """Raise unless the database answers: the liveness probe of readiness and outages."""
        async with self.session() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
