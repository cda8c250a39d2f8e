"""PostPost ⇄ tikpost: its TikTok settings as a `PostCreate`, tikpost's post as its post group.

`allowX: true` means the interaction is allowed (`disable_x: false`). PostPost documents that it
inverts these on the way to TikTok; tikpost does not copy that bug.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from tikpost.compat.postpost.schemas import (
    PostPostCreate,
    PostPostError,
    PostPostGroupState,
    PostPostPlatformPost,
)
from tikpost.kit.db import utcnow
from tikpost.kit.errors import ApiError
from tikpost.posts.models import Post
from tikpost.posts.schemas import PostCreate
from tikpost.posts.statuses import PostStatus

PLATFORM = "tiktok"
VIEWER_SETTINGS = frozenset(
    {"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}
)
# PostPost's own words for its validation errors, which its clients may show or match.
VIEWER_REQUIRED = "TikTok requires selecting who can view your post"
COMMERCIAL_TYPE_REQUIRED = (
    "TikTok commercial content requires selecting brand organic, branded content, or both"
)
PostPostStatus = Literal["draft", "scheduled", "pending", "processing", "published", "failed"]
_STATUS: dict[str, PostPostStatus] = {
    PostStatus.SCHEDULED: "scheduled",
    PostStatus.QUEUED: "pending",
    PostStatus.UPLOADING: "processing",
    PostStatus.PROCESSING: "processing",
    PostStatus.PUBLISHED: "published",
    PostStatus.IN_INBOX: "published",
    PostStatus.FAILED: "failed",
    PostStatus.CANCELLED: "failed",
}


def invalid(message: str, field: str | None = None) -> ApiError:
    """PostPost answers 400 to a request it will not take."""
    return ApiError(400, "validation_error", message, field)


def open_id_of(body: PostPostCreate) -> str:
    """The one `tiktok-{openId}` a post group targets (tikpost serves TikTok only)."""
    if not body.platforms:
        raise invalid("platforms is required: give one tiktok-{openId}", "platforms")
    others = [entry for entry in body.platforms if not entry.startswith(f"{PLATFORM}-")]
    if others:
        raise invalid(
            f"tikpost serves TikTok only: platform {others[0]} is not supported", "platforms"
        )
    if len(body.platforms) > 1:
        raise invalid(
            "give one TikTok account per post group (create one post group per account)",
            "platforms",
        )
    open_id = body.platforms[0].removeprefix(f"{PLATFORM}-")
    if not open_id:
        raise invalid("platforms: tiktok-{openId} needs the open_id", "platforms")
    return open_id


def to_post_create(body: PostPostCreate, account_id: str) -> PostCreate:
    """The native request the post group will be published as (always a Direct Post: PostPost
    sets privacy and interactions itself, which TikTok's inbox drafts do not take)."""
    if not body.content.strip():
        raise invalid("content is required", "content")
    tiktok = body.platform_settings.tiktok if body.platform_settings else None
    if tiktok is None or not tiktok.viewer_setting:
        raise invalid(VIEWER_REQUIRED, "platformSettings.tiktok.viewerSetting")
    if tiktok.viewer_setting not in VIEWER_SETTINGS:
        raise invalid(
            f"viewerSetting must be one of {', '.join(sorted(VIEWER_SETTINGS))}",
            "platformSettings.tiktok.viewerSetting",
        )
    commercial = tiktok.commercial_content
    if commercial and not (tiktok.brand_organic or tiktok.branded_content):
        raise invalid(COMMERCIAL_TYPE_REQUIRED, "platformSettings.tiktok.commercialContent")
    return PostCreate.model_validate(
        {
            "account_id": account_id,
            "mode": "direct",
            "title": body.content,
            "privacy_level": tiktok.viewer_setting,
            "disable_comment": not tiktok.allow_comments,
            "disable_duet": not tiktok.allow_duet,
            "disable_stitch": not tiktok.allow_stitch,
            # TikTok's disclosure: the two kinds apply only once the content is commercial.
            "brand_organic_toggle": commercial and tiktok.brand_organic,
            "brand_content_toggle": commercial and tiktok.branded_content,
            "scheduled_at": body.scheduled_time,
            "review": "required",
        }
    )


def future(when: datetime | None) -> datetime | None:
    """PostPost moves a time in the past to now; tikpost's "now" is no time at all."""
    return when if when is not None and when > utcnow() else None


def is_draft(post: Post) -> bool:
    """Still PostPost's draft: held, with no video attached yet (`create-post` made it, and
    `update-post` to `scheduled` has not taken it on)."""
    return post.status == PostStatus.AWAITING_REVIEW and post.media_id is None


def post_status(post: Post) -> PostPostStatus:
    if post.status == PostStatus.AWAITING_REVIEW:
        # With its video, it waits for a person's review in tikpost's queue.
        return "draft" if post.media_id is None else "pending"
    return _STATUS[post.status]


def group_state(post: Post) -> PostPostGroupState:
    status = post_status(post)
    return PostPostGroupState(
        _id=post.id,
        status="draft" if status == "draft" else "scheduled",
        scheduled_time=post.scheduled_at or (None if status == "draft" else post.updated_at),
    )


def platform_post(post: Post, open_id: str) -> PostPostPlatformPost:
    status = post_status(post)
    error = (
        PostPostError(code=post.error_code, message=post.error_message or "")
        if post.error_code and status == "failed"
        else None
    )
    posted = post.tiktok_post_id or post.publish_id if status == "published" else None
    return PostPostPlatformPost(
        _id=post.id,
        platform_id=open_id,
        content=post.title or "",
        status=status,
        posted_id=posted,
        error=error,
    )
