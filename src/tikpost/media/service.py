"""Rules for media: what an upload must be to be kept, and who may see or delete it.

Services never commit. Storage changes are reported to `FileChanges`, which the request's unit
of work applies around its commit, so no failure leaves a file without a row or a row without
its file.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.errors import ApiError
from tikpost.kit.ids import new_id
from tikpost.media import repository
from tikpost.media.ingest import FIELD, ReceivedFile, receive_upload
from tikpost.media.models import Media
from tikpost.media.probe import ProbeFailedError, probe_file
from tikpost.media.schemas import ImageProbe, MediaPage, MediaRead, VideoProbe
from tikpost.media.storage import FileChanges, Storage

DEFAULT_PAGE = 50
MAX_PAGE = 200
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
WEBM_CODECS = frozenset({"vp8", "vp9", "av1"})


async def upload_media(
    session: AsyncSession,
    files: FileChanges,
    team_id: str,
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    max_bytes: int,
) -> MediaRead:
    """Store the streamed upload, probe it, and record it; unusable files are not kept."""
    media_id = new_id("med")
    key = f"{team_id}/{media_id}"
    files.created(key)
    received = await receive_upload(
        body, content_type, content_length, files.storage, key, max_bytes
    )
    return await record_stored(session, files.storage, team_id, media_id, received)


async def record_stored(
    session: AsyncSession, storage: Storage, team_id: str, media_id: str, received: ReceivedFile
) -> MediaRead:
    """Probe bytes already stored at `team_id/media_id` and record them: the one way a file
    becomes media, whether it was uploaded or imported from a URL."""
    key = f"{team_id}/{media_id}"
    found = await _probe_stored(storage, key)
    measured = {**found, "size_bytes": received.size_bytes, "sha256": received.sha256}
    probe: VideoProbe | ImageProbe
    try:
        if found.get("kind") == "image":
            probe = ImageProbe.model_validate(measured)
        else:
            probe = VideoProbe.model_validate(measured)
    except ValidationError:
        raise _unsupported("the file's measurements could not be read") from None
    media = Media(
        id=media_id,
        team_id=team_id,
        kind="image" if isinstance(probe, ImageProbe) else "video",
        filename=received.filename,
        content_type=_content_type(probe, str(found.get("brand", ""))),
        storage_key=key,
        size_bytes=received.size_bytes,
        sha256=received.sha256,
        probe=probe.model_dump(),
    )
    return to_read(await repository.add_media(session, media))


async def get_media(session: AsyncSession, team_id: str, media_id: str) -> MediaRead:
    return to_read(await _find(session, team_id, media_id))


async def list_media(
    session: AsyncSession, team_id: str, limit: int = DEFAULT_PAGE, cursor: str | None = None
) -> MediaPage:
    limit = max(1, min(limit, MAX_PAGE))
    # One extra row tells whether another page exists without a COUNT.
    rows = await repository.list_media(session, team_id, limit + 1, cursor)
    page = rows[:limit]
    next_cursor = page[-1].id if len(rows) > limit else None
    return MediaPage(items=[to_read(row) for row in page], next_cursor=next_cursor)


async def delete_media(
    session: AsyncSession, files: FileChanges, team_id: str, media_id: str
) -> None:
    """Forget the media; its file goes once the delete is committed."""
    media = await _find(session, team_id, media_id)
    if await repository.in_use_by_unfinished_post(session, media.id):
        raise ApiError(
            409,
            "media_in_use",
            "a post that has not finished publishing uses this media; cancel it or wait",
            "id",
        )
    await repository.delete_media(session, media)
    files.deleted(media.storage_key)


async def _find(session: AsyncSession, team_id: str, media_id: str) -> Media:
    media = await repository.get_media(session, team_id, media_id)
    if media is None:
        raise ApiError(404, "media_not_found", f"no media with id {media_id}", "id")
    return media


async def _probe_stored(storage: Storage, key: str) -> dict[str, Any]:
    try:
        async with _local_file(storage, key) as path:
            return await probe_file(path)
    except ProbeFailedError as failure:
        raise _unsupported(str(failure)) from None


@asynccontextmanager
async def _local_file(storage: Storage, key: str) -> AsyncIterator[Path]:
    """A path FFmpeg can open: the object itself on local storage, else a temporary copy."""
    path = storage.local_path(key)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="tikpost-probe-") as directory:
        copy = Path(directory) / "media"
        with copy.open("wb") as handle:
            async for block in storage.open_read(key):
                await asyncio.to_thread(handle.write, block)
        yield copy


def _content_type(probe: VideoProbe | ImageProbe, brand: str) -> str:
    """The MIME type the bytes deserve (served to TikTok and browsers), from the probe."""
    if isinstance(probe, ImageProbe):
        return IMAGE_TYPES[probe.format]
    names = set(probe.container.split(","))
    if "mp4" in names:
        return "video/quicktime" if brand == "qt" else "video/mp4"
    if "webm" in names and probe.video_codec in WEBM_CODECS:
        return "video/webm"
    return "video/x-matroska"


def _unsupported(message: str) -> ApiError:
    return ApiError(415, "unsupported_media", f"file: {message}", FIELD)


def to_read(media: Media) -> MediaRead:
    return MediaRead.model_validate(
        {
            "id": media.id,
            "kind": media.kind,
            "filename": media.filename,
            "content_type": media.content_type,
            "size_bytes": media.size_bytes,
            "sha256": media.sha256,
            "probe": media.probe,
            "created_at": media.created_at,
        }
    )
