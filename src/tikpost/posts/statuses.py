"""Where a post can be, apart from its table: the CLI's `posts list --status` offers these
values without loading SQLAlchemy and the ORM (most of a second on every `tikpost` run)."""

from __future__ import annotations

from tikpost.kit.enums import InlineStrEnum


class PostStatus(InlineStrEnum):
    """Where a post is; stored, and shown to clients, as these values."""

    AWAITING_REVIEW = "awaiting_review"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    UPLOADING = "uploading"
    PROCESSING = "processing"
    PUBLISHED = "published"
    IN_INBOX = "in_inbox"
    FAILED = "failed"
    CANCELLED = "cancelled"


POST_STATUSES = tuple(PostStatus)
FINAL_STATUSES = frozenset(
    {PostStatus.PUBLISHED, PostStatus.IN_INBOX, PostStatus.FAILED, PostStatus.CANCELLED}
)
