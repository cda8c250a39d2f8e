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

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

from tikpost.kit.write_gate import WriteGate, gate_for

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Idle connections each loop's pool keeps (see `Database`); beyond them, any number more.
PER_LOOP_LIMITS: dict[str, Any] = {"pool_size": 8, "max_overflow": -1}
_BEGIN_OPTION = "tikpost_sqlite_begin"
# In a connection's info while it holds its process's write gate (see `configure_sqlite`).
_GATE_HELD = "tikpost_write_gate"

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

    pragmas = [f"PRAGMA busy_timeout = {busy_timeout}"] if busy_timeout else []
    pragmas += ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL"]
    pragmas += [f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}"]
    script = ";\n".join(pragmas) + ";"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        if hasattr(dbapi_connection, "run_async"):
            # aiosqlite runs each call on its connection's thread: one hop for all of them,
            # not two per PRAGMA (the workflow runtime connects for every session).
            dbapi_connection.run_async(lambda driver: driver.executescript(script))
            return
        dbapi_connection.executescript(script)

    # This process's writers take SQLite's write lock in turn (`kit.write_gate`), held from
    # the BEGIN IMMEDIATE to the COMMIT or ROLLBACK, as the lock itself is. The wait is async,
    # so only the async engines (the service's) queue; Alembic's blocking engine does not.
    gate = gate_for(str(Path(engine.url.database or "").expanduser().resolve()))
    given_timeout = engine.url.query.get("timeout")
    gate_wait_sec = float(str(given_timeout)) if given_timeout else SQLITE_BUSY_TIMEOUT_MS / 1000
    queues = engine.dialect.is_async

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        if mode == "IMMEDIATE" and queues:
            try:
                await_only(gate.acquire(gate_wait_sec))
            except sqlite3.OperationalError as locked:
                raise OperationalError(f"BEGIN {mode}", None, locked) from locked
            connection.info[_GATE_HELD] = gate
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _let_go(connection.info)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Connection) -> None:
        if not connection.invalidated:  # an invalidated one let go in `_on_invalidate`
            _let_go(connection.info)

    # A connection dropped mid-transaction (reset, invalidated, closed) ends it too.
    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        _let_go(record.info)

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(dbapi_connection: Any, record: Any, _exception: Any) -> None:
        try:
            _roll_back_before_discard(dbapi_connection)
        finally:
            _let_go(record.info)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection: Any, record: Any) -> None:
        _let_go(record.info)


def _roll_back_before_discard(dbapi_connection: Any) -> None:
    """End the transaction of a connection SQLAlchemy is about to discard (a task cancelled
    mid-statement: a shutdown cancelling a workflow step).

    sqlite3 closes a connection whose cursor still holds a statement only once that cursor is
    collected, and the cancelled task's traceback holds it; until then the connection keeps
    the file's write lock, and every writer after it waits out the busy timeout and fails.
    Shielded, as SQLAlchemy shields its own close there: a second cancel must not cut it.
    """
    if not hasattr(dbapi_connection, "run_async"):
        return  # a blocking driver (Alembic's): no task is cancelled mid-statement there
    try:
        dbapi_connection.run_async(lambda driver: asyncio.shield(driver.rollback()))
    except Exception:  # the connection is going away in any case
        logger.debug("rolling back a discarded SQLite connection failed", exc_info=True)


def _let_go(info: dict[Any, Any]) -> None:
    gate: WriteGate | None = info.pop(_GATE_HELD, None)
    if gate is not None:
        gate.release()


@dataclass(frozen=True)
class _Pool:
    """One engine and the two session factories over it (plain, and holding the write lock)."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    write_sessions: async_sessionmaker[AsyncSession]


class Database:
    """Pooled engines and their sessions; created per app (or CLI command), disposed after."""

    def __init__(self, url: str, *, echo: bool = False, pooled: bool = True) -> None:
        """`pooled=False`: one pool per event loop instead of one in all, so the same Database
        may be used from several loops (workflow steps run on DBOS's loop, startup sweeps on the
        server's) and a connection is only ever used by the loop that opened it. (It once meant
        no pool at all: a new connection, and on SQLite a new thread, for every session, which
        made that a third of a workflow step's time.)"""
        self.url = async_url(url)
        ensure_sqlite_dir(self.url)
        self._echo = echo
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] | None
        self._per_loop = None if pooled else weakref.WeakKeyDictionary()
        self._shared = self._new_pool({}) if pooled else None
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"

    def _new_pool(self, limits: dict[str, Any]) -> _Pool:
        engine = create_async_engine(self.url, echo=self._echo, pool_pre_ping=True, **limits)
        configure_sqlite(engine.sync_engine)
        # Same pool, but transactions begin holding SQLite's write lock.
        write_engine = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        return _Pool(
            engine,
            async_sessionmaker(engine, expire_on_commit=False),
            async_sessionmaker(write_engine, expire_on_commit=False),
        )

    def _pool(self) -> _Pool:
        if self._shared is not None:
            return self._shared
        assert self._per_loop is not None
        loop = asyncio.get_running_loop()
        found = self._per_loop.get(loop)
        if found is None:
            # No cap (as when this kept no pool): a session never waits for another to end, so
            # a step opening a second session while holding one cannot starve the loop.
            found = self._per_loop[loop] = self._new_pool(PER_LOOP_LIMITS)
        return found

    @property
    def engine(self) -> AsyncEngine:
        """The engine of this loop's pool (of the one pool, for a pooled Database)."""
        return self._pool().engine

    @asynccontextmanager
    async def session(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits once if the block succeeds, rolls back if it raises.

        `write=True` takes SQLite's database-wide write lock at the first statement, so
        read-then-write logic cannot interleave with another writer (another request, worker or
        process). Use it for any block that writes after reading; pair it with
        `.with_for_update()` on the rows that matter so PostgreSQL serialises them too.
        """
        pool = self._pool()
        factory = pool.write_sessions if write else pool.sessions
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
        """Close this loop's pooled connections; other loops' pools are let go without I/O
        (their connections belong to those loops: see `dispose_here` to close them there)."""
        if self._shared is not None:
            await self._shared.engine.dispose()
            return
        assert self._per_loop is not None
        here = self._per_loop.pop(asyncio.get_running_loop(), None)
        others = list(self._per_loop.values())
        self._per_loop.clear()
        for pool in others:
            await pool.engine.dispose(close=False)
        if here is not None:
            await here.engine.dispose()

    async def dispose_here(self) -> None:
        """Close the pooled connections of the running loop only, before that loop ends;
        a session still holding one keeps it until it finishes."""
        if self._per_loop is not None:
            pool = self._per_loop.pop(asyncio.get_running_loop(), None)
            if pool is not None:
                await pool.engine.dispose()
