"""Tables for connected TikTok accounts and in-flight OAuth connections."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tikpost.kit.db import Base, UtcDateTime, utcnow
from tikpost.kit.enums import InlineStrEnum
from tikpost.kit.ids import new_id

# Accounts reference teams: any process that writes accounts (a worker, a script) must have the
# teams table registered too, or the first flush fails after TikTok has already rotated tokens.
from tikpost.teams import models as _teams_models  # noqa: F401


class AccountStatus(InlineStrEnum):
    """Whether tikpost can post for the account; stored, and shown to clients, as these values."""

    READY = "ready"
    REAUTH_REQUIRED = "reauth_required"
    REVOKED = "revoked"


class AccountApi(InlineStrEnum):
    """Which of TikTok's APIs the account was connected through, and so publishes through."""

    CONTENT_POSTING = "content_posting"
    # TikTok's API for Business (a second app): public videos only, and commercial sounds.
    BUSINESS = "business"


class Account(Base):
    """A TikTok creator a team connected; tokens are Fernet-encrypted (see kit/crypto.py)."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("team_id", "open_id"),
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in AccountStatus)),
            name="status_known",
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "acct"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    open_id: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(200), default=None)
    display_name: Mapped[str | None] = mapped_column(String(200), default=None)
    avatar_url: Mapped[str | None] = mapped_column(Text, default=None)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    access_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    access_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    status: Mapped[str] = mapped_column(String(32), default="ready")
    api: Mapped[str] = mapped_column(
        String(16), default=AccountApi.CONTENT_POSTING, server_default="content_posting"
    )
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Set only by a person (PATCH /v1/accounts/{id}, the dashboard): what a direct post that
    # names no privacy uses, for callers whose API has none (tikpost never guesses one).
    default_privacy_level: Mapped[str | None] = mapped_column(String(40), default=None)
    # Unix times of the account's last inits at TikTok, for its 6-a-minute limit
    # (posts.publish.pacing).
    init_times: Mapped[list[float] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class OAuthState(Base):
    """One pending "connect an account" attempt: single use, short-lived, stored as a hash."""

    __tablename__ = "oauth_states"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=partial(new_id, "oas"))
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    return_url: Mapped[str | None] = mapped_column(Text, default=None)
    # Another app's page (origin in TIKPOST_CONNECT_REDIRECT_ORIGINS) to send the browser to,
    # with the outcome as query parameters; `app_cancel_uri` for a creator who declined.
    app_redirect_uri: Mapped[str | None] = mapped_column(Text, default=None)
    app_cancel_uri: Mapped[str | None] = mapped_column(Text, default=None)
    # The app the connection goes through (`AccountApi`): its callback trades the code there.
    api: Mapped[str] = mapped_column(
        String(16), default=AccountApi.CONTENT_POSTING, server_default="content_posting"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
