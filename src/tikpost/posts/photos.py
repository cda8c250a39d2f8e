"""A carousel's photos, made ready for TikTok when the post is accepted.

Every photo must be a JPEG or WebP of at most 20 MB with a shorter side of at most 1080 px:
TikTok fails the whole carousel otherwise, minutes later and without saying which photo. PNGs
and oversized photos are therefore re-encoded here (into new media; the upload stays as it
was), and anything that cannot be fixed is a 422 naming the photo, before a post exists.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.errors import ApiError
from tikpost.media import repository as media_repository
from tikpost.media.images import (
    MAX_PHOTO_BYTES,
    convert_to_jpeg,
    needs_conversion,
    store_image,
    target_size,
)
from tikpost.media.models import Media
from tikpost.media.probe import ProbeFailedError
from tikpost.media.schemas import ImageProbe
from tikpost.media.storage import FileChanges, Storage


async def prepare_photos(
    session: AsyncSession, files: FileChanges, team_id: str, photo_ids: list[str]
) -> list[str]:
    """The media ids TikTok will pull, in order: each given photo, converted where needed."""
    ready: list[str] = []
    converted: dict[str, str] = {}
    for index, photo_id in enumerate(photo_ids):
        field = f"photos[{index}]"
        photo = await media_repository.get_media(session, team_id, photo_id)
        if photo is None:
            raise ApiError(422, "media_not_found", f"no media {photo_id}", field)
        if photo.kind != "image":
            raise ApiError(422, "not_an_image", f"media {photo_id} is a video, not a photo", field)
        probe = ImageProbe.model_validate(photo.probe)
        if needs_conversion(probe):
            if photo_id not in converted:
                converted[photo_id] = await _convert(session, files, team_id, photo, probe, field)
            photo_id = converted[photo_id]
        elif photo.size_bytes > MAX_PHOTO_BYTES:
            raise ApiError(
                422,
                "photo_too_large",
                f"media {photo_id} has {photo.size_bytes} bytes; TikTok takes photos up to 20 MB",
                field,
            )
        ready.append(photo_id)
    return ready


async def _convert(
    session: AsyncSession,
    files: FileChanges,
    team_id: str,
    photo: Media,
    probe: ImageProbe,
    field: str,
) -> str:
    width, height = target_size(probe.width, probe.height)
    name = f"{Path(photo.filename or photo.id).stem}-{width}x{height}.jpg"
    key = photo.storage_key
    with tempfile.TemporaryDirectory(prefix="tikpost-photo-") as directory:
        target = Path(directory) / "converted"
        try:
            async with _local_copy(files.storage, key, Path(directory)) as source:
                await convert_to_jpeg(source, probe.format, target)
        except ProbeFailedError as failure:
            raise ApiError(
                422, "photo_unconvertible", f"media {photo.id}: {failure}", field
            ) from None
        converted = await store_image(session, files, team_id, target, name)
    if converted.size_bytes > MAX_PHOTO_BYTES:
        raise ApiError(422, "photo_too_large", f"media {photo.id} is too large as JPEG", field)
    return converted.id


@asynccontextmanager
async def _local_copy(storage: Storage, key: str, directory: Path) -> AsyncIterator[Path]:
    """A path FFmpeg can open: the object itself on local disk, else a copy in `directory`."""
    path = storage.local_path(key)
    if path is not None:
        yield path
        return
    copy = directory / "source"
    with copy.open("wb") as handle:
        async for block in storage.open_read(key):
            handle.write(block)
    yield copy
