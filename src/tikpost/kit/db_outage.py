"""The database going away for a while (a restart, a failover, SQLite busy under load).

Lost connections are not bugs, and nothing they interrupt should end in error:

- `is_connection_loss` tells them from real errors (a constraint, a bad query): PostgreSQL
  connection failures and terminations, SQLAlchemy's "this connection was invalidated", and
  SQLite's `database is locked` / busy once its busy timeout ran out;
- the API answers them with 503 `database_unavailable` and `Retry-After` (`kit.errors`);
- a workflow step that hit one waits until the database answers again and runs once more
  (`rerun_after_outage`, through `tikpost.runtime.steps.step`). Steps are safe to repeat (a crash
  re-runs them too), and waiting inside the step keeps the workflow where it was: DBOS's own
  system-database calls do the same, they block and retry until the database is back;
- `noticed()` remembers that it happened, so the heartbeat thread can run a repair pass for
  whatever fell between two writes once the database answers (`tikpost.runtime.liveness`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import psycopg
from sqlalchemy.exc import DBAPIError

from tikpost.kit.db import Database

logger = logging.getLogger(__name__)

# What a client is told to wait before trying again (seconds).
RETRY_AFTER_SEC = 5
# How often a waiting step asks whether the database is back: from the first pause, growing
# to the last, so a returning database is noticed within seconds.
PROBE_FIRST_SEC, PROBE_MAX_SEC = 0.25, 3.0
# SQLSTATE classes and codes that mean "the connection or the server went away, try later":
# connection exceptions, insufficient resources (too many connections), an administrator's
# shutdown, a crash shutdown, a server starting or stopping.
_GONE_CLASSES = ("08", "53")
_GONE_CODES = frozenset({"57P01", "57P02", "57P03", "25P03"})
_SQLITE_BUSY = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})

P = ParamSpec("P")
R = TypeVar("R")

_noticed = threading.Event()


def is_connection_loss(exc: BaseException) -> bool:
    """Whether `exc` (or what it was raised from) says the database is unreachable for now."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, DBAPIError):
            if seen.connection_invalidated or _driver_says_gone(seen.orig):
                return True
        elif _driver_says_gone(seen):
            return True
        seen = seen.__cause__
    return False


def _driver_says_gone(error: BaseException | None) -> bool:
    if isinstance(error, psycopg.OperationalError):
        state = error.sqlstate
        # Failures to connect, or a connection that broke, carry no SQLSTATE at all.
        return state is None or state.startswith(_GONE_CLASSES) or state in _GONE_CODES
    if isinstance(error, sqlite3.OperationalError):
        name = getattr(error, "sqlite_errorname", "")
        return name in _SQLITE_BUSY or "database is locked" in str(error)
    return False


def noticed() -> None:
    """Record that something lost its connection (see `take_noticed`)."""
    _noticed.set()


def take_noticed() -> bool:
    """Whether a connection loss was noticed since the last call."""
    if _noticed.is_set():
        _noticed.clear()
        return True
    return False


async def wait_until_answers(database: Database) -> None:
    """Return once `database` answers a trivial query; probes with growing pauses."""
    pause = PROBE_FIRST_SEC
    while True:
        await asyncio.sleep(pause * (0.5 + random.random()))
        try:
            await database.ping()
            return
        except Exception as exc:
            if not is_connection_loss(exc):
                logger.warning("the database answered the probe with %s", type(exc).__name__)
        pause = min(pause * 2, PROBE_MAX_SEC)


def rerun_after_outage(
    database: Callable[[], Database],
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Decorator for a step body: after a connection loss, wait for `database()` to answer,
    then run the body again; any other error goes through unchanged.

    No time limit, like DBOS's own retries: a step cannot do its work without the database,
    and giving up would end the workflow in error, which nothing resumes. Shutdown still
    stops a waiting step (the wait is a cancellable sleep), and it resumes at the next start.
    """

    def decorate(
        body: Callable[P, Coroutine[Any, Any, R]],
    ) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(body)
        async def riding_out(*args: P.args, **kwargs: P.kwargs) -> R:
            while True:
                try:
                    return await body(*args, **kwargs)
                except Exception as exc:
                    if not is_connection_loss(exc):
                        raise
                    noticed()
                    logger.warning(
                        "step %s lost the database (%s); running it again once it answers",
                        body.__qualname__,
                        type(exc).__name__,
                    )
                await wait_until_answers(database())
                logger.info("the database answers again; step %s goes on", body.__qualname__)

        return riding_out

    return decorate


__all__ = [
    "RETRY_AFTER_SEC",
    "is_connection_loss",
    "noticed",
    "rerun_after_outage",
    "take_noticed",
    "wait_until_answers",
]
