"""An upload's bytes on their way into storage: counted, capped, hashed and written in batches.

A socket hands the server 64-256 KiB at a time. Hashing and writing each piece on the event
loop (as ingest once did) kept the loop from reading the socket while it hashed, copied every
byte twice into the writer's buffer, and made a thread hop per megabyte: a 1 GB ingest spent
more time there than on the network. Here pieces are only collected on the loop; each batch of
about BATCH bytes is joined and hashed in a thread (both release the GIL) and written while the
loop goes on reading, with at most one batch in flight. Memory stays at about two batches.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable

from tikpost.media.storage_base import StorageWriter

BATCH = 4 * 1024 * 1024


def _join_and_hash(digest: hashlib._Hash, pieces: list[bytes]) -> bytes:
    data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    digest.update(data)
    return data


class StreamedFile:
    """One file's bytes in order: `add` as they arrive, `pump` now and then, `finish` at the end.

    The cap is checked in `add`, before a byte is kept, so it bites the moment it is crossed.
    Whoever opened the storage write calls `abandon` when leaving it by an exception: the batch
    in flight is dropped, and the write's own cleanup removes what was written.
    """

    def __init__(
        self, writer: StorageWriter, max_bytes: int, too_large: Callable[[], Exception]
    ) -> None:
        self.writer = writer
        self.max_bytes = max_bytes
        self.too_large = too_large
        self.size = 0
        self._digest = hashlib.sha256()
        self._pieces: list[bytes] = []
        self._pending = 0
        self._in_flight: asyncio.Task[None] | None = None

    def add(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            raise self.too_large()
        self._pieces.append(data)
        self._pending += len(data)

    async def pump(self) -> None:
        """Hand a full batch to the writer; waits only if the previous batch is still going."""
        if self._pending >= BATCH:
            await self._send()

    async def finish(self) -> str:
        """Write what is left and wait for it: the hex SHA-256 of everything added."""
        if self._pending:
            await self._send()
        await self._settle()
        return self._digest.hexdigest()

    def abandon(self) -> None:
        """Drop the batch in flight (synchronous, so it also runs under a cancelled scope)."""
        task, self._in_flight = self._in_flight, None
        if task is not None and not task.done():
            task.cancel()
        elif task is not None and not task.cancelled():
            task.exception()  # retrieved, so asyncio does not log it as lost
        self._pieces = []

    async def _send(self) -> None:
        await self._settle()
        pieces, self._pieces, self._pending = self._pieces, [], 0
        self._in_flight = asyncio.create_task(self._store(pieces))

    async def _settle(self) -> None:
        """Wait for the batch in flight; its failure (a full disk, say) is raised here."""
        if self._in_flight is not None:
            task, self._in_flight = self._in_flight, None
            await task

    async def _store(self, pieces: list[bytes]) -> None:
        data = await asyncio.to_thread(_join_and_hash, self._digest, pieces)
        await self.writer.write(data)
