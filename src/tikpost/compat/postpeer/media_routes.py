"""PostPeer's media upload: a presigned URL served by tikpost (media.upload_slots), and the
URL that names the upload in a post's `mediaItems`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.compat.auth import key_from_header
from tikpost.compat.postpeer import schemas
from tikpost.compat.postpeer.routing import PostPeerRoute
from tikpost.compat.postpeer.translate import Resolve, bad
from tikpost.deps import DatabaseDep, SettingsDep
from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.media import upload_slots
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead
from tikpost.teams.service import Authenticated

router = APIRouter(route_class=PostPeerRoute)
Key = Annotated[Authenticated, Depends(key_from_header("x-access-key"))]


@router.post("/v1/media/upload", response_model=schemas.UploadAnswer)
async def upload_url(
    body: schemas.UploadRequest,
    key: Key,
    database: DatabaseDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> schemas.UploadAnswer:
    """PUT the file's bytes to `uploadUrl` (within an hour, once); then put `publicUrl` in a
    post's `mediaItems`. The bytes are probed and checked like any upload."""
    if body.mimeType.split("/", 1)[0].lower() not in ("image", "video"):
        raise bad("unsupported_mime_type", "only image/* and video/* files", "mimeType")
    async with database.session(write=True) as session:
        slot = await _slot(session, settings, key.team, body, idempotency_key)
    return schemas.UploadAnswer(
        success=True, data=schemas.UploadUrls(uploadUrl=slot.put_url, publicUrl=slot.public_url)
    )


async def _slot(
    session: AsyncSession,
    settings: Settings,
    team: TeamRead,
    body: schemas.UploadRequest,
    idempotency_key: str | None,
) -> upload_slots.UploadSlot:
    return await upload_slots.create_upload_slot(
        session,
        settings,
        team,
        filename=body.filename,
        content_type=body.mimeType,
        idempotency_key=idempotency_key,
    )


def resolver(database: Database, settings: Settings, team: TeamRead) -> Resolve:
    """`mediaItems[].url` → the media id of the team's upload it names; a URL of tikpost's
    uploads that names none (not uploaded yet, expired, another team's) is refused, not
    fetched."""
    ours = f"{settings.public_url}{upload_slots.PATH_PREFIX}"

    async def resolve(url: str) -> str | None:
        async with database.session() as session:
            media_id = await upload_slots.resolve_upload_url(session, team, url)
        if media_id is None and url.startswith(ours):
            raise ApiError(
                404,
                "upload_not_found",
                "no uploaded file at this URL for your key: PUT the file to uploadUrl first",
                "mediaItems",
            )
        return media_id

    return resolve
