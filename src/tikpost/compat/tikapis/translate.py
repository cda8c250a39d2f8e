"""tikapis ⇄ tikpost: its form fields, its statuses, its error body, its lifecycle names."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from tikpost.compat.tikapis.schemas import Lifecycle, PostAccepted, PostState
from tikpost.kit.errors import ApiError
from tikpost.media.ingest import FIELD as NATIVE_FIELD
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import PostStatus

FILE_FIELD = "videoFile"
MAX_CAPTION = 2200
NOT_CONNECTED = "TikTok account not connected for this user."
NO_TOKEN = "Failed to obtain valid TikTok token."
HASHTAG = re.compile(r"\w+")
# Epoch values above this are milliseconds (it is 1973 in ms, the year 5138 in seconds).
MS_FROM = 10**11

LIFECYCLE: dict[PostStatus, Lifecycle] = {
    PostStatus.AWAITING_REVIEW: "Pending",
    PostStatus.SCHEDULED: "Pending",
    PostStatus.QUEUED: "Pending",
    PostStatus.UPLOADING: "Processing",
    PostStatus.PROCESSING: "Processing",
    PostStatus.PUBLISHED: "Published",
    PostStatus.IN_INBOX: "Published",
    PostStatus.FAILED: "Failed",
    PostStatus.CANCELLED: "Failed",
}


def error_body(status: int, code: str, message: str, field: str | None) -> dict[str, Any]:
    """tikapis answers every error as `{"error": "<message>"}`."""
    return {"error": message}


@contextmanager
def vendor_statuses() -> Iterator[None]:
    """tikpost's refusals under the statuses tikapis documents: a bad request is a 400 (never
    413/415/422), and an account that lost its token is its 401."""
    try:
        yield
    except ApiError as exc:
        if exc.status == 409 and exc.code.startswith("account_"):
            raise ApiError(401, exc.code, NO_TOKEN, exc.field) from None
        if exc.status in (413, 415, 422):
            message = exc.message.replace(f"{NATIVE_FIELD}: ", f"{FILE_FIELD}: ", 1)
            field = FILE_FIELD if exc.field == NATIVE_FIELD else exc.field
            raise ApiError(400, exc.code, message, field, exc.headers, exc.details) from None
        raise


def bad_request(message: str, field: str) -> ApiError:
    return ApiError(400, "validation_error", message, field)


def caption_of(form: Mapping[str, str]) -> str | None:
    """`caption`, with `hashtags` (comma or space separated, `#` optional) formatted as
    `#tag` and appended, each once, as tikapis' notes promise."""
    caption = form.get("caption") or ""
    if len(caption) > MAX_CAPTION:
        raise bad_request(f"caption must be at most {MAX_CAPTION} characters", "caption")
    tags: list[str] = []
    for raw in re.split(r"[,\s]+", form.get("hashtags", "")):
        tag = raw.lstrip("#")
        if not tag:
            continue
        if HASHTAG.fullmatch(tag) is None:
            raise bad_request(f"hashtags: {raw!r} is not a hashtag", "hashtags")
        present = re.search(rf"#{re.escape(tag)}\b", caption + " " + " ".join(tags), re.I)
        if present is None:
            tags.append(f"#{tag}")
    text = " ".join(part for part in (caption.strip(), " ".join(tags)) if part)
    return text or None


def schedule_of(form: Mapping[str, str]) -> datetime | None:
    """`schedule`: RFC 3339 with a timezone, or a Unix epoch in seconds or milliseconds."""
    raw = form.get("schedule", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        value = int(raw)
        return datetime.fromtimestamp(value / 1000 if value >= MS_FROM else value, UTC)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise bad_request(
            "schedule must be an RFC 3339 time with a timezone, or a Unix epoch", "schedule"
        )
    return moment.astimezone(UTC)


def accepted(post: PostRead) -> PostAccepted:
    if post.review_reason == "privacy_level_required":
        message = (
            "Post accepted; it waits for a person to choose who can see it, as the account "
            "has no default privacy level (tikpost never guesses one)."
        )
    elif post.status == PostStatus.AWAITING_REVIEW:
        message = "Post accepted; it waits for a person's review before publishing."
    elif post.status == PostStatus.SCHEDULED:
        message = "Post scheduled."
    else:
        message = "Post accepted and is processing."
    return PostAccepted(message=message, publishId=post.publish_id, postId=post.id)


def state(post: PostRead) -> PostState:
    return PostState(
        postId=post.id,
        publishId=post.publish_id,
        status=LIFECYCLE[post.status],
        tikpostStatus=post.status.value,
        caption=post.title,
        scheduledFor=post.scheduled_at,
        postUrl=post.post_url,
        error=post.error.message if post.error else None,
        createdAt=post.created_at,
        updatedAt=post.updated_at,
    )
