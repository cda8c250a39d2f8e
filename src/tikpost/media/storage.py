"""Where media bytes live: a local directory or an S3 bucket, behind one small async protocol.

Callers never see a half-written object: `open_write` commits only when its block succeeds, so
an upload that fails or is cancelled midway leaves nothing behind. Reads are ranged, because the
TikTok uploader streams each chunk straight from storage rather than holding a file in memory.
A backend that cannot do its job just now raises the typed errors of `media.faults`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol
from urllib.parse import unquote, urlsplit

import anyio

from tikpost.media.faults import ObjectNotFoundError as ObjectNotFoundError
from tikpost.media.faults import StorageError as StorageError
from tikpost.media.faults import StorageFullError as StorageFullError
from tikpost.media.faults import StorageUnavailableError as StorageUnavailableError
from tikpost.media.faults import clean_up_later, storage_failure, translated
from tikpost.media.storage_base import READ_CHUNK as READ_CHUNK
from tikpost.media.storage_base import StorageWriter as StorageWriter
from tikpost.media.storage_base import checked_key as checked_key

if TYPE_CHECKING:
    from tikpost.settings import Settings

logger = logging.getLogger(__name__)

WRITE_BUFFER = 1024 * 1024
WRITEBACK = 32 * 1024 * 1024
_FADVISE = getattr(os, "posix_fadvise", None)  # Linux has it; macOS does not


class Storage(Protocol):
    """The operations media ingest, serving and TikTok uploads need from any backend."""

    def open_write(self, key: str) -> AbstractAsyncContextManager[StorageWriter]:
        """Commit on a clean exit (replacing any object at `key`), discard on an exception."""
        ...

    def open_read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes [start, end) (`end=None`: to the end); raises if the object is shorter."""
        ...

    async def size(self, key: str) -> int: ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error (deletes get retried)."""
        ...

    async def exists(self, key: str) -> bool: ...

    def local_path(self, key: str) -> Path | None:
        """A filesystem path for tools that need one (the prober), or None if not on disk."""
        ...


class _LocalWriter:
    """Buffers small writes so each thread hop moves about a megabyte, not a socket read.

    Every WRITEBACK bytes it asks the kernel to start writing what it has (without waiting):
    left to the commit's fsync, a 1 GB upload's whole writeback came after its last byte, 1.5-2
    s of the client waiting for its 201 on this machine's disk; started as the bytes come,
    the fsync finds little left to do.
    """

    def __init__(self, handle: BinaryIO, key: str) -> None:
        self._handle = handle
        self._key = key
        self._buffer = bytearray()
        self._written = 0
        self._advised = 0

    async def write(self, data: bytes) -> None:
        if not self._buffer and len(data) >= WRITE_BUFFER:
            # A batch big enough for one hop goes as it is, not copied twice via the buffer.
            await self._write(data)
            return
        self._buffer += data
        if len(self._buffer) >= WRITE_BUFFER:
            await self.flush()

    async def flush(self) -> None:
        if self._buffer:
            pending, self._buffer = bytes(self._buffer), bytearray()
            await self._write(pending)

    async def _write(self, data: bytes) -> None:
        start, self._written = self._advised, self._written + len(data)
        if self._written - start >= WRITEBACK:
            self._advised = self._written
        with translated(f"writing {self._key}"):
            await asyncio.to_thread(_write_out, self._handle, data, start, self._advised - start)


def _write_out(handle: BinaryIO, data: bytes, start: int, writeback: int) -> None:
    handle.write(data)
    if writeback and _FADVISE is not None:
        handle.flush()
        # DONTNEED starts writeback of the dirty range and drops only pages already clean.
        _FADVISE(handle.fileno(), start, writeback, os.POSIX_FADV_DONTNEED)


class LocalStorage:
    """Objects as files under `root`, written to a temporary sibling and renamed on commit.

    The rename is atomic within one directory, so readers (and a crash) see either the whole
    file or none of it. Blocking calls run in threads so a slow disk never stalls the event loop.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    @asynccontextmanager
    async def open_write(self, key: str) -> AsyncIterator[StorageWriter]:
        path = self._path(key)
        with translated(f"creating {key}"):
            handle, temp = await asyncio.to_thread(_open_temp, path)
        writer = _LocalWriter(handle, key)
        try:
            yield writer
            await writer.flush()
            with translated(f"committing {key}"):
                await asyncio.to_thread(_commit, handle, temp, path)
        except BaseException:
            # Synchronous on purpose: under a cancelled scope another await would not run.
            # Closing flushes what a full disk refused, and fails again: the file goes anyway.
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            raise

    async def open_read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"invalid byte range [{start}, {end})")
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise ObjectNotFoundError(key) from None
        except OSError as error:
            raise storage_failure(f"opening {key}", error) from error
        try:
            with translated(f"reading {key}"):
                await asyncio.to_thread(handle.seek, start)
            position = start
            while end is None or position < end:
                wanted = READ_CHUNK if end is None else min(READ_CHUNK, end - position)
                with translated(f"reading {key}"):
                    block = await asyncio.to_thread(handle.read, wanted)
                if not block:
                    if end is not None:
                        raise StorageError(f"{key} ends at {position}, before byte {end}")
                    return
                position += len(block)
                yield block
        finally:
            handle.close()

    async def size(self, key: str) -> int:
        try:
            stat = await asyncio.to_thread(self._path(key).stat)
        except FileNotFoundError:
            raise ObjectNotFoundError(key) from None
        except OSError as error:
            raise storage_failure(f"looking up {key}", error) from error
        return stat.st_size

    async def delete(self, key: str) -> None:
        with translated(f"deleting {key}"):
            await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        with translated(f"looking up {key}"):
            return await asyncio.to_thread(self._path(key).is_file)

    def local_path(self, key: str) -> Path | None:
        return self._path(key)


async def store_local_file(storage: Storage, path: Path, key: str) -> tuple[int, str]:
    """Copy a local file into storage a block at a time (never whole in memory), hashing it on
    the way: its size and SHA-256 come from the same single read."""
    digest, size = hashlib.sha256(), 0
    async with storage.open_write(key) as writer:
        with path.open("rb") as handle:
            while block := await asyncio.to_thread(handle.read, READ_CHUNK):
                digest.update(block)
                size += len(block)
                await writer.write(block)
    return size, digest.hexdigest()


def _open_temp(path: Path) -> tuple[BinaryIO, Path]:
    """A new private file beside `path` (same filesystem, so the commit can be a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    return os.fdopen(fd, "wb"), Path(name)


def _commit(handle: BinaryIO, temp: Path, path: Path) -> None:
    # fsync before the rename: a committed database row must never point at a torn file.
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    temp.replace(path)


def storage_from_url(url: str, settings: Settings | None = None) -> Storage:
    """The backend `TIKPOST_STORAGE_URL` names; fails at startup rather than at first upload.

    `s3://bucket/prefix` takes its endpoint, region and credentials from `settings` (without
    them, from the AWS_* environment).
    """
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise StorageError(f"storage URL {url!r}: file URLs must be local (file:///path)")
        if not parts.path:
            raise StorageError(f"storage URL {url!r} has no path")
        return LocalStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        from tikpost.media.object_storage import ObjectStorage, S3Options

        if not parts.netloc:
            raise StorageError(f"storage URL {url!r} has no bucket (s3://bucket/prefix)")
        options = S3Options()
        if settings is not None:
            secret = settings.s3_secret_access_key
            options = S3Options(
                endpoint_url=settings.s3_endpoint_url,
                region=settings.s3_region,
                access_key_id=settings.s3_access_key_id,
                secret_access_key=secret.get_secret_value() if secret else None,
                allow_http=settings.s3_allow_http,
            )
        prefix = unquote(parts.path).strip("/")
        try:
            return ObjectStorage(parts.netloc, prefix or None, options)
        except Exception as error:  # obstore reports bad configuration as assorted errors
            raise StorageError(f"storage URL {url!r}: {error}") from error
    raise StorageError(
        f"storage URL {url!r}: unsupported scheme; use file:///path/to/media or s3://bucket/prefix"
    )


class FileChanges:
    """Keeps storage in step with the database transaction it accompanies.

    A file written for a row that then fails to commit is removed, and a file whose row is being
    deleted goes only after that delete commits; otherwise a failed commit would leave an orphan
    file or a row pointing at nothing. The request wrapper calls `rollback`/`commit` around the
    database commit; services only record what they did.
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._created: list[str] = []
        self._deleted: list[str] = []

    def created(self, key: str) -> None:
        """`key` is (about to be) written for this transaction: remove it if it fails."""
        self._created.append(key)

    def deleted(self, key: str) -> None:
        """`key` belongs to a row this transaction deletes: remove it once that is durable."""
        self._deleted.append(key)

    async def rollback(self) -> None:
        # Shielded: this often runs because the request was cancelled (client went away).
        with anyio.CancelScope(shield=True):
            for key in self._created:
                await self._remove(key)

    async def commit(self) -> None:
        for key in self._deleted:
            await self._remove(key)

    async def _remove(self, key: str) -> None:
        try:
            await self.storage.delete(key)
        except StorageUnavailableError:
            storage = self.storage
            clean_up_later(f"deleting {key}", lambda: storage.delete(key))
        except (StorageError, OSError):
            logger.warning("could not delete stored media %s; it is now an orphan", key)
