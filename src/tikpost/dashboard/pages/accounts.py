"""The team's TikTok accounts: connect (TikTok's OAuth flow), reconnect, disconnect, and the
default privacy a person chooses for posts whose caller names none."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tikpost.accounts import service
from tikpost.accounts.business import is_business
from tikpost.accounts.models import AccountApi
from tikpost.accounts.oauth import state_signer
from tikpost.accounts.schemas import AccountRead, CreatorInfoRead
from tikpost.accounts.tokens import TokenSource
from tikpost.dashboard.flash import Flash, set_flash
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.dashboard.templates import creator_posts_url, render
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep, TikTokDep, TokensDep
from tikpost.kit.errors import ApiError
from tikpost.teams.schemas import TeamRead

router = page_router()
PATH = "/accounts"

# What a person can do about an account that cannot post.
WHAT_TO_DO = {
    "ready": "Ready to post.",
    "reauth_required": "TikTok needs the creator to approve tikpost again: press Reconnect "
    "and sign in to TikTok as this creator.",
    "revoked": "tikpost no longer has access. Press Reconnect to connect it again.",
}
# The OAuth callback sends the browser back with one of these (accounts/endpoints.py).
CONNECT_ERRORS = {
    "access_denied": "The TikTok account was not connected: permission was not granted on TikTok.",
    "invalid_state": "That connection link was invalid or had expired. Please start again.",
    "state_reused": "That connection link was already used. Please start again.",
    "missing_code": "TikTok did not send an authorization code. Please start again.",
    "tiktok_error": "TikTok refused the connection. Please try again.",
}


def _name(account: AccountRead) -> str:
    return account.username or account.display_name or account.open_id


def _connect_message(accounts: list[AccountRead], request: Request) -> Flash | None:
    """The flash for the OAuth callback's return (`?connected=`, `?reconnected=`, `?error=`)."""
    query = request.query_params
    for verb in ("connected", "reconnected"):
        found = next((a for a in accounts if a.id == query.get(verb)), None)
        if found is not None:
            return Flash(f"@{_name(found)} is {verb}.")
    if "connect_error" in query:
        code = query["connect_error"]
        return Flash(CONNECT_ERRORS.get(code, "The TikTok account was not connected."), "error")
    return None


async def _privacy_options(
    tokens: TokenSource, team: TeamRead, account: AccountRead
) -> list[str] | None:
    """The creator's privacy options as TikTok states them now (the default's select offers
    exactly these); None when they cannot be read now, so no choice is offered, and for a
    business account, whose videos are always public (the page says so instead)."""
    if account.status != "ready" or is_business(account):
        return None
    try:
        info: CreatorInfoRead = await service.creator_info(tokens, team, account.id)
    except ApiError:
        return None
    return info.privacy_level_options


@router.get(PATH, response_class=HTMLResponse)
async def accounts_page(
    request: Request, signed: SignedInDep, database: DatabaseDep, tokens: TokensDep
) -> Response:
    async with database.session() as session:
        accounts = await service.list_accounts(session, signed.team)
    rows = [
        {
            "account": account,
            "name": _name(account),
            "what_to_do": WHAT_TO_DO.get(account.status, ""),
            "sandbox_posts": creator_posts_url(request, account.open_id),
            "privacy_options": await _privacy_options(tokens, signed.team, account),
            "business": is_business(account),
        }
        for account in accounts
    ]
    context: dict[str, object] = {"rows": rows, "business_app": tokens.business is not None}
    returned = _connect_message(accounts, request)
    if returned is not None:
        context["flash"] = returned
    return render(request, "accounts.html", context, signed=signed)


@router.post(f"{PATH}/connect")
async def connect(
    signed: SignedInDep,
    session: SessionDep,
    tiktok: TikTokDep,
    tokens: TokensDep,
    settings: SettingsDep,
    api: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The API's own connect, asking TikTok to send the browser back to this page; `api`
    "business" (the second button, and a business account's Reconnect) goes through the
    Business API app (a 409 page when the server has none)."""
    business_app = tokens.business_app() if api == AccountApi.BUSINESS else None
    started = await service.start_connect(
        session,
        signed.team,
        tiktok,
        state_signer(settings),
        return_url=PATH,
        business_app=business_app,
    )
    return RedirectResponse(started.authorize_url, status_code=303)


@router.get(f"{PATH}/{{account_id}}/disconnect", response_class=HTMLResponse)
async def confirm_disconnect(
    request: Request, account_id: str, signed: SignedInDep, session: SessionDep
) -> Response:
    account = await service.get_account(session, signed.team, account_id)
    context = {"account": account, "name": _name(account)}
    return render(request, "account_disconnect.html", context, signed=signed)


@router.post(f"{PATH}/{{account_id}}/disconnect")
async def disconnect(
    account_id: str,
    signed: SignedInDep,
    database: DatabaseDep,
    tokens: TokensDep,
    settings: SettingsDep,
) -> Response:
    account = await service.disconnect(database, tokens, signed.team, account_id)
    response = RedirectResponse(PATH, status_code=303)
    set_flash(response, settings, f"@{_name(account)} is disconnected.")
    return response


@router.post(f"{PATH}/{{account_id}}/default-privacy")
async def set_default_privacy(
    account_id: str,
    signed: SignedInDep,
    database: DatabaseDep,
    tokens: TokensDep,
    settings: SettingsDep,
    default_privacy_level: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """A person's choice ("No default" sends an empty value, which a form field reads as
    absent), held to the creator's options by the service."""
    response = RedirectResponse(PATH, status_code=303)
    try:
        account = await service.set_default_privacy(
            database, tokens, signed.team, account_id, default_privacy_level or None
        )
    except ApiError as exc:
        if exc.status == 404:
            raise
        set_flash(response, settings, exc.message, "error")
        return response
    chosen = account.default_privacy_level or "no default"
    set_flash(response, settings, f"@{_name(account)}: default privacy is {chosen}.")
    return response
