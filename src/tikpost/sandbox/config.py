"""Everything about the emulated TikTok that an operator may want to change.

Defaults follow TikTok's newest documents; where TikTok's documents disagree with each other the
alternative is one field away, so a user who sees production behave differently can match it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tikpost.sandbox.business.config import BusinessConfig

DEFAULT_CLIENT_KEY = "sbawtestclientkey"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/tiktok/callback"
DEFAULT_SCOPES = ("user.info.basic", "user.info.profile", "video.publish", "video.upload")
KNOWN_SCOPES = frozenset(
    {
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
        "video.list",
        "video.publish",
        "video.upload",
    }
)

MIB = 1024 * 1024


class RateLimits(BaseModel):
    """Requests allowed per access token per endpoint in a sliding minute (TikTok's numbers)."""

    creator_info: int = 20
    video_init: int = 6
    inbox_video_init: int = 6
    content_init: int = 6
    status_fetch: int = 30
    cancel: int = 30
    user_info: int = 600


class ChunkRules(BaseModel):
    """TikTok's media-transfer rules; the MB unit is ambiguous in TikTok's docs, so bytes here."""

    min_chunk_size: int = 5 * MIB
    max_chunk_size: int = 64_000_000
    max_final_chunk_size: int = 128_000_000
    max_chunk_count: int = 1000
    max_video_size: int = 4 * 1024 * MIB


class MediaRules(BaseModel):
    """What the emulated processing accepts, checked on the real bytes with PyAV."""

    min_duration_sec: float = 3.0
    min_fps: float = 23.0
    max_fps: float = 60.0
    min_side_px: int = 360
    max_side_px: int = 4096
    max_photo_short_side_px: int = 1080
    max_photo_bytes: int = 20 * MIB
    max_photos: int = 35


class SandboxConfig(BaseModel):
    """One emulated TikTok app (client key, secret, redirect URIs) and the platform's rules."""

    client_key: str = DEFAULT_CLIENT_KEY
    client_secret: str = DEFAULT_CLIENT_SECRET
    redirect_uris: list[str] = Field(default_factory=lambda: [DEFAULT_REDIRECT_URI])
    audited: bool = False
    # The scopes TikTok has approved for this app; calls needing others get scope_permission_missed.
    app_scopes: frozenset[str] = KNOWN_SCOPES
    verified_url_prefixes: list[str] = Field(default_factory=list)
    processing_delay_sec: float = 2.0
    # A chunk whose body stops arriving for this long is dropped (408), as web servers drop a
    # stalled request; otherwise a client frozen mid-chunk would hold its upload forever.
    upload_idle_timeout_sec: float = Field(default=30.0, gt=0)
    webhook_url: str | None = None
    seed: int | None = None

    # Token lifetimes: TikTok's Nov 2026 revision (2 h / 180 d, rotated refresh tokens). The older
    # documents say 24 h / 365 d and may return the same refresh token: set these to match.
    access_token_ttl_sec: int = 2 * 3600
    refresh_token_ttl_sec: int = 180 * 86400
    rotate_refresh_tokens: bool = True
    auth_code_ttl_sec: int = 600

    # The posting pages spell the error `invalid_param`; real responses carry `invalid_params`.
    invalid_params_code: str = "invalid_params"
    # creator_info answers spam-risk errors with HTTP 200 "intentionally", per TikTok's page.
    creator_info_error_status: int = 200
    upload_url_ttl_sec: int = 3600
    pull_timeout_sec: float = 3600.0

    # Captions containing any of these end FAILED with spam_risk_text, as TikTok's moderation would.
    spam_words: list[str] = Field(default_factory=list)
    # Photo MEDIA_UPLOAD needs TikTok app 31.8 or later on the creator's phone.
    min_app_version_for_photo_drafts: str = "31.8"
    daily_post_cap: int = 15
    pending_inbox_cap: int = 5
    unaudited_active_user_cap: int = 5
    default_max_video_post_duration_sec: int = 600

    rate_limits: RateLimits = Field(default_factory=RateLimits)
    chunk_rules: ChunkRules = Field(default_factory=ChunkRules)
    media_rules: MediaRules = Field(default_factory=MediaRules)
    # The second app: TikTok's API for Business (sandbox/business/).
    business: BusinessConfig = Field(default_factory=BusinessConfig)
