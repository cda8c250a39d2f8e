"""TikTok's request and response bodies as pydantic models.

Responses ignore unknown fields so TikTok can add data without breaking us; request models dump
with `exclude_none` because TikTok treats an explicit `null` differently from an absent field
(e.g. a null cover timestamp is not "first frame").
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tikpost.kit.parse import check_strings
from tikpost.tiktok.upload import ChunkPlan

__all__ = [
    "FINAL_STATUSES",
    "RETRYABLE_FAIL_REASONS",
    "CreatorInfo",
    "InitResult",
    "PhotoPostInfo",
    "PostInfo",
    "PublishStatus",
    "Scopes",
    "TokenSet",
    "UserInfo",
]

FINAL_STATUSES = frozenset({"PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"})
"""Statuses after which polling stops: a delivered draft waits on the human, not on TikTok."""

RETRYABLE_FAIL_REASONS = frozenset({"internal", "video_pull_failed", "photo_pull_failed"})
"""fail_reasons TikTok's status page says a new attempt may fix."""


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# TikTok answers granted scopes as one comma-separated string (both of its token endpoints).
Scopes = Annotated[list[str], BeforeValidator(_split_commas)]


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        """TikTok's JSON is outside input too: a lone surrogate in a nickname would otherwise
        fail at the database, long after the answer was accepted."""
        check_strings(value)
        return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class TokenSet(_Response):
    """The token endpoint's answer; `*_expires_in` are seconds remaining when it was issued.

    Refresh tokens may rotate (TikTok's Nov 2026 revision): always store the returned one.
    """

    open_id: str
    scope: Scopes
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    token_type: str = "Bearer"


class UserInfo(_Response):
    """`/v2/user/info/`: only the fields requested (and granted) come back."""

    open_id: str
    union_id: str | None = None
    avatar_url: str | None = None
    display_name: str | None = None
    username: str | None = None


class CreatorInfo(_Response):
    """What the creator may post right now; TikTok's UX rules require a fresh copy per post."""

    creator_avatar_url: str | None = None
    creator_username: str
    creator_nickname: str
    privacy_level_options: list[str]
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int


class PostInfo(_Request):
    """`post_info` of a direct video post.

    Brand toggles default to False explicitly: TikTok's table calls `brand_content_toggle`
    required, and sending False is harmless where it is optional.
    """

    title: str | None = None
    privacy_level: str
    disable_duet: bool | None = None
    disable_stitch: bool | None = None
    disable_comment: bool | None = None
    video_cover_timestamp_ms: int | None = Field(default=None, ge=0)
    brand_content_toggle: bool = False
    brand_organic_toggle: bool = False
    is_aigc: bool = False


class PhotoPostInfo(_Request):
    """`post_info` of a photo post; most fields only matter for DIRECT_POST."""

    title: str | None = None
    description: str | None = None
    privacy_level: str | None = None
    disable_comment: bool | None = None
    auto_add_music: bool | None = None
    brand_content_toggle: bool | None = None
    brand_organic_toggle: bool | None = None


class InitResult(_Response):
    """An accepted init; `upload_url` exists for FILE_UPLOAD only and lives one hour.

    `chunk_plan` is the plan that was declared, so the upload can follow it exactly.
    """

    publish_id: str
    upload_url: str | None = None
    chunk_plan: ChunkPlan | None = Field(default=None, exclude=True)


class PublishStatus(_Response):
    """`/v2/post/publish/status/fetch/`; `publicaly_available_post_id` keeps TikTok's typo."""

    status: str
    fail_reason: str | None = None
    publicaly_available_post_id: list[int] = Field(default_factory=list)
    uploaded_bytes: int | None = None
    downloaded_bytes: int | None = None

    @field_validator("publicaly_available_post_id", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def is_final(self) -> bool:
        """True once TikTok will not move on by itself (an inbox draft waits on the creator)."""
        return self.status in FINAL_STATUSES

    @property
    def is_complete(self) -> bool:
        return self.status == "PUBLISH_COMPLETE"

    @property
    def is_failed(self) -> bool:
        return self.status == "FAILED"

    @property
    def is_in_inbox(self) -> bool:
        return self.status == "SEND_TO_USER_INBOX"

    @property
    def failure_is_retryable(self) -> bool:
        """A FAILED task a fresh init may fix (TikTok-side error or a pull that timed out)."""
        return self.is_failed and self.fail_reason in RETRYABLE_FAIL_REASONS
