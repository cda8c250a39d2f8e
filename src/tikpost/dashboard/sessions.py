"""The signed-in browser: the session cookie and the dependency every page takes.

`signed: SignedInDep` in a route gives the signed-in team (`signed.team`, a TeamRead, as the
API's `CurrentTeam`); a browser without a live session is sent to the sign-in page instead.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response

from tikpost.dashboard.csrf import PRE_SIGN_IN_COOKIE, SESSION_COOKIE, secure_cookies
from tikpost.deps import AppStateDep
from tikpost.settings import Settings
from tikpost.teams.sessions import service
from tikpost.teams.sessions.service import Opened, SignedIn

__all__ = ["SignInRequiredError", "SignedIn", "SignedInDep", "end_cookie", "start_cookie"]


class SignInRequiredError(Exception):
    """No live session: answered with a redirect to the sign-in page (see errors.py)."""


def idle_limit(settings: Settings) -> timedelta:
    return timedelta(hours=settings.dashboard_idle_hours)


async def signed_in(request: Request, state: AppStateDep) -> SignedIn:
    """The session the cookie names, in its own short transactions (as `current_team` does),
    so a page view stays read-only except for the occasional idle-clock stamp."""
    token = request.cookies.get(SESSION_COOKIE)
    async with state.database.session() as session:
        found = await service.resolve(session, token, idle_limit(state.settings))
    if found is None:
        raise SignInRequiredError
    if found.needs_touch:
        async with state.database.session(write=True) as session:
            await service.touch(session, found.session_id)
    return found


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


def start_cookie(response: Response, opened: Opened, settings: Settings) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (no cross-site POST carries it), Secure on
    https; a browser-session cookie, while the server enforces the idle limit."""
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
    )
    response.delete_cookie(PRE_SIGN_IN_COOKIE)


def end_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
