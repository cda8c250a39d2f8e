"""Media in any S3-compatible object store (AWS S3, MinIO, R2, Ceph…), through obstore.

Same contract as `LocalStorage`, so nothing above the `Storage` protocol knows which is in use:

- writes stream as a multipart upload in parts of `PART_SIZE`: at most a few parts are held in
  memory, never a whole 4 GB video. The object appears only when the upload completes; a failed
  or cancelled write aborts the multipart upload, so readers never see a partial object. When
  the store itself is what failed, the abort could not get through either (and obstore's writer
  takes one abort only), so it waits in the background for the store to answer, then aborts;
- an unreachable or failing store (after obstore's own retries of about three seconds) is
  `StorageUnavailableError`, whatever the operation;
- reads are ranged GETs streamed in chunks, because the TikTok uploader sends each chunk straight
  from storage;
- there is no local path, so the prober works on a temporary copy (see `media.service`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from tikpost.media.faults import (
    ObjectNotFoundError,
    StorageError,
    StorageUnavailableError,
    clean_up_later,
)
from tikpost.media.storage_base import READ_CHUNK, StorageWriter, checked_key

if TYPE_CHECKING:
    from pathlib import Path

    from obstore import AsyncWritableFile

logger = logging.getLogger(__name__)

# S3 parts must be at least 5 MiB (but the last); 8 MiB * 10,000 parts is far above 4 GB.
PART_SIZE = 8 * 1024 * 1024
# Parts in flight per upload: bounds memory per upload to about (1 + this) * PART_SIZE.
UPLOAD_CONCURRENCY = 2
# obstore reports a store it could not reach as BaseError, and some write failures as OSError.
_FAILURES = (BaseError, OSError)
# A key no upload uses: looking it up tells whether the store answers.
_PROBE_KEY = "tikpost-probe"


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
        except _FAILURES as error:
            raise unavailable("write", error) from error


def unavailable(what: str, error: Exception) -> StorageUnavailableError:
    """The store's failure as the typed error, its detail (hosts, retries) logged only."""
    detail = f"object store {what} failed: {error}".splitlines()[0]
    logger.warning("media storage: %s", detail)
    return StorageUnavailableError(detail)


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
            if isinstance(error, StorageUnavailableError):
                clean_up_later(f"aborting the upload of {key}", lambda: self._abort_once_up(file))
                raise
            # The writer aborts the multipart upload when told of an error. Shielded: this often
            # runs because the request was cancelled, and the abort must still go out.
            with anyio.CancelScope(shield=True):
                # An upload never completed is invisible anyway; a lifecycle rule reaps it.
                with contextlib.suppress(*_FAILURES):
                    await file.__aexit__(type(error), error, error.__traceback__)
            raise
        try:
            # A failure here (the last part, or completing) cannot be aborted: obstore's writer
            # is spent. The lifecycle rule in the README reaps such an upload.
            await file.close()
        except _FAILURES as error:
            raise unavailable(f"upload of {key}", error) from error

    async def _abort_once_up(self, file: AsyncWritableFile) -> None:
        """Abort the writer's upload, but only once the store answers (else raise, to be tried
        again): obstore's writer attempts its abort once."""
        await self.exists(_PROBE_KEY)
        with contextlib.suppress(*_FAILURES):
            error = StorageUnavailableError("aborted after an outage")
            await file.__aexit__(type(error), error, None)

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
        except _FAILURES as error:
            # A range starting past the end (416): say so the way LocalStorage does.
            size = await self.size(key)
            if end is not None and size < end:
                raise StorageError(f"{key} ends at {size}, before byte {end}") from None
            raise unavailable(f"read of {key}", error) from error
        if end is not None and result.range[1] < end:
            raise StorageError(f"{key} ends at {result.meta['size']}, before byte {end}")
        try:
            async for block in result.stream(min_chunk_size=READ_CHUNK):
                yield bytes(block)
        except _FAILURES as error:
            raise unavailable(f"read of {key}", error) from error

    async def size(self, key: str) -> int:
        try:
            meta = await obstore.head_async(self._store, checked_key(key))
        except FileNotFoundError:
            raise ObjectNotFoundError(key) from None
        except _FAILURES as error:
            raise unavailable(f"lookup of {key}", error) from error
        return int(meta["size"])

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, checked_key(key))
        except FileNotFoundError:
            return
        except _FAILURES as error:
            raise unavailable(f"delete of {key}", error) from error

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
