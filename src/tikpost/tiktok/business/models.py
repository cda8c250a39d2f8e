"""The Business API's request and response bodies as pydantic models.

`music_sound_info` sits inside `post_info` (not beside it), and its two volumes are required
here although TikTok defaults both to 0: a caller that forgets them would publish a silent
video, so the model makes the choice explicit.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tikpost.kit.parse import check_strings
from tikpost.tiktok.models import Scopes, TokenSet

FINAL_STATUSES = frozenset({"PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"})
DATE_RANGES = ("1DAY", "7DAY", "30DAY", "90DAY")


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        """Outside input like any other: a lone surrogate must fail here, not at the database."""
        check_strings(value)
        return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class BusinessTokenSet(_Response):
    """`/tt_user/oauth2/token/` and `/refresh_token/`; `open_id` is every call's `business_id`.
    The refresh token rotates: store the one returned."""

    open_id: str
    scope: Scopes
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_token_expires_in: int
    token_type: str = "Bearer"

    def as_token_set(self) -> TokenSet:
        """The same tokens in the Content Posting shape, so one store serves both apps."""
        return TokenSet(
            open_id=self.open_id,
            scope=self.scope,
            access_token=self.access_token,
            expires_in=self.expires_in,
            refresh_token=self.refresh_token,
            refresh_expires_in=self.refresh_token_expires_in,
            token_type=self.token_type,
        )


class BusinessProfile(_Response):
    """`/business/get/`: who the account is (the Business API has no creator_info)."""

    username: str
    display_name: str | None = None
    profile_image: str | None = None


class VideoSettings(_Response):
    """`/business/video/settings/`: the Business API's creator_info."""

    privacy_level_options: list[str]
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int


class MusicSoundInfo(_Request):
    """A commercial sound on a video: a song clip's id (never a `commercial_music_id`), both
    volumes 0-100, and optionally the part of the clip in milliseconds."""

    music_sound_id: str = Field(min_length=1)
    music_sound_volume: int = Field(ge=0, le=100)
    video_original_sound_volume: int = Field(ge=0, le=100)
    music_sound_start: int | None = Field(default=None, ge=0)
    music_sound_end: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.music_sound_end is not None and self.music_sound_end <= (
            self.music_sound_start or 0
        ):
            raise ValueError("music_sound_end must be after music_sound_start")
        return self


class PhotoSound(_Request):
    """A photo post's sound: TikTok documents no volumes for photos."""

    music_sound_id: str = Field(min_length=1)


class BusinessPostInfo(_Request):
    """`post_info` of a video. No privacy field: Business API videos are public."""

    caption: str | None = None
    is_brand_organic: bool = False
    is_branded_content: bool = False
    disable_comment: bool | None = None
    disable_duet: bool | None = None
    disable_stitch: bool | None = None
    is_ai_generated: bool | None = None
    thumbnail_offset: int | None = Field(default=None, ge=0)
    upload_to_draft: bool | None = None
    music_sound_info: MusicSoundInfo | None = None

    @model_validator(mode="after")
    def _draft_takes_nothing_else(self) -> Self:
        """A draft ignores every other field: a sound sent with one would silently vanish."""
        if self.upload_to_draft and self.music_sound_info is not None:
            raise ValueError("a draft (upload_to_draft) ignores music_sound_info")
        return self


class BusinessPhotoPostInfo(_Request):
    """`post_info` of a photo carousel; photos, unlike videos, take a privacy_level."""

    title: str | None = None
    caption: str | None = None
    privacy_level: str | None = None
    disable_comment: bool | None = None
    auto_add_music: bool | None = None
    is_brand_organic: bool = False
    is_branded_content: bool = False
    is_draft: bool | None = None
    music_sound_info: PhotoSound | None = None


class BusinessPublishStatus(_Response):
    """`/business/publish/status/`: `post_ids` may lag behind PUBLISH_COMPLETE."""

    status: str
    reason: str | None = None
    post_ids: list[str] = Field(default_factory=list)

    @field_validator("post_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return [] if value is None else [str(item) for item in value]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_complete(self) -> bool:
        return self.status == "PUBLISH_COMPLETE"

    @property
    def is_failed(self) -> bool:
        return self.status == "FAILED"


class SongClip(_Response):
    """A publishable clip of a track: its `song_clip_id` is what `music_sound_id` takes."""

    song_clip_id: str
    duration: int | None = None  # seconds
    preview_url: str | None = None


class TrendingTrack(_Response):
    """One entry of `/discovery/cml/trending_list/`; durations are seconds, as TikTok's."""

    commercial_music_id: str
    commercial_music_name: str | None = None
    artist: str | None = None
    duration: int | None = None
    genres: list[str] = Field(default_factory=list)
    preview_url: str | None = None
    thumbnail_url: str | None = None
    full_duration_song_clip: SongClip | None = None
    trending_song_clip: SongClip | None = None

    @property
    def clips(self) -> list[SongClip]:
        """The clips a post may use; none at all means the track cannot be published."""
        return [c for c in (self.full_duration_song_clip, self.trending_song_clip) if c]
