"""Importing media from a URL (`POST /v1/media {"url"}`; posts given a `video_url` or URL `photos`).

The URL is the client's, the network is ours: the fetch goes through `tikpost.kit.safe_fetch`,
which refuses loopback, private, link-local and metadata addresses on every hop and pins each
connection to the address it checked. The body streams straight into storage, hashed and counted
on the way, exactly like a multipart upload, so the result is the same resource with the same
probe; only `filename` comes from the URL's last path segment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.errors import ApiError
from tikpost.kit.ids import new_id
from tikpost.kit.parse import parse_uint
from tikpost.kit.safe_fetch import (
    FetchFailedError,
    FetchLimits,
    UrlGuard,
    UrlNotAllowedError,
    fetch,
)
from tikpost.media.ingest import FIELD, ReceivedFile, _clean_filename
from tikpost.media.schemas import MediaRead
from tikpost.media.service import record_stored
from tikpost.media.storage import FileChanges, Storage

MAX_URL_LENGTH = 2000


async def import_media(
    session: AsyncSession,
    files: FileChanges,
    team_id: str,
    url: str,
    guard: UrlGuard,
    max_bytes: int,
    *,
    field: str = "url",
    timeout_sec: float = FetchLimits.total_timeout,
) -> MediaRead:
    """Fetch `url` into storage and record it as media; `field` names the request field in
    errors (`url` here, `video_url` or `photos[i]` on posts). Nothing is kept if any step
    fails. The download runs before the first statement on `session`, so a write session
    takes SQLite's write lock only for the insert, not for the transfer."""
    media_id = new_id("med")
    key = f"{team_id}/{media_id}"
    files.created(key)
    with _as_field(field):
        received = await _receive(files.storage, key, url, guard, max_bytes, timeout_sec)
        return await record_stored(session, files.storage, team_id, media_id, received)


async def download(
    storage: Storage,
    key: str,
    url: str,
    guard: UrlGuard,
    max_bytes: int,
    *,
    field: str,
    timeout_sec: float = FetchLimits.total_timeout,
) -> ReceivedFile:
    """Fetch `url` to `key` with the same guard and caps, recording nothing: for a file that
    is not media itself (a zip of slides, unpacked by the caller)."""
    with _as_field(field):
        return await _receive(storage, key, url, guard, max_bytes, timeout_sec)


@contextmanager
def _as_field(field: str) -> Iterator[None]:
    """Fetch and media errors, named after the request's `field`."""
    try:
        yield
    except UrlNotAllowedError as exc:
        raise ApiError(
            422, "url_not_allowed", f"{field}: not allowed: {exc.reason}", field
        ) from None
    except FetchFailedError as exc:
        raise _fetch_failed(field, str(exc)) from None
    except ApiError as exc:
        if exc.field != FIELD:
            raise
        message = exc.message.removeprefix(f"{FIELD}: ")
        raise ApiError(
            exc.status, exc.code, f"{field}: {message}", field, details=exc.details
        ) from None


async def _receive(
    storage: Storage, key: str, url: str, guard: UrlGuard, max_bytes: int, timeout_sec: float
) -> ReceivedFile:
    digest, size = hashlib.sha256(), 0
    async with fetch(url, guard, FetchLimits(total_timeout=timeout_sec)) as response:
        if response.status_code != 200:
            raise FetchFailedError(f"the server answered HTTP {response.status_code}")
        declared = parse_uint(response.headers.get("content-length"))
        if declared is not None and declared > max_bytes:
            raise _too_large(max_bytes)  # refuse before reading a byte
        async with storage.open_write(key) as writer:
            async for block in response.aiter_raw():
                size += len(block)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                digest.update(block)
                await writer.write(block)
            if size == 0:
                raise ApiError(422, "empty_file", "file: the URL's body is empty", FIELD)
    name = unquote(urlsplit(str(response.url)).path.rsplit("/", 1)[-1])
    return ReceivedFile(
        filename=_clean_filename(name),
        declared_type=response.headers.get("content-type"),
        size_bytes=size,
        sha256=digest.hexdigest(),
    )


def _too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "media_too_large", f"file: media may be at most {max_bytes} bytes", FIELD)


def _fetch_failed(field: str, reason: str) -> ApiError:
    return ApiError(422, "url_fetch_failed", f"{field}: could not fetch the URL: {reason}", field)
