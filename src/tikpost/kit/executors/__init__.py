"""Executor liveness (`liveness`), over its own table (`models`, `repository`).

The package re-exports what the runtime and the CLI use, so `tikpost.kit.executors` reads as
one module to them.
"""

from __future__ import annotations

from tikpost.kit.executors.liveness import (
    FENCED_EXIT_CODE,
    ExecutorIdInUseError,
    Liveness,
    SilenceWatch,
    beat,
    exit_fenced,
    take_over_dead,
)
from tikpost.kit.executors.models import RETIRED, Executor

__all__ = [
    "FENCED_EXIT_CODE",
    "RETIRED",
    "Executor",
    "ExecutorIdInUseError",
    "Liveness",
    "SilenceWatch",
    "beat",
    "exit_fenced",
    "take_over_dead",
]
