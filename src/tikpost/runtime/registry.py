"""The queues the domains declare at import time, which every runtime start creates.

Apart from `workflows` because it needs nothing of DBOS: a workflow module declares its queue
with plain data, and the runtime turns it into DBOS queues when it launches.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueueSpec:
    """A queue as a domain declares it; a `partition_concurrency` makes it partitioned, and
    then every enqueue must give a `partition_key` (and deduplication ids are not allowed).
    No start-rate limiters: DBOS checks those per partition on every poll, which cost more CPU
    than anything else in the pipeline bench (see posts.publish.pacing)."""

    name: str
    worker_concurrency: int | None = None
    global_concurrency: int | None = None
    partition_concurrency: int | None = None


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
