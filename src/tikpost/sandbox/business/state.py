"""What the emulated Business API remembers: its accounts, tokens, codes and posts.

Plain data only (no clock, no I/O): `SandboxState` holds one `BusinessState`, and the routes,
which see both, do the work.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

FINAL_STATUSES = frozenset({"PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"})


@dataclass
class BusinessAccount:
    """A TikTok account connected to the Business API app; `open_id` is its `business_id`."""

    open_id: str
    username: str
    display_name: str
    privacy_level_options: list[str]
    max_video_post_duration_sec: int
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False

    def view(self) -> dict[str, Any]:
        return {
            "open_id": self.open_id,
            "username": self.username,
            "display_name": self.display_name,
            "privacy_level_options": self.privacy_level_options,
            "max_video_post_duration_sec": self.max_video_post_duration_sec,
            "comment_disabled": self.comment_disabled,
            "duet_disabled": self.duet_disabled,
            "stitch_disabled": self.stitch_disabled,
        }


@dataclass
class BusinessToken:
    value: str
    kind: Literal["access", "refresh"]
    open_id: str
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False

    def usable(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class BusinessAuthCode:
    value: str
    open_id: str
    scopes: frozenset[str]
    redirect_uri: str
    expires_at: float
    used: bool = False


@dataclass
class Sound:
    """The commercial sound a video was published with, as it will play.

    Volumes are what TikTok applies: the documented default of each is 0, so a request that
    names a track but no volumes publishes a silent post, which `audio` says plainly.
    """

    music_sound_id: str
    commercial_music_id: str
    title: str
    clip_duration_ms: int
    music_sound_volume: int
    video_original_sound_volume: int
    music_sound_start: int
    music_sound_end: int | None
    applied: bool = True

    def view(self) -> dict[str, Any]:
        return {
            "music_sound_id": self.music_sound_id,
            "commercial_music_id": self.commercial_music_id,
            "title": self.title,
            "clip_duration_ms": self.clip_duration_ms,
            "music_sound_volume": self.music_sound_volume,
            "video_original_sound_volume": self.video_original_sound_volume,
            "music_sound_start": self.music_sound_start,
            "music_sound_end": self.music_sound_end,
            "applied": self.applied,
        }


def audio_of(sound: Sound | None) -> str:
    """What a viewer hears: the original sound alone, the track, both, or nothing at all."""
    if sound is None or not sound.applied:
        return "original"
    music, original = sound.music_sound_volume > 0, sound.video_original_sound_volume > 0
    if music and original:
        return "mixed"
    if music:
        return "music_only"
    return "original_only" if original else "mute"


@dataclass
class BusinessPost:
    share_id: str
    open_id: str
    media_type: Literal["VIDEO", "PHOTO"]
    post_info: dict[str, Any]
    created_at: float
    draft: bool
    status: str = "PROCESSING_DOWNLOAD"
    reason: str | None = None
    updated_at: float = 0.0
    video_url: str | None = None
    photo_urls: list[str] = field(default_factory=list)
    photo_cover_index: int | None = None
    sound: Sound | None = None
    downloaded_bytes: int = 0
    media: dict[str, Any] | None = None
    photos: list[dict[str, Any]] = field(default_factory=list)
    post_ids: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def view(self) -> dict[str, Any]:
        return {
            "share_id": self.share_id,
            "business_id": self.open_id,
            "media_type": self.media_type,
            "status": self.status,
            "reason": self.reason,
            "draft": self.draft,
            "post_info": self.post_info,
            "video_url": self.video_url,
            "photo_urls": self.photo_urls,
            "photo_cover_index": self.photo_cover_index,
            "sound": self.sound.view() if self.sound else None,
            "audio": audio_of(self.sound),
            "downloaded_bytes": self.downloaded_bytes,
            "media": self.media,
            "photos": self.photos,
            "post_ids": self.post_ids,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass
class BusinessState:
    accounts: dict[str, BusinessAccount] = field(default_factory=dict)
    tokens: dict[str, BusinessToken] = field(default_factory=dict)
    codes: dict[str, BusinessAuthCode] = field(default_factory=dict)
    posts: dict[str, BusinessPost] = field(default_factory=dict)
    # Publish calls per account in the last minute (TikTok's six a minute).
    publish_windows: dict[str, deque[float]] = field(default_factory=dict)

    def posts_of(self, open_id: str) -> list[BusinessPost]:
        return [post for post in self.posts.values() if post.open_id == open_id]
