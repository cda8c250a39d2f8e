"""The composer's uploads: a file streamed to storage, or a file fetched from a URL.

These are POST /v1/media's own services (media.service.upload_media, media.url_import) behind
the dashboard's session and CSRF check instead of an API key: the browser never holds a key,
and the body goes from the socket to storage in blocks, so a 2 GB video is never in memory
(`/compose/media` is exempt from the JSON body cap in app.py, as /v1/media is). Answers JSON
for composer.js: the media and a signed link (media.links) the preview plays from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.deps import DatabaseDep, SettingsDep, StorageDep, UrlGuardDep
from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError, error_response
from tikpost.media import service
from tikpost.media.links import MediaLinks
from tikpost.media.schemas import MediaImport, MediaRead, VideoProbe
from tikpost.media.storage import FileChanges, Storage
from tikpost.media.url_import import import_media
from tikpost.settings import Settings

router = page_router()
UPLOAD_PATH = "/compose/media"
IMPORT_PATH = "/compose/media-url"


def preview(media: MediaRead, settings: Settings) -> dict[str, object]:
    """What the composer needs of a media: its id and kind, a video's length, and the signed
    link the preview (<video>, <img>) loads."""
    probe = media.probe
    return {
        "id": media.id,
        "kind": media.kind,
        "duration_ms": probe.duration_ms if isinstance(probe, VideoProbe) else None,
        "preview_url": MediaLinks.for_settings(settings).url(media.id),
    }


async def _store(
    database: Database,
    storage: Storage,
    settings: Settings,
    work: Callable[[AsyncSession, FileChanges], Awaitable[MediaRead]],
) -> Response:
    """One upload's unit of work, as the API's UnitDep: its files go unless the row commits."""
    files = FileChanges(storage)
    try:
        async with database.session(write=True) as session:
            media = await work(session, files)
    except ApiError as exc:
        await files.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.field)
    except BaseException:
        await files.rollback()
        raise
    await files.commit()
    return JSONResponse(preview(media, settings), status_code=201)


@router.post(UPLOAD_PATH)
async def upload(
    request: Request,
    signed: SignedInDep,
    database: DatabaseDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> Response:
    """multipart `file`, streamed like POST /v1/media; JSON errors (composer.js shows them)."""
    return await _store(
        database,
        storage,
        settings,
        lambda session, files: service.upload_media(
            session,
            files,
            signed.team.id,
            request.stream(),
            request.headers.get("content-type"),
            request.headers.get("content-length"),
            settings.max_media_bytes,
        ),
    )


@router.post(IMPORT_PATH)
async def import_url(
    request: Request,
    signed: SignedInDep,
    database: DatabaseDep,
    storage: StorageDep,
    settings: SettingsDep,
    guard: UrlGuardDep,
) -> Response:
    """JSON `{"url"}`: fetched by this server through the same SSRF guard as the API's."""
    try:
        body = MediaImport.model_validate_json(await request.body())
    except ValidationError:
        return error_response(422, "validation_error", "give an http(s) URL", "url")
    return await _store(
        database,
        storage,
        settings,
        lambda session, files: import_media(
            session,
            files,
            signed.team.id,
            body.url,
            guard,
            settings.max_media_bytes,
            timeout_sec=settings.media_fetch_timeout_sec,
        ),
    )
