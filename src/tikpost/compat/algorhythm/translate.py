"""Algorhythm ⇄ tikpost: its error body, its statuses, its fields as a tikpost post."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tikpost.compat import replay
from tikpost.compat.algorhythm.schemas import TaskCreate, TaskRead, TaskStatus
from tikpost.kit.db import utcnow
from tikpost.kit.errors import ApiError
from tikpost.posts.schemas import PostCreate, PostRead
from tikpost.posts.statuses import PostStatus

STATUS: dict[PostStatus, TaskStatus] = {
    PostStatus.PUBLISHED: "posted",
    # A draft is done once it is in the creator's inbox; it has no public URL.
    PostStatus.IN_INBOX: "posted",
    PostStatus.FAILED: "failed",
    PostStatus.CANCELLED: "failed",
}
DRAFT_TEXT = (
    "title and description were not sent: TikTok's inbox drafts of a video take no caption; "
    "the creator writes it in the TikTok app"
)


def error_body(status: int, code: str, message: str, field: str | None) -> dict[str, Any]:
    """FastAPI's shape, as Algorhythm's API answers: `{"detail": "…"}`, and for a 422 the
    list of `{loc, msg, type}`."""
    if status == 422:
        where = "header" if field == "Idempotency-Key" else "body"
        loc = [where, field] if field else [where]
        return {"detail": [{"loc": loc, "msg": message, "type": code}]}
    return {"detail": message}


def _invalid(message: str, field: str) -> ApiError:
    return ApiError(422, "validation_error", f"{field}: {message}", field)


def check_url(url: str, field: str, allow_http: bool) -> None:
    """https, as Algorhythm requires; http too when TIKPOST_ALLOW_PRIVATE_URLS is on (tests,
    a private network). The SSRF guard judges the address either way."""
    scheme = urlsplit(url).scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise _invalid("must be an https:// URL", field)


def execute_at(task: TaskCreate) -> datetime | None:
    if task.execute_at is None:
        return None
    try:
        moment = datetime.fromtimestamp(task.execute_at / 1000, UTC)
    except (OverflowError, ValueError, OSError):
        raise _invalid("is not a time", "execute_at") from None
    if moment <= utcnow():
        raise _invalid("must be in the future", "execute_at")
    return moment


def caption(task: TaskCreate) -> str | None:
    """A video has one caption: the title, then the description (with its @ and #)."""
    parts = [text.strip() for text in (task.title, task.description) if text and text.strip()]
    return "\n\n".join(parts) or None


def applies_sound(task: TaskCreate, business: bool) -> bool:
    """A sound goes to TikTok only through the API for Business, on a published video (a
    draft's sound is ignored there)."""
    return bool(task.sound_id) and business and task.media_type == "video" and task.is_live


def left_out(task: TaskCreate, business: bool) -> list[str]:
    """What of `task` tikpost does not send to TikTok, said for the answer and the timeline."""
    notes: list[str] = []
    if task.media_type == "video" and not task.is_live and (task.title or task.description):
        notes.append(DRAFT_TEXT)
    if task.sound_id is not None and not applies_sound(task, business):
        why = (
            "a draft or a slideshow takes no sound through TikTok's API for Business"
            if business
            else "the profile is connected through TikTok's Content Posting API, which cannot "
            "attach a sound; connect it as a business account to apply sounds"
        )
        notes.append(f"sound_id {task.sound_id} was not applied: {why} (kept on the post)")
    return notes


def post_create(task: TaskCreate, photos: list[str] | None, business: bool) -> PostCreate:
    """The tikpost post for `task`, its slides (for a slideshow) as `photos`; a business
    profile's published video carries the sound, at tikpost's default volumes."""
    mode = "direct" if task.is_live else "draft"
    fields: dict[str, Any] = {"account_id": task.profile_id, "mode": mode}
    scheduled = execute_at(task)
    if scheduled is not None:
        fields["scheduled_at"] = scheduled
    if photos is not None:
        fields["photos"] = photos
        if task.title:
            fields["title"] = task.title
        if task.description:
            fields["description"] = task.description
    else:
        fields["video_url"] = task.media_url
        if mode == "direct":
            fields["title"] = caption(task)
    if applies_sound(task, business):
        fields["sound"] = {"id": task.sound_id}
    return PostCreate.model_validate(fields)


def task_read(post: PostRead) -> TaskRead:
    kept = replay.compat_data(post)
    sound_id = kept.get("sound_id")
    return TaskRead(
        task_id=post.id,
        post_id=post.id,
        profile_id=post.account_id,
        status=STATUS.get(post.status, "processing"),
        tikpost_status=post.status.value,
        platform_post_id=post.tiktok_post_id,
        url=post.post_url,
        sound_id=sound_id if isinstance(sound_id, str) else None,
        sound_applied=(post.sound is not None) if sound_id else None,
        error=post.error.message if post.error else None,
    )
