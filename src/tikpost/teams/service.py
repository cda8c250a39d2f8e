"""Rules for teams and API keys. Services never commit: the request or CLI unit of work does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.crypto import API_KEY_PREFIX, generate_api_key, hash_api_key
from tikpost.kit.db import utcnow
from tikpost.kit.errors import ApiError
from tikpost.teams import repository
from tikpost.teams.models import ApiKey, Team
from tikpost.teams.schemas import ApiKeyInfo, CreatedApiKey, TeamRead, TeamUpdate

MAX_TEAM_NAME = 200
# Recording every request's use would make every GET a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)


def _key_info(key: ApiKey, team: Team) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=key.id,
        team_id=team.id,
        team_name=team.name,
        prefix=key.prefix,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


def _clean_team_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_TEAM_NAME:
        raise ApiError(
            422, "invalid_team_name", f"team name must be 1 to {MAX_TEAM_NAME} characters", "team"
        )
    return cleaned


async def create_api_key(session: AsyncSession, team_name: str) -> CreatedApiKey:
    """Mint a key for the team, creating the team on first use (the quick-start path)."""
    name = _clean_team_name(team_name)
    team = await repository.get_team_by_name(session, name)
    if team is None:
        team = await repository.add_team(session, name)
    new = generate_api_key()
    key = await repository.add_api_key(session, team.id, new.prefix, new.key_hash)
    return CreatedApiKey(key=new.key, info=_key_info(key, team))


async def list_api_keys(session: AsyncSession, team_id: str | None = None) -> list[ApiKeyInfo]:
    """Every key (the operator's CLI), or one team's (its dashboard)."""
    found = await repository.list_api_keys(session, team_id)
    return [_key_info(key, team) for key, team in found]


async def revoke_api_key(
    session: AsyncSession, key_id: str, team_id: str | None = None
) -> ApiKeyInfo:
    """Revoke a key; revoking twice keeps the first time, so the audit trail stays true.

    With `team_id` (a team revoking its own), another team's key is as unknown as a missing
    one. Dashboard sessions opened with the key end with it (teams.sessions.service)."""
    found = await repository.get_api_key(session, key_id)
    if found is None or (team_id is not None and found[0].team_id != team_id):
        raise ApiError(404, "api_key_not_found", f"no API key with id {key_id}", "id")
    key, team = found
    if key.revoked_at is None:
        await repository.mark_api_key_revoked(session, key, utcnow())
    return _key_info(key, team)


@dataclass(frozen=True)
class Authenticated:
    """Who a presented key belongs to, and whether its last-use stamp needs refreshing."""

    team: TeamRead
    api_key_id: str
    needs_touch: bool


async def authenticate(
    session: AsyncSession, presented: str | None, header: str = "X-API-Key"
) -> Authenticated:
    """Resolve a presented key to its team, or raise the 401 the client should see.

    `header` is where the caller's clients send it: a compat vendor's own header is named in
    its 401, so a PostPeer client is not told to use a header it never sends."""
    if not presented:
        raise _unauthorized("api_key_missing", f"send your API key in the {header} header")
    found = None
    if presented.startswith(API_KEY_PREFIX):
        found = await repository.find_api_key_by_hash(session, hash_api_key(presented))
    if found is None:
        raise _unauthorized("api_key_invalid", "this API key is not valid")
    key, team = found
    if key.revoked_at is not None:
        raise _unauthorized("api_key_revoked", "this API key has been revoked")
    stale = key.last_used_at is None or key.last_used_at < utcnow() - LAST_USED_PRECISION
    return Authenticated(TeamRead.model_validate(team), key.id, needs_touch=stale)


async def record_key_use(session: AsyncSession, key_id: str) -> None:
    now = utcnow()
    await repository.touch_api_key(session, key_id, now, now - LAST_USED_PRECISION)


def _unauthorized(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


async def update_team(session: AsyncSession, team_id: str, changes: TeamUpdate) -> TeamRead:
    team = await repository.get_team(session, team_id)
    if team is None:
        raise ApiError(404, "team_not_found", f"no team with id {team_id}", "id")
    team.review_by_default = changes.review_by_default
    await repository.flush(session)
    return TeamRead.model_validate(team)
