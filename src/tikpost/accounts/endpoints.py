"""HTTP routes for connected TikTok accounts (thin: the service holds the rules)."""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tikpost.accounts import service
from tikpost.accounts.models import AccountApi
from tikpost.accounts.oauth import BUSINESS_CALLBACK_PATH, CALLBACK_PATH, state_signer
from tikpost.accounts.redirects import with_outcome
from tikpost.accounts.schemas import (
    AccountList,
    AccountRead,
    AccountUpdate,
    ConnectRequest,
    ConnectStarted,
    CreatorInfoRead,
    SoundList,
    TrendingQuery,
)
from tikpost.deps import CurrentTeam, DatabaseDep, SessionDep, SettingsDep, TikTokDep, TokensDep

router = APIRouter(tags=["accounts"])


@router.post("/v1/accounts/connect", response_model=ConnectStarted, status_code=201)
async def connect(
    team: CurrentTeam,
    session: SessionDep,
    tiktok: TikTokDep,
    tokens: TokensDep,
    settings: SettingsDep,
    body: ConnectRequest | None = None,
) -> ConnectStarted:
    """Start connecting a TikTok account: open `authorize_url` in the creator's browser.

    The link is good for 10 minutes and once. TikTok sends the browser back to
    `/v1/oauth/tiktok/callback`, which stores the account for your team, then answers a page,
    or, with `redirect_uri`, sends the browser there with `account_id` and `status=connected`
    (or `error=<code>`, `access_denied` when the creator declined: to `cancel_redirect_uri`
    if given). Both must be on an origin listed in TIKPOST_CONNECT_REDIRECT_ORIGINS (422).

    `"api": "business"` connects through the server's TikTok API for Business app instead
    (callback `/v1/oauth/tiktok-business/callback`): a business account, whose posts are
    public and may carry a commercial sound.
    """
    business = body is not None and body.api == AccountApi.BUSINESS
    return await service.start_connect(
        session,
        team,
        tiktok,
        state_signer(settings),
        redirect_uri=body.redirect_uri if body else None,
        cancel_redirect_uri=body.cancel_redirect_uri if body else None,
        allowed_origins=settings.connect_redirect_origins,
        business_app=tokens.business_app() if business else None,
    )


@router.get(BUSINESS_CALLBACK_PATH, response_class=HTMLResponse, include_in_schema=False)
@router.get(CALLBACK_PATH, response_class=HTMLResponse, include_in_schema=False)
async def oauth_callback(
    request: Request, database: DatabaseDep, tokens: TokensDep, settings: SettingsDep
) -> Response:
    """Where TikTok sends the creator's browser back; answers a page a person can read, or,
    for a connect started in the dashboard, sends the browser back there with the outcome."""
    params = {key: value for key, value in request.query_params.items()}
    try:
        connected = await service.finish_connect(database, tokens, state_signer(settings), params)
    except service.ConnectFailedError as failure:
        back = failure.back
        if back.app_redirect_uri is not None:
            declined = failure.code == "access_denied" and back.app_cancel_uri is not None
            target = back.app_cancel_uri if declined else back.app_redirect_uri
            assert target is not None
            return RedirectResponse(with_outcome(target, error=failure.code), status_code=303)
        if back.return_url is not None:
            return _back(back.return_url, connect_error=failure.code)
        return _page("TikTok account not connected", failure.message, failure.code, 400)
    account = connected.account
    name = account.username or account.display_name or account.open_id
    verb = "connected" if connected.created else "reconnected"
    if connected.back.app_redirect_uri is not None:
        outcome = with_outcome(connected.back.app_redirect_uri, account_id=account.id)
        return RedirectResponse(with_outcome(outcome, status="connected"), status_code=303)
    if connected.back.return_url is not None:
        return _back(connected.back.return_url, **{verb: account.id})
    return _page(
        "TikTok account connected",
        f"@{name} is {verb} (account id {account.id}). You can close this window.",
        "connected",
        200,
    )


def _back(return_url: str, **outcome: str) -> RedirectResponse:
    return RedirectResponse(f"{return_url}?{urlencode(outcome)}", status_code=303)


def _page(title: str, message: str, code: str, status: int) -> HTMLResponse:
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f"<p><small>code: <code id='code'>{escape(code)}</code></small></p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


@router.get("/v1/accounts", response_model=AccountList)
async def list_accounts(team: CurrentTeam, session: SessionDep) -> AccountList:
    return AccountList(items=await service.list_accounts(session, team))


@router.get("/v1/accounts/{account_id}", response_model=AccountRead)
async def get_account(account_id: str, team: CurrentTeam, session: SessionDep) -> AccountRead:
    return await service.get_account(session, team, account_id)


@router.patch("/v1/accounts/{account_id}", response_model=AccountRead)
async def update_account(
    account_id: str,
    changes: AccountUpdate,
    team: CurrentTeam,
    database: DatabaseDep,
    tokens: TokensDep,
) -> AccountRead:
    """Set the account's `default_privacy_level` (one of the creator's privacy options, checked
    with TikTok now), or null for none: direct posts that name no privacy_level use it."""
    return await service.set_default_privacy(
        database, tokens, team, account_id, changes.default_privacy_level
    )


@router.get("/v1/accounts/{account_id}/creator-info", response_model=CreatorInfoRead)
async def creator_info(account_id: str, team: CurrentTeam, tokens: TokensDep) -> CreatorInfoRead:
    """TikTok's creator_info, live: privacy options, disabled interactions, max duration."""
    return await service.creator_info(tokens, team, account_id)


@router.get("/v1/accounts/{account_id}/sounds", response_model=SoundList)
async def sounds(
    account_id: str,
    team: CurrentTeam,
    database: DatabaseDep,
    tokens: TokensDep,
    trending: Annotated[TrendingQuery, Query()],
    q: Annotated[str | None, Query(max_length=200, description="In name or artist.")] = None,
) -> SoundList:
    """A business account's commercial sounds: TikTok's trending list, live, one item per
    publishable clip. Filter by country, genre and period as TikTok does, and by `q` here
    (TikTok offers no search). 409 not_a_business_account for other accounts."""
    return await service.sounds(database, tokens, team, account_id, trending, q)


@router.delete("/v1/accounts/{account_id}", response_model=AccountRead)
async def disconnect(
    account_id: str, team: CurrentTeam, database: DatabaseDep, tokens: TokensDep
) -> AccountRead:
    """Revoke tikpost's access at TikTok and forget the tokens; the account stays `revoked`."""
    return await service.disconnect(database, tokens, team, account_id)
