"""The emulated Business API app and the Accounts API's documented limits.

A separate app from the Content Posting one (its own client id and secret), as TikTok's
developer portal makes it; the numbers are the publish page's (docs/sandbox.md cites them).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

DEFAULT_BUSINESS_CLIENT_ID = "sandbox-business-app"
DEFAULT_BUSINESS_CLIENT_SECRET = "sandbox-business-secret"
DEFAULT_BUSINESS_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/tiktok-business/callback"
DEFAULT_BUSINESS_SCOPES = ("user.info.basic", "video.list", "video.publish", "video.upload")
BUSINESS_SCOPES = frozenset(
    {
        "user.info.basic",
        "user.info.username",
        "user.info.stats",
        "video.list",
        "video.publish",
        "video.upload",
    }
)


class BusinessConfig(BaseModel):
    """One Business API app; limits per TikTok account, as the publish page states them."""

    client_id: str = DEFAULT_BUSINESS_CLIENT_ID
    client_secret: str = DEFAULT_BUSINESS_CLIENT_SECRET
    redirect_uris: list[str] = Field(default_factory=lambda: [DEFAULT_BUSINESS_REDIRECT_URI])
    access_token_ttl_sec: int = 86400
    refresh_token_ttl_sec: int = 365 * 86400
    auth_code_ttl_sec: int = 600
    posts_per_minute: int = 6
    posts_per_day: int = 15
    # "The maximum video size is 1 GB"; binary, like the Content Posting sandbox's 4 GB.
    max_video_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    max_video_duration_sec: int = 600
    caption_max: int = 2200
    photo_caption_max: int = 4000
    photo_title_max: int = 90
