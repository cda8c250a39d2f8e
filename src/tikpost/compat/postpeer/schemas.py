"""PostPeer's request and response bodies, with its own field names (camelCase), mirroring the
shapes its documentation publishes for the TikTok subset tikpost serves.

Response models keep PostPeer's required fields required and its nullable ones nullable, so
a client generated from PostPeer's examples parses tikpost's answers unchanged; the tests
validate every answer against them.
"""

# PostPeer's own field names are camelCase: the wire format is the contract.
# ruff: noqa: N815

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tikpost.kit.parse import INT32_MAX, RequestModel
from tikpost.posts.schemas import PrivacyLevel

# PostPeer's post-level statuses; `pending` is tikpost's: accepted, not yet on TikTok.
PostStatus = Literal["draft", "scheduled", "pending", "published", "failed", "partial"]
# Per platform: waiting, on its way to TikTok, or done.
PlatformStatus = Literal["pending", "processing", "published", "failed", "cancelled"]


class TikTokOptions(RequestModel):
    """`platformSpecificData` of the TikTok target (PostPeer's TikTok page)."""

    privacyLevel: PrivacyLevel | None = None
    disableComment: bool = False
    disableDuet: bool = False
    disableStitch: bool = False
    brandContentToggle: bool = False
    brandOrganicToggle: bool = False
    isAigc: bool = False
    videoCoverTimestampMs: int | None = Field(default=None, ge=0, le=INT32_MAX)
    autoAddMusic: bool = False
    photoCoverIndex: int | None = Field(default=None, ge=0, le=34)
    draft: bool = False


class PlatformTarget(RequestModel):
    platform: str = Field(min_length=1, max_length=40)
    accountId: str = Field(min_length=1, max_length=64)
    content: str | None = Field(default=None, description="This platform's text instead.")
    # Another platform's options are its own business: kept as given, never read.
    platformSpecificData: dict[str, Any] | None = None


class MediaItem(RequestModel):
    type: Literal["image", "video", "gif"]
    url: str = Field(min_length=1, max_length=2000)
    thumbnail: str | None = Field(default=None, max_length=2000)


class CreatePostRequest(RequestModel):
    content: str
    platforms: list[PlatformTarget] = Field(min_length=1, max_length=20)
    mediaItems: list[MediaItem] | None = Field(default=None, max_length=35)
    publishNow: bool | None = None
    scheduledFor: str | None = Field(default=None, max_length=64)
    # The name PostPeer's older pages use for `scheduledFor`.
    scheduledAt: str | None = Field(default=None, max_length=64)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)


class RescheduleRequest(RequestModel):
    scheduledFor: str = Field(max_length=64)
    timezone: str = Field(default="UTC", min_length=1, max_length=64)


class UploadRequest(RequestModel):
    filename: str = Field(min_length=1, max_length=255)
    mimeType: str = Field(min_length=1, max_length=100)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreatedPlatform(_Answer):
    platform: str
    success: bool
    platformPostUrl: str | None = None
    error: str | None = None


class CreatePostResponse(_Answer):
    success: bool
    status: PostStatus
    postId: str
    scheduledFor: str | None = None
    platforms: list[CreatedPlatform]


class MediaItemRead(_Answer):
    type: Literal["image", "video", "gif"]
    url: str
    filename: str
    size: int
    mimeType: str


class PlatformRead(_Answer):
    platform: str
    status: PlatformStatus
    platformPostId: str | None
    platformPostUrl: str | None
    publishedAt: str | None
    errorMessage: str | None


class PostPeerPost(_Answer):
    postId: str
    content: str
    status: PostStatus
    scheduledFor: str | None
    timezone: str
    mediaItems: list[MediaItemRead]
    platforms: list[PlatformRead]
    crosspostingEnabled: bool
    createdAt: str
    updatedAt: str


class PostAnswer(_Answer):
    success: bool
    post: PostPeerPost


class PostList(_Answer):
    success: bool
    total: int
    posts: list[PostPeerPost]


class ScheduledPlatform(_Answer):
    platform: str
    status: PlatformStatus


class ScheduledPost(_Answer):
    postId: str
    content: str
    scheduledFor: str
    timezone: str
    mediaItems: list[MediaItemRead]
    platforms: list[ScheduledPlatform]
    createdAt: str


class ScheduledList(_Answer):
    success: bool
    total: int
    posts: list[ScheduledPost]


class Message(_Answer):
    success: bool
    message: str


class Rescheduled(_Answer):
    success: bool
    message: str
    scheduledFor: str


class ConnectUrl(_Answer):
    url: str


class Integration(_Answer):
    id: str
    platform: str
    platformUserId: str | None
    displayName: str | None
    imageUrl: str | None
    profileId: str | None
    createdAt: str


class IntegrationList(_Answer):
    success: bool
    total: int
    integrations: list[Integration]


class IntegrationAnswer(_Answer):
    success: bool
    integration: Integration


class CreatorInfo(_Answer):
    success: bool
    creatorUsername: str
    creatorNickname: str
    creatorAvatarUrl: str | None
    privacyLevelOptions: list[str]
    commentDisabled: bool
    duetDisabled: bool
    stitchDisabled: bool
    maxVideoPostDurationSec: int


class UploadUrls(_Answer):
    uploadUrl: str
    publicUrl: str


class UploadAnswer(_Answer):
    success: bool
    data: UploadUrls


class Health(_Answer):
    ok: bool


class ErrorAnswer(_Answer):
    """tikpost's error body under /compat/postpeer: PostPeer's `success: false`, the message,
    and tikpost's stable code and field (PostPeer publishes no error schema of its own)."""

    success: bool
    error: str
    code: str
    field: str | None
