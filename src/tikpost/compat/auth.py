"""A vendor's own API-key header, holding a tikpost API key.

Same checks as the native `teams.auth.current_key` (hash lookup, revocation, rate limit,
last-used stamp), read from the header the vendor's clients send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Response
from fastapi.security import APIKeyHeader

from tikpost.state import AppState, app_state
from tikpost.teams import service
from tikpost.teams.auth import authenticate_key


def key_from_header(name: str) -> Callable[..., Awaitable[service.Authenticated]]:
    """A dependency giving the calling key and its team from header `name` (else a 401)."""
    header = APIKeyHeader(name=name, auto_error=False, scheme_name=f"{name} header")

    # `header` is local, so no string annotation may name it: FastAPI resolves annotations
    # in the module's globals, and would fail to build the OpenAPI schema.
    async def current(
        response: Response,
        state: Annotated[AppState, Depends(app_state)],
        presented: str | None = Depends(header),
    ) -> service.Authenticated:
        return await authenticate_key(state, response, presented, name)

    return current
