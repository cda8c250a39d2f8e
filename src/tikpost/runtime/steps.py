"""How this service declares a workflow step: `DBOS.step`, riding out database outages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from dbos import DBOS

from tikpost.kit.db import Database
from tikpost.kit.db_outage import rerun_after_outage
from tikpost.runtime.workflows import current_runtime

P = ParamSpec("P")
R = TypeVar("R")


def step(
    name: str,
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """`DBOS.step` for async steps that use the app database: a lost connection makes the
    step wait for the database and run again rather than fail its workflow (see
    `tikpost.kit.db_outage`). `name` is required: a pending workflow replays its steps by
    the names they were recorded under, so a step's name must not follow its function's."""

    def decorate(
        body: Callable[P, Coroutine[Any, Any, R]],
    ) -> Callable[P, Coroutine[Any, Any, R]]:
        return DBOS.step(name=name)(rerun_after_outage(_step_database)(body))

    return decorate


def _step_database() -> Database:
    return current_runtime().database


__all__ = ["step"]
