"""Tables for posts and their timelines."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from tikpost.accounts import models as _accounts_models  # noqa: F401  (FK targets)
from tikpost.kit.db import Base, UtcDateTime, utcnow
from tikpost.kit.ids import new_id
from tikpost.media import models as _media_models  # noqa: F401


class Post(Base):
    """One request to publish: what to post, where, how, and how far it got at TikTok."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("team_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "post"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    mode: Mapped[str] = mapped_column(String(8))
    media_id: Mapped[str | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), default=None
    )
    # "video" (media_id) or "photo" (`photos`: image media ids in carousel order).
    media_type: Mapped[str] = mapped_column(String(8), default="video", server_default="video")
    photos: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    photo_cover_index: Mapped[int | None] = mapped_column(Integer, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    auto_add_music: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    title: Mapped[str | None] = mapped_column(Text, default=None)
    privacy_level: Mapped[str | None] = mapped_column(String(32), default=None)
    disable_comment: Mapped[bool] = mapped_column(Boolean, default=False)
    disable_duet: Mapped[bool] = mapped_column(Boolean, default=False)
    disable_stitch: Mapped[bool] = mapped_column(Boolean, default=False)
    brand_organic_toggle: Mapped[bool] = mapped_column(Boolean, default=False)
    brand_content_toggle: Mapped[bool] = mapped_column(Boolean, default=False)
    is_aigc: Mapped[bool] = mapped_column(Boolean, default=False)
    video_cover_timestamp_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    webhook_url: Mapped[str | None] = mapped_column(Text, default=None)
    on_cap: Mapped[str] = mapped_column(String(8), default="wait", server_default="wait")
    # Where the video came from; with no media_id, TikTok pulls it itself (PULL_FROM_URL).
    video_url: Mapped[str | None] = mapped_column(Text, default=None)
    # Convert the video for TikTok first (posts.publish.transcoding); the result, once made, is
    # `transcoded_media_id`, which publishing uploads instead of `media_id`.
    transcode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    transcoded_media_id: Mapped[str | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), default=None
    )
    # The TikTok API it publishes through: its account's (`accounts.models.AccountApi`), fixed
    # at creation as the account's is, so each step picks its kind without reading the account.
    api: Mapped[str] = mapped_column(
        String(16), default="content_posting", server_default="content_posting"
    )
    # A commercial sound (business accounts only, posts.sound): {id, volume, original_volume,
    # start_ms, end_ms}, as the request gave it with tikpost's defaults filled in.
    sound: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    publish_id: Mapped[str | None] = mapped_column(String(64), default=None)
    upload_url: Mapped[str | None] = mapped_column(Text, default=None)
    uploaded_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    tiktok_post_id: Mapped[str | None] = mapped_column(String(64), default=None)
    post_url: Mapped[str | None] = mapped_column(Text, default=None)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    fail_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    # The DBOS ownership token of the workflow run that may act at TikTok for this post. A run
    # that finds another token here was superseded (its executor was presumed dead) and stops.
    fence: Mapped[str | None] = mapped_column(String(64), default=None)
    # How the creator's consent to this post was given: "dashboard" (a person in the composer or
    # the review queue, `consent_by` = the session id) or "api_key" (`consent_by` = the key id).
    consent: Mapped[str | None] = mapped_column(String(16), default=None)
    consent_by: Mapped[str | None] = mapped_column(String(40), default=None)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # A post that needs a person's approval waits in `awaiting_review`; `reviewed_at` is when it
    # was approved or rejected (None again once an edit revokes the approval).
    review_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    review_note: Mapped[str | None] = mapped_column(Text, default=None)
    # Why it waits for a person beyond consent: `privacy_level_required` (a direct post that
    # named no privacy, for an account with no default).
    review_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class PostEvent(Base):
    """One line of a post's timeline: a status change or a step worth showing a person."""

    __tablename__ = "post_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "pev"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
