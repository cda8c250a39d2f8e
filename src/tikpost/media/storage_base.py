"""What every storage backend shares: the writer protocol, the read chunk, the key check.

Its own module so that `media.storage`, which picks a backend from a URL, and the backends
(`media.object_storage`) both build on it without importing each other.
"""

from __future__ import annotations

import re
from typing import Protocol

# Keys are ours (`team/med_…`), never a client's filename; the pattern still guards the root.
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
READ_CHUNK = 1024 * 1024


class StorageWriter(Protocol):
    """What an open write accepts; bytes become visible only when the write commits."""

    async def write(self, data: bytes) -> None: ...


def checked_key(key: str) -> str:
    """`key` if it is one of ours; anything path-like (`..`, `/abs`) could escape the root."""
    if not _KEY.fullmatch(key) or any(part in {".", ".."} for part in key.split("/")):
        raise ValueError(f"invalid storage key {key!r}")
    return key
