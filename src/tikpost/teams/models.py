"""Tables for teams and API keys (the SQL that uses them lives in `repository.py`)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from tikpost.kit.db import Base, UtcDateTime, utcnow
from tikpost.kit.ids import new_id


class Team(Base):
    """The tenant: owns API keys, connected accounts and everything posted through them."""

    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "team"))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Posts created through the API wait for a person's approval unless they say otherwise.
    review_by_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApiKey(Base):
    """A team's credential; only its hash is kept, so a database dump reveals no usable key."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "key"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class DashboardSession(Base):
    """A browser signed in to the dashboard; only the cookie token's hash is kept.

    Kept server-side (not a signed cookie) so it can be ended: on sign-out, after idle expiry,
    and when the API key it was opened with is revoked.
    """

    __tablename__ = "dashboard_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "ses"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    # The key pasted to sign in; None for a session opened with a one-time link.
    api_key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True, default=None
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class SignInLink(Base):
    """A one-time dashboard sign-in link printed by `tikpost dashboard-link`; hashed like keys."""

    __tablename__ = "sign_in_links"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "lnk"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
