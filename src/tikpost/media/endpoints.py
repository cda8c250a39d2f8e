"""HTTP routes for media (thin: the service holds the rules, the ingest does the streaming)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.db import Database, DbSession, get_database
from tikpost.media import service
from tikpost.media.schemas import MediaPage, MediaRead
from tikpost.media.storage import FileChanges, Storage
from tikpost.settings import Settings
from tikpost.teams.auth import CurrentTeam

router = APIRouter(prefix="/v1", tags=["media"])

# The body is parsed by hand (streamed), so describe it for /docs ourselves.
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def get_storage(request: Request) -> Storage:
    """The app's media storage, placed on `app.state.storage` by `create_app`."""
    storage: Storage = request.app.state.storage
    return storage


@dataclass(frozen=True)
class StoredUnit:
    """A request's database session plus the file changes that must follow its commit."""

    session: AsyncSession
    files: FileChanges


async def stored_unit(
    database: Annotated[Database, Depends(get_database)],
    storage: Annotated[Storage, Depends(get_storage)],
) -> AsyncIterator[StoredUnit]:
    """Like `DbSession`, but file changes are applied or undone with the commit.

    Files written for a failed request (bad media, too large, a failed commit) are removed;
    files of deleted rows are removed only after the delete is durable.
    """
    files = FileChanges(storage)
    try:
        async with database.session(write=True) as session:
            yield StoredUnit(session, files)
    except BaseException:
        await files.rollback()
        raise
    await files.commit()


Unit = Annotated[StoredUnit, Depends(stored_unit, scope="function")]


@router.post("/media", status_code=201, response_model=MediaRead, openapi_extra=_UPLOAD_BODY)
async def upload_media(team: CurrentTeam, unit: Unit, request: Request) -> MediaRead:
    """Upload a video (MP4, MOV, WebM) or photo (JPEG, PNG, WebP) as multipart field `file`.

    The file is streamed to storage and probed; `kind`, `content_type` and `probe` describe
    what the bytes really are, whatever the file was called.
    """
    settings: Settings = request.app.state.settings
    return await service.upload_media(
        unit.session,
        unit.files,
        team.id,
        request.stream(),
        request.headers.get("content-type"),
        request.headers.get("content-length"),
        settings.max_media_bytes,
    )


@router.get("/media", response_model=MediaPage)
async def list_media(
    team: CurrentTeam,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = service.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> MediaPage:
    """Your team's media, newest first."""
    return await service.list_media(session, team.id, limit, cursor)


@router.get("/media/{media_id}", response_model=MediaRead)
async def get_media(team: CurrentTeam, session: DbSession, media_id: str) -> MediaRead:
    return await service.get_media(session, team.id, media_id)


@router.delete("/media/{media_id}", status_code=204)
async def delete_media(team: CurrentTeam, unit: Unit, media_id: str) -> Response:
    """Delete the media and its stored file."""
    await service.delete_media(unit.session, unit.files, team.id, media_id)
    return Response(status_code=204)
