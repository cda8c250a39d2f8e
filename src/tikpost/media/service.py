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
from tikpost.media import checks, repository
from tikpost.media.ingest import FIELD, ReceivedFile, receive_upload
from tikpost.media.models import Media
from tikpost.media.probe import ProbeFailedError, probe_file
from tikpost.media.schemas import ImageProbe, MediaPage, MediaRead, VideoProbe
from tikpost.media.storage import FileChanges, Storage

DEFAULT_PAGE = 50
MAX_PAGE = 200
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
WEBM_CODECS = frozenset({"vp8", "vp9", "av1"})
# The EBML header, DocType included, sits in a Matroska file's first few dozen bytes.
EBML_HEAD_BYTES = 256
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
DOCTYPE_ID = b"\x42\x82"


async def upload_media(
    session: AsyncSession,
    files: FileChanges,
    team_id: str,
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    max_bytes: int,
    *,
    field: str = FIELD,
    form: dict[str, str] | None = None,
) -> MediaRead:
    """Store the streamed upload, probe it, and record it; unusable files are not kept.

    `field` names the file's part; `form`, if given, receives the other text fields."""
    media_id = new_id("med")
    key = f"{team_id}/{media_id}"
    files.created(key)
    received = await receive_upload(
        body, content_type, content_length, files.storage, key, max_bytes, field=field, form=form
    )
    return await record_stored(session, files.storage, team_id, media_id, received)


async def record_stored(
    session: AsyncSession, storage: Storage, team_id: str, media_id: str, received: ReceivedFile
) -> MediaRead:
    """Probe bytes already stored at `team_id/media_id` and record them: the one way a file
    becomes media, whether it was uploaded or imported from a URL.

    What no post could ever use (too short or long, too big, not media at all) is refused with
    a 422 naming the value and the limit; what transcoding can fix is kept and reported in the
    resource's `checks`.
    """
    key = f"{team_id}/{media_id}"
    try:
        async with local_file(storage, key) as path:
            found = await probe_media(path)
    except ProbeFailedError as failure:
        raise _unsupported(str(failure)) from None
    media = build_media(team_id, media_id, key, found, received)
    problem = checks.first_unfixable(checks.check(parse_probe(media.kind, media.probe)))
    if problem is not None:
        raise ApiError(
            422,
            problem.code,
            f"{FIELD}: {problem.message}",
            FIELD,
            details={"value": problem.value, "limit": problem.limit},
        )
    return to_read(await repository.add_media(session, media))


async def probe_media(path: Path) -> dict[str, Any]:
    """The child prober's verdict, with a Matroska file's container named by its DocType:
    FFmpeg calls WebM and MKV alike "matroska,webm", but TikTok takes only WebM."""
    found = await probe_file(path)
    if found.get("kind") == "video" and found.get("container") == "matroska,webm":
        head = await asyncio.to_thread(_read_head, path)
        doctype = matroska_doctype(head)
        if doctype in ("webm", "matroska"):
            found["container"] = doctype
    return found


def build_media(
    team_id: str, media_id: str, key: str, found: dict[str, Any], received: ReceivedFile
) -> Media:
    """The media row for probed bytes stored at `key` (not yet added to the session)."""
    measured = {**found, "size_bytes": received.size_bytes, "sha256": received.sha256}
    try:
        probe = parse_probe(str(found.get("kind")), measured)
    except ValidationError:
        raise _unsupported("the file's measurements could not be read") from None
    return Media(
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


def parse_probe(kind: str, probe: dict[str, Any]) -> VideoProbe | ImageProbe:
    if kind == "image":
        return ImageProbe.model_validate(probe)
    return VideoProbe.model_validate(probe)


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(EBML_HEAD_BYTES)


def matroska_doctype(head: bytes) -> str | None:
    """The EBML DocType ("webm" or "matroska") from a file's first bytes, parsed by hand so
    no FFmpeg runs in this process; None if it is not found there."""
    if not head.startswith(EBML_MAGIC):
        return None
    at = head.find(DOCTYPE_ID)
    if at < 0 or at + 3 > len(head):
        return None
    size_byte = head[at + 2]
    # A one-byte EBML size (0x80 | n) is what every muxer writes for so short a string.
    if not size_byte & 0x80:
        return None
    length = size_byte & 0x7F
    value = head[at + 3 : at + 3 + length]
    return value.rstrip(b"\0").decode("ascii", "replace") if len(value) == length else None


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


@asynccontextmanager
async def local_file(storage: Storage, key: str) -> AsyncIterator[Path]:
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
    if "avi" in names:
        return "video/x-msvideo"
    if "mp4" in names:
        return "video/quicktime" if brand == "qt" else "video/mp4"
    if "matroska" in names and "webm" not in names:
        return "video/x-matroska"
    if "webm" in names and probe.video_codec in WEBM_CODECS:
        return "video/webm"
    return "video/x-matroska"


def _unsupported(message: str) -> ApiError:
    # 422, not 415: the request's media type (multipart) was fine, the file in it is not.
    return ApiError(422, "unsupported_media", f"file: {message}", FIELD)


def to_read(media: Media) -> MediaRead:
    probe = parse_probe(media.kind, media.probe)
    return MediaRead(
        id=media.id,
        kind="image" if media.kind == "image" else "video",
        filename=media.filename,
        content_type=media.content_type,
        size_bytes=media.size_bytes,
        sha256=media.sha256,
        probe=probe,
        checks=checks.summary(probe),
        created_at=media.created_at,
    )
