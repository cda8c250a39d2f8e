"""Algorhythm's request and response bodies, with its field names."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from tikpost.kit.parse import RequestModel

TaskStatus = Literal["processing", "posted", "failed"]


class TaskCreate(RequestModel):
    """`POST /v1/posts`. `sound_id`, `title` and `webhook_url`, required by Algorhythm, are
    optional here: a sound applies only to a business profile, and a draft or a caption-less
    post is fine."""

    profile_id: str = Field(max_length=64, description="A tikpost account id of your team.")
    media_type: Literal["video", "slideshow"]
    media_url: str = Field(
        min_length=1,
        max_length=2000,
        description="https URL of an MP4, or of a .zip of slide-1.jpg, slide-2.jpg, …",
    )
    sound_id: str | None = Field(
        default=None,
        max_length=200,
        description="A sound's `id` from GET /v1/accounts/{id}/sounds: applied (volumes 50/50) "
        "to a live video of a business profile (connected through TikTok's API for Business); "
        "otherwise kept on the post, not applied (see notes).",
    )
    title: str | None = None
    webhook_url: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, description="Caption; @ and # are kept.")
    execute_at: int | None = Field(
        default=None, ge=0, description="Unix epoch in milliseconds, in the future."
    )
    is_live: bool = Field(
        default=False, description="false: a draft in the creator's TikTok inbox; true: live."
    )


class TaskCreated(BaseModel):
    task_id: str = Field(description="tikpost's post id: GET /v1/posts/{task_id}.")
    sound_applied: bool | None = Field(
        description="true when the sound goes to TikTok (a business profile's live video); "
        "false when a sound_id was given but cannot be attached (see notes)."
    )
    notes: list[str] = Field(description="Where tikpost did not do what Algorhythm would.")


class TaskRead(BaseModel):
    task_id: str
    post_id: str
    profile_id: str
    status: TaskStatus
    tikpost_status: str = Field(description="tikpost's own, finer status.")
    platform_post_id: str | None
    url: str | None
    sound_id: str | None
    sound_applied: bool | None
    error: str | None
