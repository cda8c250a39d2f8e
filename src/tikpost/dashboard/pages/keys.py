"""The team's API keys: list, create (the key is shown once), revoke."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tikpost.dashboard.flash import set_flash
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep, end_cookie
from tikpost.dashboard.templates import render
from tikpost.deps import SessionDep, SettingsDep
from tikpost.teams import service
from tikpost.teams.schemas import CreatedApiKey

router = page_router()
PATH = "/keys"


async def _page(
    request: Request,
    signed: SignedInDep,
    session: SessionDep,
    created: CreatedApiKey | None = None,
) -> Response:
    keys = await service.list_api_keys(session, signed.team.id)
    context = {"keys": keys, "created": created, "own_key_id": signed.api_key_id}
    return render(request, "keys.html", context, signed=signed)


@router.get(PATH, response_class=HTMLResponse)
async def keys_page(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    return await _page(request, signed, session)


@router.post(PATH, response_class=HTMLResponse)
async def create_key(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    """Answers the page itself (no redirect), so the new key never leaves this response."""
    created = await service.create_api_key(session, signed.team.name)
    return await _page(request, signed, session, created)


@router.post(f"{PATH}/{{key_id}}/revoke")
async def revoke_key(
    key_id: str, signed: SignedInDep, session: SessionDep, settings: SettingsDep
) -> Response:
    info = await service.revoke_api_key(session, key_id, signed.team.id)
    if key_id == signed.api_key_id:
        # This browser signed in with that key: its session ended with it.
        response = RedirectResponse("/sign-in", status_code=303)
        end_cookie(response)
        message = f"Key {info.prefix}… is revoked. This session used it, so you are signed out."
    else:
        response = RedirectResponse(PATH, status_code=303)
        message = f"Key {info.prefix}… is revoked."
    set_flash(response, settings, message)
    return response
