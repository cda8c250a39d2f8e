"""The API-key dependency every authenticated endpoint takes: `team: CurrentTeam`.

Keys arrive as `X-API-Key: tp_…` (documented) or `Authorization: Bearer tp_…` (what most HTTP
clients and SDK generators do by default). Declared through FastAPI's security helpers so
/docs offers an Authorize button.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from tikpost.state import AppState, app_state
from tikpost.teams import service
from tikpost.teams.schemas import TeamRead

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_bearer = HTTPBearer(auto_error=False)


async def current_key(
    response: Response,
    state: Annotated[AppState, Depends(app_state)],
    api_key: Annotated[str | None, Depends(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> service.Authenticated:
    """The calling key and its team, or a 401 error.

    Runs in its own short transactions rather than the request's session: a read-only request
    then stays read-only, and the occasional last-used stamp never waits on (or deadlocks
    with) the SQLite write lock a mutating request's own session will take.
    """
    presented = api_key or (bearer.credentials if bearer else None)
    return await authenticate_key(state, response, presented)


async def authenticate_key(
    state: AppState, response: Response, presented: str | None, header: str = "X-API-Key"
) -> service.Authenticated:
    """The checks every key header gets (the native ones above, and compat/'s vendors')."""
    database = state.database
    async with database.session() as session:
        result = await service.authenticate(session, presented, header)
    verdict = await state.rate_limiter.hit(result.api_key_id)
    response.headers.update(verdict.headers())
    if result.needs_touch:
        async with database.session(write=True) as session:
            await service.record_key_use(session, result.api_key_id)
    return result


async def current_team(key: Annotated[service.Authenticated, Depends(current_key)]) -> TeamRead:
    """The calling team; FastAPI runs `current_key` once per request, whoever asks for it."""
    return key.team


CurrentTeam = Annotated[TeamRead, Depends(current_team)]
# Which key called (its id is what an API-given consent records).
CurrentKey = Annotated[service.Authenticated, Depends(current_key)]
