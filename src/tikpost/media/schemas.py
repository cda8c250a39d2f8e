"""What the media domain hands to endpoints (never ORM objects, never storage keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MediaKind = Literal["video", "image"]


class MediaImport(BaseModel):
    """`POST /v1/media` as JSON: fetch the file from `url` instead of receiving it."""

    model_config = ConfigDict(extra="forbid")

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


class MediaRead(BaseModel):
    """An uploaded file. `kind` and `content_type` come from probing the bytes, not the client."""

    id: str
    kind: MediaKind
    filename: str | None
    content_type: str
    size_bytes: int
    sha256: str
    probe: VideoProbe | ImageProbe
    created_at: datetime


class MediaPage(BaseModel):
    """One page of a team's media, newest first; pass `next_cursor` back as `cursor`."""

    items: list[MediaRead]
    next_cursor: str | None


class MediaList(BaseModel):
    """Media made by one request, in order (the slides of an uploaded zip)."""

    items: list[MediaRead]
