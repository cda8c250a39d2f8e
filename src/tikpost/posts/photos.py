"""A carousel's photos, made ready for TikTok when the post is accepted.

Every photo must be a JPEG or WebP of at most 20 MB with a shorter side of at most 1080 px:
TikTok fails the whole carousel otherwise, minutes later and without saying which photo. PNGs
and oversized photos are therefore re-encoded here (into new media; the upload stays as it
was), and anything that cannot be fixed is a 422 naming the photo, before a post exists.

A `photos` item may also be an http(s) URL. `import_urls` fetches those before the post's own
transaction, exactly as `POST /v1/media {"url"}` would (SSRF guard, size cap, probe), a few at a
time, each import committing in its own short transaction so no download holds SQLite's write
lock. It is all or nothing: if any item fails, the photos already imported are deleted again
(`posts.fetched.discard`, row and file), and the error names the item (`photos[2]`). The
imported media then go through `prepare_photos` like any uploaded photo, conversion included.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.kit.safe_fetch import UrlGuard
from tikpost.media import repository as media_repository
from tikpost.media.checks import MAX_IMAGE_BYTES
from tikpost.media.images import convert_to_jpeg, needs_conversion, store_image, target_size
from tikpost.media.models import Media
from tikpost.media.probe import ProbeFailedError
from tikpost.media.schemas import ImageProbe, MediaRead
from tikpost.media.storage import FileChanges, Storage
from tikpost.media.url_import import import_media
from tikpost.posts import fetched
from tikpost.posts.schemas import PostCreate
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead

# Enough to overlap slow origins, few enough that one post cannot hog the server's bandwidth.
MAX_CONCURRENT_IMPORTS = 4


def is_url(item: str) -> bool:
    """A `photos` item naming a URL rather than a media id (media ids never contain "://").

    Any scheme counts, so `ftp://…` is refused as a URL (url_not_allowed) rather than looked
    up as a media id that cannot exist."""
    return "://" in item


async def import_urls(
    database: Database,
    storage: Storage,
    guard: UrlGuard,
    settings: Settings,
    team: TeamRead,
    request: PostCreate,
    idempotency_key: str | None,
) -> dict[int, MediaRead]:
    """Fetch every URL among `request.photos` into media; {item index: its media}.

    Called before the post's own transaction. A replayed Idempotency-Key imports nothing (the
    stored post is returned as is), and the request-only rules run first so a doomed request
    fetches nothing. The same URL given twice is fetched once.
    """
    if request.photos is None:
        return {}
    wanted: dict[str, list[int]] = {}
    for index, item in enumerate(request.photos):
        if is_url(item):
            wanted.setdefault(item, []).append(index)
    if not wanted:
        return {}
    if not await fetched.worth_fetching(database, team, request, idempotency_key):
        return {}
    importer = _Importer(database, storage, guard, settings, team)
    try:
        async with anyio.create_task_group() as group:
            for url, indexes in wanted.items():
                group.start_soon(importer.run, url, indexes[0])
    except BaseException as failure:
        # Not a refusal (those are collected): a storage fault, a bug, or the client left.
        await fetched.discard(database, storage, team, importer.imported.values())
        if isinstance(failure, BaseExceptionGroup) and len(failure.exceptions) == 1:
            raise failure.exceptions[0] from failure  # the error itself, for the handlers
        raise
    if importer.failures:
        await fetched.discard(database, storage, team, importer.imported.values())
        raise importer.failures[min(importer.failures)]
    return {
        index: importer.imported[indexes[0]] for indexes in wanted.values() for index in indexes
    }


class _Importer:
    """Imports one URL per `run`, at most MAX_CONCURRENT_IMPORTS at once.

    Failures are collected, not raised: cancelling sibling imports midway could interrupt one
    just after its commit and orphan that row, so running ones finish (and are discarded) and
    only imports not yet started are skipped.
    """

    def __init__(
        self,
        database: Database,
        storage: Storage,
        guard: UrlGuard,
        settings: Settings,
        team: TeamRead,
    ) -> None:
        self.database = database
        self.storage = storage
        self.guard = guard
        self.settings = settings
        self.team = team
        self.limiter = anyio.CapacityLimiter(MAX_CONCURRENT_IMPORTS)
        self.imported: dict[int, MediaRead] = {}
        self.failures: dict[int, ApiError] = {}

    async def run(self, url: str, index: int) -> None:
        async with self.limiter:
            if self.failures:
                return
            field = f"photos[{index}]"
            files = FileChanges(self.storage)
            try:
                async with self.database.session(write=True) as session:
                    media = await import_media(
                        session,
                        files,
                        self.team.id,
                        url,
                        self.guard,
                        self.settings.max_media_bytes,
                        field=field,
                        timeout_sec=self.settings.media_fetch_timeout_sec,
                    )
                    if media.kind != "image":
                        raise ApiError(
                            422,
                            "not_an_image",
                            f"{field}: the URL serves a {media.kind}, not a photo",
                            field,
                        )
            except ApiError as failure:
                await files.rollback()
                self.failures[index] = failure
                return
            except BaseException:
                await files.rollback()
                raise
            self.imported[index] = media


async def prepare_photos(
    session: AsyncSession,
    files: FileChanges,
    team_id: str,
    photo_ids: list[str],
    imported: Mapping[int, str] | None = None,
) -> list[str]:
    """The media ids TikTok will pull, in order: each given photo, converted where needed.

    `imported` maps the index of each URL item to the media `import_urls` made of it."""
    ready: list[str] = []
    converted: dict[str, str] = {}
    for index, photo_id in enumerate(photo_ids):
        field = f"photos[{index}]"
        if imported is not None and index in imported:
            photo_id = imported[index]
        elif is_url(photo_id):
            raise ApiError(422, "photo_url_not_imported", "this URL was not fetched", field)
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
        elif photo.size_bytes > MAX_IMAGE_BYTES:
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
    if converted.size_bytes > MAX_IMAGE_BYTES:
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
