"""Typed async client for TikTok's Login Kit v2 and Content Posting API.

The service codes against this package only; it knows nothing of tikpost's database or the
sandbox, so the same client talks to TikTok in production and to the emulator in tests.
"""

from tikpost.tiktok import errors
from tikpost.tiktok.app import TikTokApp
from tikpost.tiktok.base import EventHooks
from tikpost.tiktok.models import (
    CreatorInfo,
    InitResult,
    PhotoPostInfo,
    PostInfo,
    PublishStatus,
    TokenSet,
    UserInfo,
)
from tikpost.tiktok.oauth import TikTokOAuthClient, build_authorize_url
from tikpost.tiktok.posting import TikTokPostingClient
from tikpost.tiktok.upload import ChunkPlan, plan_chunks, upload_chunks

__all__ = [
    "ChunkPlan",
    "CreatorInfo",
    "EventHooks",
    "InitResult",
    "PhotoPostInfo",
    "PostInfo",
    "PublishStatus",
    "TikTokApp",
    "TikTokOAuthClient",
    "TikTokPostingClient",
    "TokenSet",
    "UserInfo",
    "build_authorize_url",
    "errors",
    "plan_chunks",
    "upload_chunks",
]
