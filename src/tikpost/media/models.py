"""The media table (the SQL that uses it lives in `repository.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tikpost.kit.db import Base, UtcDateTime, utcnow


class Media(Base):
    """A stored upload and what probing found in it.

    The row exists only once the bytes are stored and probed, so every row is usable; the
    probe is kept as JSON because its fields differ between videos and images.
    """

    __tablename__ = "media"

    # Set by the service before the upload, because the storage key is derived from it.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str | None] = mapped_column(Text(), default=None)
    content_type: Mapped[str] = mapped_column(String(100))
    storage_key: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger())
    sha256: Mapped[str] = mapped_column(String(64))
    probe: Mapped[dict[str, Any]] = mapped_column(JSON())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class UploadSlot(Base):
    """A presigned upload: one PUT of raw bytes, for one team, before `expires_at`.

    The HMAC-signed token in the PUT URL names the slot; the row makes it single-use
    (`claimed_at` while the bytes stream in, `used_at` and `media_id` once they are media).
    """

    __tablename__ = "upload_slots"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str | None] = mapped_column(Text(), default=None)
    content_type: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    media_id: Mapped[str | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), default=None
    )
