"""Signing in (with a pasted API key or a one-time link) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tikpost.dashboard.csrf import SESSION_COOKIE
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep, end_cookie, start_cookie
from tikpost.dashboard.templates import HOME, render
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep
from tikpost.teams.sessions import service
from tikpost.teams.sessions.service import Opened, SignInError

router = page_router()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: `next` must not send a fresh session to another origin."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return HOME


def _signed_in_redirect(opened: Opened, target: str, settings: SettingsDep) -> Response:
    response = RedirectResponse(target, status_code=303)
    start_cookie(response, opened, settings)
    return response


@router.get("/")
async def home(signed: SignedInDep) -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", {"next": _safe_next(next)})


@router.post("/sign-in")
async def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    api_key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        opened = await service.sign_in_with_key(session, api_key)
    except SignInError as refused:
        context = {"next": _safe_next(next), "error": str(refused)}
        return render(request, "sign_in.html", context, status=401)
    return _signed_in_redirect(opened, _safe_next(next), settings)


@router.get("/sign-in/{token}")
async def sign_in_with_link(
    request: Request, token: str, database: DatabaseDep, settings: SettingsDep
) -> Response:
    """The link from `tikpost dashboard-link`: used on the first visit, refused after.

    A GET that writes, so it opens its own write transaction (GET requests' sessions are
    read-only)."""
    try:
        async with database.session(write=True) as session:
            opened = await service.sign_in_with_link(session, token)
    except SignInError as refused:
        return render(request, "sign_in.html", {"next": HOME, "error": str(refused)}, status=401)
    return _signed_in_redirect(opened, HOME, settings)


@router.post("/sign-out")
async def sign_out(request: Request, session: SessionDep) -> Response:
    """Ends the server-side session (not just the cookie), even when it is already idle."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await service.sign_out_token(session, token)
    response = RedirectResponse("/sign-in", status_code=303)
    end_cookie(response)
    return response
