"""Tables for webhook endpoints, deliveries and delivery attempts (SQL lives in repository.py)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tikpost.kit.db import Base, UtcDateTime, utcnow
from tikpost.kit.enums import InlineStrEnum
from tikpost.kit.ids import new_id


class DeliveryStatus(InlineStrEnum):
    """Where a webhook delivery is; stored, and shown to clients, as these values."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookEndpoint(Base):
    """A team-wide receiver. Deleting one only stamps `deleted_at`: its delivery log stays
    readable, and its pending deliveries see the stamp and stop."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "whe"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # Event types it receives; empty means every type.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Encrypted, not hashed: the service must sign with it (kit/crypto.py TokenCipher).
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class WebhookDelivery(Base):
    """One event to one URL; its workflow (id = this row's id) makes the attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in DeliveryStatus)),
            name="status_known",
        ),
        Index("ix_webhook_deliveries_team_id_created_at", "team_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "whd"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    # None: a per-post URL, signed with the team's default secret.
    endpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True, default=None
    )
    url: Mapped[str] = mapped_column(Text)
    # The `webhook-id` header: one per event, shared by its deliveries and their retries.
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(64))
    # The exact body sent (and signed) on every attempt.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class WebhookAttempt(Base):
    """One HTTP request of a delivery, successful or not: the log a client debugs with."""

    __tablename__ = "webhook_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "wha"))
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
