"""What the accounts domain shows clients: never tokens, never ciphertext."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tikpost.accounts.models import AccountApi, AccountStatus
from tikpost.kit.parse import RequestModel

# TikTok's privacy levels; which of them a creator offers is in their creator_info.
PrivacyLevel = Literal[
    "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
]


class ConnectStarted(BaseModel):
    """Send the creator's browser to `authorize_url`; TikTok sends it back to tikpost."""

    authorize_url: str
    state: str
    expires_at: datetime


class ConnectRequest(RequestModel):
    api: AccountApi = Field(
        default=AccountApi.CONTENT_POSTING,
        description="`business`: connect through the server's TikTok API for Business app "
        "instead: the account then posts public videos and photos only, and may add a "
        "commercial sound (`sound`) to its posts. 409 business_api_not_configured without one.",
    )
    redirect_uri: str | None = Field(
        default=None,
        max_length=2000,
        description="Your page to send the creator's browser to afterwards, with `account_id` "
        "and `status=connected`, or `error`; its origin must be in "
        "TIKPOST_CONNECT_REDIRECT_ORIGINS.",
    )
    cancel_redirect_uri: str | None = Field(
        default=None,
        max_length=2000,
        description="Where a creator who declines goes instead (with `error=access_denied`); "
        "same origin rule.",
    )


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    open_id: str = Field(description="TikTok's id for this creator within this app.")
    username: str | None
    display_name: str | None
    avatar_url: str | None
    scopes: list[str]
    status: AccountStatus
    api: AccountApi = Field(
        default=AccountApi.CONTENT_POSTING,
        description="The TikTok API the account posts through: `content_posting` (TikTok's "
        "Content Posting API), or `business` (TikTok's API for Business: public posts only, "
        "commercial sounds; GET /v1/accounts/{id}/sounds).",
    )
    status_reason: str | None = Field(description="Why the account is not ready, if it is not.")
    access_expires_at: datetime | None = Field(description="When the current access token ends.")
    refresh_expires_at: datetime | None = Field(
        description="When the creator must connect again at the latest."
    )
    default_privacy_level: PrivacyLevel | None = Field(
        default=None,
        description="What a direct post naming no privacy_level uses; null: such a post waits "
        "in awaiting_review for a person to choose (reason privacy_level_required).",
    )
    created_at: datetime
    updated_at: datetime


class AccountUpdate(RequestModel):
    """What a person may change on an account."""

    default_privacy_level: PrivacyLevel | None = Field(
        description="One of the creator's privacy_level_options (checked against TikTok's "
        "creator_info now), or null for no default."
    )


class AccountList(BaseModel):
    items: list[AccountRead]


class CreatorInfoRead(BaseModel):
    """TikTok's creator_info, live: what a composer must offer before a direct post."""

    creator_username: str
    creator_nickname: str
    creator_avatar_url: str | None
    privacy_level_options: list[str]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool
    max_video_post_duration_sec: int


class SoundRead(BaseModel):
    """A commercial sound a business account's post may use: one clip of a trending track."""

    id: str = Field(description="The clip's id: what a post's `sound.id` takes.")
    clip: Literal["trending", "full"] = Field(
        description="The track's trending part, or the whole track."
    )
    track_id: str = Field(description="TikTok's commercial_music_id (not publishable itself).")
    name: str
    artist: str | None
    duration_sec: int | None = Field(description="The clip's length in seconds.")
    genres: list[str]
    preview_url: str | None
    thumbnail_url: str | None


class TrendingQuery(BaseModel):
    """The filters TikTok's trending list takes; it has no search and no paging."""

    country_code: str = Field(
        default="US", pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2, upper case."
    )
    genre: str = Field(
        default="ALL", max_length=40, description="ALL, or a CML genre such as POP or ROCK."
    )
    date_range: Literal["1DAY", "7DAY", "30DAY", "90DAY"] = Field(
        default="7DAY", description="Trending over the last day, week, month or quarter."
    )


class SoundList(BaseModel):
    items: list[SoundRead]
