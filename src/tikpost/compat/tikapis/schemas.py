"""tikapis' response bodies, with its field names (camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Lifecycle = Literal["Pending", "Processing", "Published", "Failed"]


class PostAccepted(BaseModel):
    message: str
    publishId: str | None = Field(  # noqa: N815 - the vendor's field name
        description="TikTok's publish_id: null until TikTok has answered the upload's init "
        "(a moment after this answer); GET the post to read it."
    )
    postId: str = Field(description="tikpost's post id.")  # noqa: N815


class PostState(BaseModel):
    postId: str  # noqa: N815
    publishId: str | None  # noqa: N815
    status: Lifecycle
    tikpostStatus: str = Field(description="tikpost's own, finer status.")  # noqa: N815
    caption: str | None
    scheduledFor: datetime | None  # noqa: N815
    postUrl: str | None  # noqa: N815
    error: str | None = Field(description="What went wrong and what to do, once Failed.")
    createdAt: datetime  # noqa: N815
    updatedAt: datetime  # noqa: N815
