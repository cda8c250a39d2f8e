"""A native post as PostPeer shows it: its post object, its scheduled-post entry, and the
status names PostPeer uses.

tikpost keeps one post per TikTok account, so a PostPeer post here always has exactly one
platform entry, `tiktok`. What tikpost does not store (the timezone a time was given in, the
URLs a client sent for uploads) reads back as PostPeer's own defaults: `UTC`, and the media's
native URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Literal

from tikpost.compat.postpeer import schemas
from tikpost.media.schemas import MediaRead
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import PostStatus as Native

# A media id → what tikpost stored for it (None once deleted).
Lookup = Callable[[str], Awaitable[MediaRead | None]]

# tikpost's post status → PostPeer's post status and per-platform status.
POST_STATUS: dict[str, schemas.PostStatus] = {
    Native.AWAITING_REVIEW: "draft",
    Native.SCHEDULED: "scheduled",
    Native.QUEUED: "pending",
    Native.UPLOADING: "pending",
    Native.PROCESSING: "pending",
    Native.PUBLISHED: "published",
    Native.IN_INBOX: "published",
    Native.FAILED: "failed",
    Native.CANCELLED: "draft",
}
PLATFORM_STATUS: dict[str, schemas.PlatformStatus] = {
    Native.AWAITING_REVIEW: "pending",
    Native.SCHEDULED: "pending",
    Native.QUEUED: "pending",
    Native.UPLOADING: "processing",
    Native.PROCESSING: "processing",
    Native.PUBLISHED: "published",
    Native.IN_INBOX: "published",
    Native.FAILED: "failed",
    Native.CANCELLED: "cancelled",
}


def natives_of(status: str) -> frozenset[str]:
    """The tikpost statuses a PostPeer `status` filter means (`partial`: none, one platform)."""
    return frozenset(native for native, mapped in POST_STATUS.items() if mapped == status)


def iso(moment: datetime | None) -> str | None:
    """PostPeer's timestamps: UTC with milliseconds and a `Z`."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def platform(post: PostRead) -> schemas.PlatformRead:
    done = post.status in (Native.PUBLISHED, Native.IN_INBOX)
    return schemas.PlatformRead(
        platform="tiktok",
        status=PLATFORM_STATUS[post.status],
        platformPostId=post.tiktok_post_id,
        platformPostUrl=post.post_url,
        publishedAt=iso(post.finished_at) if done else None,
        errorMessage=error_message(post),
    )


def error_message(post: PostRead) -> str | None:
    """Why the post failed, was cancelled, or waits for a person."""
    if post.error is not None:
        return f"{post.error.message} ({post.error.code})"
    if post.status == Native.AWAITING_REVIEW and post.review_reason:
        return f"Held for a person's review before publishing ({post.review_reason})"
    return None


def content(post: PostRead) -> str:
    return post.title or post.description or ""


async def media_items(
    post: PostRead, lookup: Lookup, public_url: str
) -> list[schemas.MediaItemRead]:
    """The post's media as PostPeer lists it; an upload reads as its native media URL."""
    if post.video_url:
        return [_item("video", post.video_url, None)]
    kind: Literal["image", "video"] = "image" if post.photos else "video"
    items = []
    for source in post.photos or ([post.video] if post.video else []):
        if source.startswith(("http://", "https://")):
            items.append(_item(kind, source, None))
        else:
            items.append(_item(kind, f"{public_url}/v1/media/{source}", await lookup(source)))
    return items


def _item(
    kind: Literal["image", "video"], url: str, media: MediaRead | None
) -> schemas.MediaItemRead:
    return schemas.MediaItemRead(
        type=kind,
        url=url,
        filename=(media.filename or "") if media else "",
        size=media.size_bytes if media else 0,
        mimeType=media.content_type if media else "",
    )


async def post_object(post: PostRead, lookup: Lookup, public_url: str) -> schemas.PostPeerPost:
    return schemas.PostPeerPost(
        postId=post.id,
        content=content(post),
        status=POST_STATUS[post.status],
        scheduledFor=iso(post.scheduled_at),
        timezone="UTC",
        mediaItems=await media_items(post, lookup, public_url),
        platforms=[platform(post)],
        crosspostingEnabled=False,
        createdAt=iso(post.created_at) or "",
        updatedAt=iso(post.updated_at) or "",
    )


async def scheduled_entry(post: PostRead, lookup: Lookup, public_url: str) -> schemas.ScheduledPost:
    return schemas.ScheduledPost(
        postId=post.id,
        content=content(post),
        scheduledFor=iso(post.scheduled_at or post.created_at) or "",
        timezone="UTC",
        mediaItems=await media_items(post, lookup, public_url),
        platforms=[
            schemas.ScheduledPlatform(platform="tiktok", status=PLATFORM_STATUS[post.status])
        ],
        createdAt=iso(post.created_at) or "",
    )


def sort_key(moment: datetime | None) -> datetime:
    return moment or datetime.min.replace(tzinfo=UTC)
