"""The post resource and the request that creates one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from tikpost.accounts.models import AccountApi
from tikpost.accounts.schemas import PrivacyLevel as PrivacyLevel
from tikpost.kit.parse import INT32_MAX, RequestModel, to_utc
from tikpost.posts.statuses import PostStatus


class SoundChoice(RequestModel):
    """A commercial sound on a business account's video (TikTok's API for Business).

    TikTok defaults both volumes to 0, which publishes a silent post; tikpost's defaults are
    the TikTok app's own 50 and 50, so a sound named alone is heard.
    """

    id: str = Field(
        min_length=1, max_length=64, description="A sound's `id` from GET /v1/accounts/{id}/sounds."
    )
    volume: int = Field(default=50, ge=0, le=100, description="The sound's volume, 0-100.")
    original_volume: int = Field(
        default=50, ge=0, le=100, description="The video's own audio, 0-100 (0 mutes it)."
    )
    start_ms: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="Where in the clip the sound starts."
    )
    end_ms: int | None = Field(
        default=None, ge=1, le=INT32_MAX, description="Where it ends; omitted: the video's end."
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end_ms is not None and self.end_ms <= (self.start_ms or 0):
            raise ValueError("end_ms must be after start_ms")
        return self


class PostCreate(RequestModel):
    """One video (or photo carousel) to one account, now or at `scheduled_at`.

    `mode=direct` publishes (TikTok's Direct Post); `mode=draft` sends the video to the
    creator's TikTok inbox, where they finish it in the app — drafts take no caption, privacy or
    interaction settings, because TikTok lets the creator choose those there. Photo drafts are
    the exception TikTok makes: they take a title and description.
    """

    account_id: str = Field(max_length=64)
    mode: Literal["direct", "draft"] = "direct"
    video: str | None = Field(
        default=None, max_length=64, description="A media id from POST /v1/media."
    )
    video_url: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="A video by http(s) URL instead of `video`. Under a prefix listed in "
        "TIKPOST_VERIFIED_URL_PREFIXES, TikTok pulls it itself (PULL_FROM_URL); otherwise "
        "tikpost fetches it now, before accepting the post, so every video rule applies.",
    )
    photos: list[Annotated[str, Field(min_length=1, max_length=2000)]] | None = Field(
        default=None,
        min_length=1,
        max_length=35,
        description="A photo carousel instead of a video: 1 to 35 images, in order, each an "
        "image media id (POST /v1/media, or the items of POST /v1/media/zip) or an http(s) URL. "
        "URLs are fetched now, before the post is accepted, exactly like POST /v1/media "
        '{"url"} (SSRF guard, size cap, probe; PNGs and photos over 1080 px are converted '
        "like uploads); if any fails, the request is refused naming the item (`photos[2]`) "
        "and nothing fetched is kept.",
    )
    photo_cover_index: int | None = Field(
        default=None, ge=0, le=34, description="Photos only: which photo (0-based) is the cover."
    )
    description: str | None = Field(
        default=None, description="Photos only: text under the carousel; 4000 UTF-16 units."
    )
    auto_add_music: bool = Field(
        default=False, description="Photos only (direct): let TikTok add recommended music."
    )
    title: str | None = Field(
        default=None, description="Caption, with #hashtags and @mentions; 2200 UTF-16 units."
    )
    privacy_level: PrivacyLevel | None = Field(
        default=None,
        description="For direct posts: one the creator offers (creator-info). Omitted: the "
        "account's default_privacy_level; with none set, the post is accepted and waits in "
        "awaiting_review (review_reason privacy_level_required) for a person to choose.",
    )
    disable_comment: bool = False
    disable_duet: bool = False
    disable_stitch: bool = False
    brand_organic_toggle: bool = Field(default=False, description="Promotes the creator's brand.")
    brand_content_toggle: bool = Field(
        default=False, description="Paid partnership; cannot be private (SELF_ONLY)."
    )
    is_aigc: bool = Field(default=False, description="Label the video as AI-generated.")
    video_cover_timestamp_ms: int | None = Field(default=None, ge=0, le=INT32_MAX)
    scheduled_at: Annotated[AwareDatetime, AfterValidator(to_utc)] | None = Field(
        default=None, description="RFC 3339 with a timezone; omitted or past means now."
    )
    webhook_url: AnyHttpUrl | None = Field(
        default=None, description="Also notify this URL (signed like team webhook endpoints)."
    )
    on_cap: Literal["wait", "fail"] = Field(
        default="wait",
        description="When the creator has hit TikTok's daily post cap: wait for the window to "
        "reopen and post then (`wait`), or fail at once (`fail`).",
    )
    transcode: bool | None = Field(
        default=None,
        description="Videos: convert one TikTok would refuse (other codec or container, frame "
        "rate outside 23-60 fps, a side outside 360-4096 px) to H.264/AAC MP4 before uploading; "
        "a video that already passes is sent as it is. Omitted: the server's "
        "TIKPOST_TRANSCODE_DEFAULT (false unless set).",
    )
    sound: SoundChoice | None = Field(
        default=None,
        description="Business accounts only (`api: business`; 422 sound_needs_business_account "
        "otherwise): a commercial sound from GET /v1/accounts/{id}/sounds, published through "
        "TikTok's API for Business with the volumes given.",
    )
    review: Literal["required", "none"] | None = Field(
        default=None,
        description="`required`: the post waits in `awaiting_review` until a person approves it "
        "(POST /v1/posts/{id}/approve, or the dashboard's review queue); nothing is sent to "
        "TikTok before. `none`: publish without review. Omitted: the team's "
        "`review_by_default` (GET /v1/team).",
    )


class PostUpdate(RequestModel):
    """What a person (or the caller) may change on a post awaiting review; only the fields
    given change. On a scheduled post, `scheduled_at` alone reschedules it."""

    title: str | None = None
    description: str | None = None
    privacy_level: PrivacyLevel | None = None
    disable_comment: bool = False
    disable_duet: bool = False
    disable_stitch: bool = False
    brand_organic_toggle: bool = False
    brand_content_toggle: bool = False
    is_aigc: bool = False
    auto_add_music: bool = False
    video_cover_timestamp_ms: int | None = Field(default=None, ge=0, le=INT32_MAX)
    photo_cover_index: int | None = Field(default=None, ge=0, le=34)
    sound: SoundChoice | None = Field(
        default=None, description="Business accounts: another sound, or null for none."
    )
    scheduled_at: Annotated[AwareDatetime, AfterValidator(to_utc)] | None = Field(
        default=None, description="RFC 3339 with a timezone; null means as soon as approved."
    )


class ReviewRejection(RequestModel):
    reason: str = Field(min_length=1, max_length=2000, description="Shown as the post's error.")


class PostEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    status: str
    message: str
    data: dict[str, Any]


class PostError(BaseModel):
    code: str = Field(description="Stable tikpost error code.")
    message: str = Field(description="What happened and what to do about it.")
    fail_reason: str | None = Field(description="TikTok's raw fail_reason, if TikTok gave one.")


class PostRead(BaseModel):
    id: str
    account_id: str
    status: PostStatus
    mode: Literal["direct", "draft"]
    media_type: Literal["video", "photo"] = "video"
    api: AccountApi = Field(
        default=AccountApi.CONTENT_POSTING,
        description="The TikTok API it publishes through: its account's (`business`: TikTok's "
        "API for Business, public videos with an optional sound).",
    )
    video: str | None
    photos: list[str] | None = None
    photo_cover_index: int | None = None
    description: str | None = None
    auto_add_music: bool = False
    title: str | None
    privacy_level: str | None
    disable_comment: bool
    disable_duet: bool
    disable_stitch: bool
    brand_organic_toggle: bool
    brand_content_toggle: bool
    is_aigc: bool
    video_cover_timestamp_ms: int | None
    scheduled_at: datetime | None
    webhook_url: str | None
    on_cap: Literal["wait", "fail"]
    transcode: bool = False
    transcoded_video: str | None = Field(
        default=None,
        description="The media id of the H.264/AAC MP4 made for TikTok, once transcoded; "
        "the post uploads it instead of `video`.",
    )
    video_url: str | None = None
    sound: SoundChoice | None = Field(
        default=None, description="The commercial sound (business accounts), with its volumes."
    )
    attempt: int
    publish_id: str | None = Field(description="TikTok's publish_id once the post is initialised.")
    uploaded_bytes: int
    tiktok_post_id: str | None = Field(description="The live post's id, for public posts.")
    post_url: str | None
    error: PostError | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    review_required: bool = Field(
        default=False, description="Held for a person's review before publishing."
    )
    reviewed_at: datetime | None = Field(
        default=None, description="When it was approved or rejected; null again after an edit."
    )
    review_note: str | None = Field(default=None, description="The reason given on rejection.")
    review_reason: str | None = Field(
        default=None,
        description="Why it waits beyond consent: `privacy_level_required` (a direct post "
        "that named no privacy_level, its account having no default): set one with "
        "PATCH /v1/posts/{id} before approving.",
    )
    consent: Literal["api_key", "dashboard"] | None = Field(
        default=None, description="How the creator's consent was given; null until it was."
    )
    consent_by: str | None = Field(
        default=None, description="The API key's id (`key_…`) or dashboard session's (`ses_…`)."
    )
    consent_at: datetime | None = None
    events: list[PostEventRead]


class PostPage(BaseModel):
    items: list[PostRead]
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page.")
