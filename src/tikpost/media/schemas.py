"""What the media domain hands to endpoints (never ORM objects, never storage keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tikpost.kit.parse import RequestModel

MediaKind = Literal["video", "image"]


class MediaImport(RequestModel):
    """`POST /v1/media` as JSON: fetch the file from `url` instead of receiving it."""

    url: str = Field(min_length=1, max_length=2000, description="An http(s) URL of the file.")


class VideoProbe(BaseModel):
    """A video as measured: what TikTok's checks need (container, codec, duration, fps, size)."""

    container: str
    video_codec: str
    duration_ms: int
    fps: float
    width: int
    height: int
    size_bytes: int
    sha256: str


class ImageProbe(BaseModel):
    """A photo as measured; `format` is `jpeg`, `png` or `webp` whatever the file was called."""

    format: Literal["jpeg", "png", "webp"]
    width: int
    height: int
    size_bytes: int
    sha256: str


class MediaProblem(BaseModel):
    """One way the media breaks TikTok's rules, with what was measured and what TikTok takes."""

    code: str = Field(description="Stable code, the same a refused post answers with.")
    field: str = Field(description="The measured property: container, fps, width, size_bytes…")
    value: str | int | float = Field(description="What the file has.")
    limit: str = Field(description="What TikTok takes.")
    message: str
    fixable_by_transcode: bool = Field(
        description="Whether tikpost can convert it: for videos, post with `transcode: true`; "
        "images (PNG, over 1080 px) are converted automatically when posted."
    )


class MediaChecks(BaseModel):
    """TikTok's media rules against the probe; `problems` is empty when ready as it is."""

    ready_for_tiktok: bool
    problems: list[MediaProblem]


class MediaRead(BaseModel):
    """An uploaded file. `kind` and `content_type` come from probing the bytes, not the client."""

    id: str
    kind: MediaKind
    filename: str | None
    content_type: str
    size_bytes: int
    sha256: str
    probe: VideoProbe | ImageProbe
    checks: MediaChecks
    created_at: datetime


class MediaPage(BaseModel):
    """One page of a team's media, newest first; pass `next_cursor` back as `cursor`."""

    items: list[MediaRead]
    next_cursor: str | None


class MediaList(BaseModel):
    """Media made by one request, in order (the slides of an uploaded zip)."""

    items: list[MediaRead]


class UploadSlotCreate(RequestModel):
    """Labels for the file to come; the bytes' probe decides what it really is."""

    filename: str | None = Field(default=None, max_length=255)
    content_type: str | None = Field(default=None, max_length=200)


class UploadSlotRead(BaseModel):
    """PUT the raw bytes to `put_url` (no API key, once, before `expires_at`)."""

    slot_id: str
    put_url: str = Field(description="Takes one PUT of the file's raw bytes.")
    public_url: str = Field(
        description="Names the uploaded file in a compatible API's post body (mediaItems[].url "
        "and the like); not itself fetchable."
    )
    expires_at: datetime
