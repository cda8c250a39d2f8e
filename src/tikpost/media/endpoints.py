"""HTTP routes for media (thin: the service holds the rules, the ingest does the streaming)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import ValidationError

from tikpost.deps import (
    CurrentTeam,
    DatabaseDep,
    SessionDep,
    SettingsDep,
    StorageDep,
    UnitDep,
    UrlGuardDep,
)
from tikpost.kit.errors import ApiError, field_name
from tikpost.media import service, upload_slots, zipped
from tikpost.media.schemas import (
    MediaImport,
    MediaList,
    MediaPage,
    MediaRead,
    UploadSlotCreate,
    UploadSlotRead,
)
from tikpost.media.url_import import import_media

router = APIRouter(prefix="/v1", tags=["media"])

# The bodies are parsed by hand (streamed), so describe them for /docs ourselves.
_MULTIPART_FILE: dict[str, Any] = {
    "schema": {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}},
    }
}
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": _MULTIPART_FILE,
            "application/json": {"schema": MediaImport.model_json_schema()},
        },
    }
}
# A carousel's zip is uploaded only: there is no JSON import of one.
_ZIP_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"multipart/form-data": _MULTIPART_FILE}}
}
MAX_JSON_BODY = 16 * 1024


@router.post("/media", status_code=201, response_model=MediaRead, openapi_extra=_UPLOAD_BODY)
async def upload_media(
    team: CurrentTeam, unit: UnitDep, guard: UrlGuardDep, settings: SettingsDep, request: Request
) -> MediaRead:
    """Upload a video (MP4, MOV, WebM) or photo (JPEG, PNG, WebP) as multipart field `file`,
    or import one with JSON `{"url": "https://…"}`.

    The file is streamed to storage and probed; `kind`, `content_type` and `probe` describe
    what the bytes really are, whatever the file was called. A URL is fetched by this server,
    so it must lead (through any redirects) to a public address: others are refused with 422
    `url_not_allowed` unless TIKPOST_ALLOW_PRIVATE_URLS is set; 422 `url_fetch_failed` when
    the URL gave no file.
    """
    if _is_json(request.headers.get("content-type")):
        body = await _json_body(request, MediaImport)
        return await import_media(
            unit.session,
            unit.files,
            team.id,
            body.url,
            guard,
            settings.max_media_bytes,
            timeout_sec=settings.media_fetch_timeout_sec,
        )
    return await service.upload_media(
        unit.session,
        unit.files,
        team.id,
        request.stream(),
        request.headers.get("content-type"),
        request.headers.get("content-length"),
        settings.max_media_bytes,
    )


@router.post("/media/zip", status_code=201, response_model=MediaList, openapi_extra=_ZIP_BODY)
async def upload_zip(
    team: CurrentTeam, unit: UnitDep, settings: SettingsDep, request: Request
) -> MediaList:
    """Upload a carousel as one `.zip` (multipart field `file`) of `slide-1.jpg`, `slide-2.jpg`, …

    Entries may be JPEG, PNG or WebP (the extension must match the bytes), at most 35, each at
    most 20 MB. Each slide becomes an image media, returned in slide order: pass their ids as a
    post's `photos`. A bad archive is a 422 naming the entry, and nothing of it is kept.
    """
    items = await zipped.upload_zip(
        unit.session,
        unit.files,
        team.id,
        request.stream(),
        request.headers.get("content-type"),
        request.headers.get("content-length"),
        settings.max_media_bytes,
    )
    return MediaList(items=items)


@router.post("/uploads", status_code=201, response_model=UploadSlotRead)
async def create_upload_slot(
    team: CurrentTeam,
    session: SessionDep,
    settings: SettingsDep,
    body: UploadSlotCreate | None = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> UploadSlotRead:
    """A presigned upload URL: PUT the file's raw bytes to `put_url` (no API key needed, so
    a browser or `curl -T` can), once, within an hour; it becomes your team's media.

    With `Idempotency-Key`, a retried request answers with the same slot."""
    label = body or UploadSlotCreate()
    slot = await upload_slots.create_upload_slot(
        session,
        settings,
        team,
        filename=label.filename,
        content_type=label.content_type,
        idempotency_key=idempotency_key,
    )
    return UploadSlotRead(
        slot_id=slot.slot_id,
        put_url=slot.put_url,
        public_url=slot.public_url,
        expires_at=slot.expires_at,
    )


_RAW_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.put("/uploads/{token}", status_code=201, response_model=MediaRead, openapi_extra=_RAW_BODY)
async def put_upload(
    token: str,
    request: Request,
    database: DatabaseDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> MediaRead:
    """A presigned upload URL's PUT: the raw bytes of one video or photo, no API key (the
    signed token is the credential). Good once, for an hour, for the team that asked for it;
    the file becomes media like an upload to POST /v1/media. 403 for a token we did not
    sign, 410 once expired, 409 once used; an upload that fails may be tried again."""
    return await upload_slots.receive(
        database,
        storage,
        settings,
        token,
        request.stream(),
        request.headers.get("content-type"),
        request.headers.get("content-length"),
    )


def _is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


async def _json_body(request: Request, model: type[MediaImport]) -> MediaImport:
    """The small JSON body, parsed and validated into the usual error shapes."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_JSON_BODY:
            raise ApiError(413, "payload_too_large", "the JSON body is too large")
    # The standard library's parser, as FastAPI's own bodies use: pydantic's refuses a lone
    # surrogate escape as invalid JSON, where the caption rules answer 422 naming the field.
    try:
        data = json.loads(bytes(raw))
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "request body is not valid JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        field = field_name(errors[0]["loc"]) if errors else None
        message = str(errors[0]["msg"]) if errors else "invalid request"
        raise ApiError(422, "validation_error", f"{field}: {message}", field) from None


@router.get("/media", response_model=MediaPage)
async def list_media(
    team: CurrentTeam,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = service.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> MediaPage:
    """Your team's media, newest first."""
    return await service.list_media(session, team.id, limit, cursor)


@router.get("/media/{media_id}", response_model=MediaRead)
async def get_media(team: CurrentTeam, session: SessionDep, media_id: str) -> MediaRead:
    return await service.get_media(session, team.id, media_id)


@router.delete("/media/{media_id}", status_code=204)
async def delete_media(team: CurrentTeam, unit: UnitDep, media_id: str) -> Response:
    """Delete the media and its stored file."""
    await service.delete_media(unit.session, unit.files, team.id, media_id)
    return Response(status_code=204)
