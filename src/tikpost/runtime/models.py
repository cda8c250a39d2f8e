"""The executors table: one row per live (or lately live) workflow runtime."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tikpost.kit.db import Base, UtcDateTime

# A heartbeat dated to the epoch: the executor left gracefully, take its work at once.
RETIRED = datetime(1970, 1, 1, tzinfo=UTC)


class Executor(Base):
    """One live (or lately live) workflow runtime."""

    __tablename__ = "executors"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    incarnation: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime())
