"""Typed async client for TikTok's API for Business (its Accounts API): a second way to publish,
to business accounts, which alone takes a commercial sound (`music_sound_info`).

Like the rest of `tikpost.tiktok` it knows nothing of the service; failures are the same
`tikpost.tiktok.errors` classes the Content Posting client raises.
"""

from tikpost.tiktok.business.accounts import BusinessAccountClient
from tikpost.tiktok.business.app import BUSINESS_API_URL, TikTokBusinessApp
from tikpost.tiktok.business.models import (
    BusinessPhotoPostInfo,
    BusinessPostInfo,
    BusinessProfile,
    BusinessPublishStatus,
    BusinessTokenSet,
    MusicSoundInfo,
    PhotoSound,
    SongClip,
    TrendingTrack,
    VideoSettings,
)
from tikpost.tiktok.business.oauth import BusinessOAuthClient

__all__ = [
    "BUSINESS_API_URL",
    "BusinessAccountClient",
    "BusinessOAuthClient",
    "BusinessPhotoPostInfo",
    "BusinessPostInfo",
    "BusinessProfile",
    "BusinessPublishStatus",
    "BusinessTokenSet",
    "MusicSoundInfo",
    "PhotoSound",
    "SongClip",
    "TikTokBusinessApp",
    "TrendingTrack",
    "VideoSettings",
]
