"""The queues the domains declare at import time, which every runtime start creates.

Apart from `workflows` because it needs nothing of DBOS: a workflow module declares its queue
with plain data, and the runtime turns it into DBOS queues when it launches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class RateLimit(TypedDict):
    """At most `limit` workflow starts per `period` seconds (DBOS's QueueRateLimit shape)."""

    limit: int
    period: float


@dataclass(frozen=True)
class QueueSpec:
    """A queue as a domain declares it; every `partition_*` limit makes it partitioned, and
    then every enqueue must give a `partition_key` (and deduplication ids are not allowed)."""

    name: str
    worker_concurrency: int | None = None
    global_concurrency: int | None = None
    partition_concurrency: int | None = None
    partition_limiter: RateLimit | None = None
    limiter: RateLimit | None = None


_queues: dict[str, QueueSpec] = {}


def declare_queue(spec: QueueSpec) -> QueueSpec:
    """Register a queue to create at every start (call at import time of a workflow module)."""
    existing = _queues.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"queue {spec.name!r} declared twice with different settings")
    _queues[spec.name] = spec
    return spec


def declared_queues() -> list[QueueSpec]:
    return list(_queues.values())
