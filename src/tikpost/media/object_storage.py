"""Media in any S3-compatible object store (AWS S3, MinIO, R2, Ceph…), through obstore.

Same contract as `LocalStorage`, so nothing above the `Storage` protocol knows which is in use:

- writes stream as a multipart upload in parts of `PART_SIZE`: at most a few parts are held in
  memory, never a whole 4 GB video. The object appears only when the upload completes; a failed
  or cancelled write aborts the multipart upload, so readers never see a partial object;
- reads are ranged GETs streamed in chunks, because the TikTok uploader sends each chunk straight
  from storage;
- there is no local path, so the prober works on a temporary copy (see `media.service`).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from tikpost.media.storage import (
    READ_CHUNK,
    ObjectNotFoundError,
    StorageError,
    StorageWriter,
    checked_key,
)

if TYPE_CHECKING:
    from pathlib import Path

    from obstore import AsyncWritableFile

# S3 parts must be at least 5 MiB (but the last); 8 MiB * 10,000 parts is far above 4 GB.
PART_SIZE = 8 * 1024 * 1024
# Parts in flight per upload: bounds memory per upload to about (1 + this) * PART_SIZE.
UPLOAD_CONCURRENCY = 2


@dataclass(frozen=True)
class S3Options:
    """How to reach the store; anything unset falls back to obstore's AWS_* environment."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    allow_http: bool = False


class _ObjectWriter:
    def __init__(self, file: AsyncWritableFile) -> None:
        self._file = file

    async def write(self, data: bytes) -> None:
        try:
            await self._file.write(data)
        except BaseError as error:
            raise StorageError(f"object store write failed: {error}") from error


class ObjectStorage:
    """Objects under `s3://bucket/prefix`; keys are checked like local ones for uniformity."""

    def __init__(self, bucket: str, prefix: str | None, options: S3Options) -> None:
        self.bucket = bucket
        self.prefix = prefix or None
        config: dict[str, Any] = {}
        if options.endpoint_url:
            config["endpoint"] = options.endpoint_url
        if options.region:
            config["region"] = options.region
        if options.access_key_id:
            config["access_key_id"] = options.access_key_id
        if options.secret_access_key:
            config["secret_access_key"] = options.secret_access_key
        allow_http = options.allow_http or _is_loopback(options.endpoint_url)
        self._store = S3Store(
            bucket,
            prefix=self.prefix,
            client_options={"allow_http": allow_http},
            **config,
        )

    @asynccontextmanager
    async def open_write(self, key: str) -> AsyncIterator[StorageWriter]:
        file = obstore.open_writer_async(
            self._store,
            checked_key(key),
            buffer_size=PART_SIZE,
            max_concurrency=UPLOAD_CONCURRENCY,
        )
        try:
            yield _ObjectWriter(file)
        except BaseException as error:
            # The writer aborts the multipart upload when told of an error. Shielded: this often
            # runs because the request was cancelled, and the abort must still go out.
            with anyio.CancelScope(shield=True):
                # An upload never completed is invisible anyway; a lifecycle rule reaps it.
                with contextlib.suppress(BaseError):
                    await file.__aexit__(type(error), error, error.__traceback__)
            raise
        try:
            await file.close()
        except BaseError as error:
            raise StorageError(f"object store upload of {key} failed: {error}") from error

    async def open_read(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"invalid byte range [{start}, {end})")
        path = checked_key(key)
        if end == start:
            await self.size(key)  # still fail for a missing object, as a local read does
            return
        if end is None and start > 0 and start >= await self.size(key):
            return  # nothing past the end (S3 would answer 416)
        options: dict[str, Any] = {}
        if end is not None:
            options["range"] = (start, end)
        elif start:
            options["range"] = {"offset": start}
        try:
            result = await obstore.get_async(self._store, path, options=options)  # type: ignore[arg-type]
        except FileNotFoundError:
            raise ObjectNotFoundError(key) from None
        except BaseError as error:
            # A range starting past the end (416): say so the way LocalStorage does.
            size = await self.size(key)
            if end is not None and size < end:
                raise StorageError(f"{key} ends at {size}, before byte {end}") from None
            raise StorageError(f"object store read of {key} failed: {error}") from error
        if end is not None and result.range[1] < end:
            raise StorageError(f"{key} ends at {result.meta['size']}, before byte {end}")
        try:
            async for block in result.stream(min_chunk_size=READ_CHUNK):
                yield bytes(block)
        except BaseError as error:
            raise StorageError(f"object store read of {key} failed: {error}") from error

    async def size(self, key: str) -> int:
        try:
            meta = await obstore.head_async(self._store, checked_key(key))
        except FileNotFoundError:
            raise ObjectNotFoundError(key) from None
        except BaseError as error:
            raise StorageError(f"object store lookup of {key} failed: {error}") from error
        return int(meta["size"])

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, checked_key(key))
        except FileNotFoundError:
            return
        except BaseError as error:
            raise StorageError(f"object store delete of {key} failed: {error}") from error

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except ObjectNotFoundError:
            return False
        return True

    def local_path(self, key: str) -> Path | None:
        checked_key(key)
        return None


def _is_loopback(endpoint_url: str | None) -> bool:
    """Plain HTTP is fine to a store on this machine (a test or sidecar server), not beyond."""
    if not endpoint_url:
        return False
    host = urlsplit(endpoint_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
