"""What the composer's templates show: labels, the starting choices, a post's live status.

A new post starts with nothing chosen (TikTok's R2: no default privacy, every interaction
unticked, the disclosure off); a post opened from the review queue starts with its caller's
choices, each still changeable, privacy kept only if the fresh creator_info still offers it.
"""

from __future__ import annotations

from typing import Any

from tikpost.accounts.business import is_business
from tikpost.accounts.schemas import AccountRead, CreatorInfoRead
from tikpost.dashboard.business import GENRES, PUBLIC_NOTICE
from tikpost.media.links import MediaLinks
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import FINAL_STATUSES
from tikpost.settings import Settings

PATH = "/compose"

# TikTok's own names for the privacy levels, as its app shows them.
PRIVACY_LABELS = {
    "PUBLIC_TO_EVERYONE": "Everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Friends",
    "FOLLOWER_OF_CREATOR": "Followers",
    "SELF_ONLY": "Only me",
}
STATUS_LABELS = {
    "awaiting_review": "Awaiting review",
    "scheduled": "Scheduled",
    "queued": "Queued",
    "uploading": "Uploading to TikTok",
    "processing": "TikTok is processing",
    "published": "Published",
    "in_inbox": "In the creator's TikTok inbox",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
NOTHING_CHOSEN: dict[str, Any] = {
    "kind": "video",
    "mode": "direct",
    "title": "",
    "description": "",
    "privacy": None,
    "allow_comment": False,
    "allow_duet": False,
    "allow_stitch": False,
    "brand_organic": False,
    "brand_content": False,
    "is_aigc": False,
    "auto_add_music": False,
    "scheduled_at": None,
}


def status_context(post: PostRead) -> dict[str, Any]:
    """What composer_status.html shows of a post, and whether it may still change."""
    return {
        "post": post,
        "status_label": STATUS_LABELS.get(post.status, post.status),
        "final": post.status in FINAL_STATUSES,
        "last_event": post.events[-1].message if post.events else "",
        "status_url": f"{PATH}/status/{post.id}",
    }


def page_context(
    ready: list[AccountRead],
    account: AccountRead | None,
    info: CreatorInfoRead | None,
    unavailable: str | None,
) -> dict[str, Any]:
    return {
        "accounts": ready,
        "account": account,
        "info": info,
        "unavailable": unavailable,
        "privacy_labels": PRIVACY_LABELS,
        "chosen": NOTHING_CHOSEN,
        "initial_media": None,
        "review_post": None,
        "business": is_business(account),
        "public_notice": PUBLIC_NOTICE,
        "genres": GENRES,
    }


def review_context(
    post: PostRead, info: CreatorInfoRead | None, settings: Settings
) -> dict[str, Any]:
    """A held post's choices as the composer's starting point, and its media for the preview."""
    links = MediaLinks.for_settings(settings)
    offered = info.privacy_level_options if info else []
    chosen = {
        "kind": post.media_type,
        "mode": post.mode,
        "title": post.title or "",
        "description": post.description or "",
        "privacy": post.privacy_level if post.privacy_level in offered else None,
        "allow_comment": not post.disable_comment,
        "allow_duet": not post.disable_duet,
        "allow_stitch": not post.disable_stitch,
        "brand_organic": post.brand_organic_toggle,
        "brand_content": post.brand_content_toggle,
        "is_aigc": post.is_aigc,
        "auto_add_music": post.auto_add_music,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
    }
    if post.mode == "draft":
        # A video draft took none of these: the creator chooses them in the TikTok app.
        chosen.update(allow_comment=False, allow_duet=False, allow_stitch=False)
    photos = [{"id": media_id, "previewUrl": links.url(media_id)} for media_id in post.photos or []]
    cover = post.photo_cover_index or 0
    media: dict[str, Any] = {
        "video": None,
        "photos": photos,
        "cover_id": photos[cover]["id"] if cover < len(photos) else None,
        "video_cover_timestamp_ms": post.video_cover_timestamp_ms,
    }
    if post.video:
        media["video"] = {"id": post.video, "durationMs": None, "previewUrl": links.url(post.video)}
    return {"chosen": chosen, "initial_media": media, "review_post": post}
