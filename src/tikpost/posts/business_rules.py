"""What TikTok's API for Business allows that the Content Posting API does not, and the other
way round: checked as a post is accepted, each refusal a 422 naming the field.

A business account publishes through the Business API only (its tokens are that app's): its
videos are always public (the API has no privacy field for them), at most 1 GB, and may carry
a commercial sound; the Content Posting API has no sound at all. Photo carousels go through
the Content Posting API's kinds only, so a business account takes videos.
"""

from __future__ import annotations

from tikpost.accounts.business import PUBLIC, is_business
from tikpost.accounts.models import Account
from tikpost.kit.errors import ApiError
from tikpost.posts.schemas import PostCreate

# "The maximum video size is 1 GB" (the Business API's publish page); binary, as the sandbox's.
MAX_VIDEO_BYTES = 1024**3


def adjusted(request: PostCreate, account: Account) -> PostCreate:
    """The request as the account's API takes it: refused where it cannot be published, and a
    business video naming no privacy made public (it cannot be anything else)."""
    if not is_business(account):
        if request.sound is not None:
            raise ApiError(
                422,
                "sound_needs_business_account",
                "sounds are published through TikTok's API for Business: this account is "
                'connected through the Content Posting API; connect it with {"api": "business"} '
                "(POST /v1/accounts/connect) to add a sound",
                "sound",
            )
        return request
    if request.photos is not None:
        raise ApiError(
            422,
            "photos_not_supported_for_business",
            "tikpost publishes videos only to business accounts; post the carousel to an "
            "account connected through the Content Posting API",
            "photos",
        )
    if request.mode == "draft" and request.sound is not None:
        raise ApiError(
            422,
            "sound_not_for_drafts",
            "TikTok's API for Business ignores a draft's sound (upload_to_draft): publish it "
            "directly (mode=direct) or leave the sound out",
            "sound",
        )
    if request.mode != "direct":
        return request
    if request.privacy_level not in (None, PUBLIC):
        raise ApiError(
            422,
            "business_videos_are_public",
            f"videos published through TikTok's API for Business are public; privacy_level "
            f"{request.privacy_level} cannot be honoured: omit it or use {PUBLIC}",
            "privacy_level",
        )
    return request.model_copy(update={"privacy_level": PUBLIC})


def check_size(account: Account, size_bytes: int) -> None:
    if is_business(account) and size_bytes > MAX_VIDEO_BYTES:
        raise ApiError(
            422,
            "video_too_large_for_business_api",
            f"the video is {size_bytes} bytes; TikTok's API for Business takes at most "
            f"{MAX_VIDEO_BYTES} (1 GB)",
            "video",
            details={"value": size_bytes, "limit": MAX_VIDEO_BYTES},
        )
