"""Rules for dashboard sign-in. Services never commit: the request or CLI unit of work does.

The browser holds only a random session token (its hash is stored, like API keys'), never the
API key it signed in with: the key is checked once, at sign-in. A session is good while it is
not ended, has been used within the idle limit, and the key it was opened with (if any) is
not revoked; the last is checked on every request, so revoking a key from anywhere (the
dashboard, `tikpost keys revoke`) ends its sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.crypto import random_token, sha256_hex
from tikpost.kit.db import utcnow
from tikpost.kit.errors import ApiError
from tikpost.teams import repository as teams_repository
from tikpost.teams import service as teams_service
from tikpost.teams.schemas import TeamRead
from tikpost.teams.sessions import repository

LINK_TTL = timedelta(minutes=10)
# Like API keys' last-used stamp: a minute's precision keeps most page views read-only.
LAST_SEEN_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class Opened:
    """A new session: `token` goes into the cookie and exists nowhere else."""

    token: str
    session_id: str
    team: TeamRead


@dataclass(frozen=True)
class SignedIn:
    """Who a presented session token belongs to."""

    session_id: str
    team: TeamRead
    api_key_id: str | None
    needs_touch: bool


class SignInError(Exception):
    """Why a sign-in was refused, in words for the person at the sign-in page."""


async def _open(session: AsyncSession, team: TeamRead, api_key_id: str | None) -> Opened:
    token = random_token(32)
    row = await repository.add_session(session, team.id, api_key_id, sha256_hex(token))
    return Opened(token=token, session_id=row.id, team=team)


async def sign_in_with_key(session: AsyncSession, presented: str) -> Opened:
    """Open a session for the key's team; the same check as the API's (teams.service)."""
    try:
        found = await teams_service.authenticate(session, presented.strip())
    except ApiError as exc:
        raise SignInError(exc.message) from exc
    return await _open(session, found.team, found.api_key_id)


async def create_sign_in_link(session: AsyncSession, team_name: str) -> str:
    """A one-time token for `/sign-in/<token>`, valid for LINK_TTL; only its hash is kept."""
    team = await teams_repository.get_team_by_name(session, team_name.strip())
    if team is None:
        raise ApiError(
            404,
            "team_not_found",
            f"no team named {team_name!r} (create it with `tikpost keys create --team NAME`)",
            "team",
        )
    token = random_token(32)
    await repository.add_link(session, team.id, sha256_hex(token), utcnow() + LINK_TTL)
    return token


async def sign_in_with_link(session: AsyncSession, token: str) -> Opened:
    """Use a link once: a used, expired or unknown one is refused alike."""
    team_id = await repository.claim_link(session, sha256_hex(token), utcnow())
    team = None if team_id is None else await teams_repository.get_team(session, team_id)
    if team is None:
        raise SignInError(
            "This sign-in link is invalid, expired or already used. "
            "Ask for a new one (tikpost dashboard-link --team NAME)."
        )
    return await _open(session, TeamRead.model_validate(team), None)


async def resolve(session: AsyncSession, token: str | None, idle: timedelta) -> SignedIn | None:
    """The session a cookie token names, or None if it is unknown, ended, idle or its key is
    revoked."""
    if not token:
        return None
    found = await repository.find_session(session, sha256_hex(token))
    if found is None:
        return None
    row, team, key = found
    now = utcnow()
    if row.ended_at is not None or row.last_seen_at <= now - idle:
        return None
    if key is not None and key.revoked_at is not None:
        return None
    return SignedIn(
        session_id=row.id,
        team=TeamRead.model_validate(team),
        api_key_id=row.api_key_id,
        needs_touch=row.last_seen_at < now - LAST_SEEN_PRECISION,
    )


async def touch(session: AsyncSession, session_id: str) -> None:
    now = utcnow()
    await repository.touch_session(session, session_id, now, now - LAST_SEEN_PRECISION)


async def sign_out_token(session: AsyncSession, token: str) -> None:
    """End the session a cookie names, whatever state it is in (idle ones too)."""
    await repository.end_session_by_hash(session, sha256_hex(token), utcnow())
