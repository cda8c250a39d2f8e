"""What the accounts domain shows clients: never tokens, never ciphertext."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tikpost.accounts.models import AccountStatus


class ConnectStarted(BaseModel):
    """Send the creator's browser to `authorize_url`; TikTok sends it back to tikpost."""

    authorize_url: str
    state: str
    expires_at: datetime


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    open_id: str = Field(description="TikTok's id for this creator within this app.")
    username: str | None
    display_name: str | None
    avatar_url: str | None
    scopes: list[str]
    status: AccountStatus
    status_reason: str | None = Field(description="Why the account is not ready, if it is not.")
    access_expires_at: datetime | None = Field(description="When the current access token ends.")
    refresh_expires_at: datetime | None = Field(
        description="When the creator must connect again at the latest."
    )
    created_at: datetime
    updated_at: datetime


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
