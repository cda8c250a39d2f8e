"""Rules for connected accounts: connecting through OAuth, reading, and disconnecting.

Calls to TikTok never run inside a database transaction here: each phase that touches the
database is its own short unit of work, so no lock is held while TikTok thinks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import business, loss, repository
from tikpost.accounts.models import Account, AccountApi, OAuthState
from tikpost.accounts.oauth import BUSINESS_SCOPES, SCOPES, new_state, verify_state
from tikpost.accounts.redirects import allowed_redirect
from tikpost.accounts.schemas import (
    AccountRead,
    ConnectStarted,
    CreatorInfoRead,
    SoundList,
    TrendingQuery,
)
from tikpost.accounts.tokens import TokenSource, forget_tokens, store_tokens
from tikpost.failures import api_error_from_tiktok
from tikpost.kit.crypto import Signer, sha256_hex
from tikpost.kit.db import Database, utcnow
from tikpost.kit.errors import ApiError
from tikpost.teams.schemas import TeamRead
from tikpost.tiktok import (
    CreatorInfo,
    TikTokApp,
    TokenSet,
    UserInfo,
    build_authorize_url,
    errors,
)
from tikpost.tiktok.business import TikTokBusinessApp, TrendingTrack

USER_FIELDS = ("open_id", "union_id", "avatar_url", "display_name")


async def start_connect(
    session: AsyncSession,
    team: TeamRead,
    tiktok: TikTokApp,
    signer: Signer,
    return_url: str | None = None,
    *,
    redirect_uri: str | None = None,
    cancel_redirect_uri: str | None = None,
    allowed_origins: Sequence[str] = (),
    business_app: TikTokBusinessApp | None = None,
) -> ConnectStarted:
    """`return_url` (a path of ours, set by the dashboard) is where the callback sends the
    browser afterwards; without it the callback answers a page of its own.

    `redirect_uri` is another app's page, on one of `allowed_origins` (the settings'
    connect_redirect_origins; 422 otherwise): the browser goes there with `account_id` and
    `status=connected`, or `error=<code>`; a creator who declines goes to
    `cancel_redirect_uri` instead, if given.

    With `business_app` the creator consents to that app (TikTok's API for Business) instead,
    on the same TikTok page, and the account is connected as a business account.
    """
    for field, uri in (
        ("redirect_uri", redirect_uri),
        ("cancel_redirect_uri", cancel_redirect_uri),
    ):
        if uri is not None:
            allowed_redirect(uri, allowed_origins, field)
    state = new_state(signer, team.id)
    if business_app is None:
        api, client_key, callback, scopes = (
            AccountApi.CONTENT_POSTING,
            tiktok.client_key,
            tiktok.redirect_uri,
            SCOPES,
        )
    else:
        api, client_key, callback, scopes = (
            AccountApi.BUSINESS,
            business_app.client_id,
            business_app.redirect_uri,
            BUSINESS_SCOPES,
        )
    await repository.add_state(
        session,
        OAuthState(
            team_id=team.id,
            state_hash=state.value_hash,
            redirect_uri=callback,
            return_url=return_url,
            app_redirect_uri=redirect_uri,
            app_cancel_uri=cancel_redirect_uri,
            expires_at=state.expires_at,
            api=api,
        ),
    )
    url = build_authorize_url(
        tiktok.auth_url,
        client_key=client_key,
        redirect_uri=callback,
        scopes=scopes,
        state=state.value,
        disable_auto_auth=True,
    )
    return ConnectStarted(authorize_url=url, state=state.value, expires_at=state.expires_at)


@dataclass(frozen=True)
class Return:
    """Where the connect asked the browser to go afterwards (all None: the callback's page)."""

    return_url: str | None = None
    app_redirect_uri: str | None = None
    app_cancel_uri: str | None = None
    api: str = AccountApi.CONTENT_POSTING


class ConnectFailedError(Exception):
    """The callback could not connect an account; `message` is shown to the person."""

    def __init__(self, code: str, message: str, back: Return | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.back = back or Return()


@dataclass(frozen=True)
class Connected:
    account: AccountRead
    created: bool
    back: Return = Return()


async def finish_connect(
    database: Database, tokens: TokenSource, signer: Signer, params: Mapping[str, str]
) -> Connected:
    """The OAuth callback (either app's): check the state, trade the code with the app the
    connect started with, store the account once."""
    team_id, back = await _consume_state(database, signer, params.get("state", ""))
    try:
        connected = await _connect(database, tokens, params, team_id, back.api)
    except ConnectFailedError as failure:
        failure.back = back
        raise
    return Connected(connected.account, connected.created, back)


async def _connect(
    database: Database,
    tokens: TokenSource,
    params: Mapping[str, str],
    team_id: str,
    api: str,
) -> Connected:
    if params.get("error"):
        raise ConnectFailedError(
            "access_denied" if params["error"] == "access_denied" else params["error"],
            "The TikTok account was not connected: permission was not granted on TikTok.",
        )
    code = params.get("code")
    if not code:
        raise ConnectFailedError("missing_code", "TikTok did not send an authorization code.")
    try:
        if api == AccountApi.BUSINESS:
            granted, profile = await business.identity(tokens.business_app(), code)
            username: str | None = profile.username
            display_name, avatar_url = profile.display_name, profile.profile_image
        else:
            granted, user, creator = await _fetch_identity(tokens.tiktok, code)
            username = creator.creator_username if creator else None
            display_name = user.display_name or (creator.creator_nickname if creator else None)
            avatar_url = user.avatar_url or (creator.creator_avatar_url if creator else None)
    except (errors.TikTokError, ApiError) as exc:
        raise ConnectFailedError(
            "tiktok_error", f"TikTok refused the connection ({exc.code}). Please try again."
        ) from exc
    async with database.session(write=True) as session:
        account = await repository.find_by_open_id(session, team_id, granted.open_id)
        created = account is None
        if account is None:
            fresh = Account(team_id=team_id, open_id=granted.open_id, api=api)
            account = await repository.add(session, fresh)
        if username is not None:
            account.username = username
        account.display_name, account.avatar_url = display_name, avatar_url
        store_tokens(account, granted, tokens.cipher)
        await session.flush()
        return Connected(AccountRead.model_validate(account), created)


async def _consume_state(database: Database, signer: Signer, value: str) -> tuple[str, Return]:
    """A state is valid once, for its team, until it expires; anything else is refused.
    Returns the team and where the connect asked to return to."""
    team_id = verify_state(signer, value) if value else None
    invalid = ConnectFailedError(
        "invalid_state",
        "This connection link is invalid or has expired. Start again from your app.",
    )
    if team_id is None:
        raise invalid
    async with database.session(write=True) as session:
        stored = await repository.find_state(session, sha256_hex(value))
        if stored is None or stored.team_id != team_id or stored.expires_at <= utcnow():
            raise invalid
        if stored.used_at is not None:
            raise ConnectFailedError(
                "state_reused", "This connection link was already used. Start again from your app."
            )
        stored.used_at = utcnow()
        back = Return(stored.return_url, stored.app_redirect_uri, stored.app_cancel_uri, stored.api)
    return team_id, back


async def _fetch_identity(
    tiktok: TikTokApp, code: str
) -> tuple[TokenSet, UserInfo, CreatorInfo | None]:
    async with tiktok.oauth_client() as oauth:
        tokens = await oauth.exchange_code(code, tiktok.redirect_uri)
    async with tiktok.posting_client(tokens.access_token) as posting:
        user = await posting.user_info(fields=USER_FIELDS)
        # The username is in creator_info (video.publish) without asking for user.info.profile.
        creator = await posting.creator_info() if "video.publish" in tokens.scope else None
    return tokens, user, creator


async def list_accounts(session: AsyncSession, team: TeamRead) -> list[AccountRead]:
    return [AccountRead.model_validate(a) for a in await repository.list_for_team(session, team.id)]


async def get_account(session: AsyncSession, team: TeamRead, account_id: str) -> AccountRead:
    return AccountRead.model_validate(await _owned(session, team, account_id))


async def _owned(session: AsyncSession, team: TeamRead, account_id: str) -> Account:
    account = await repository.get_for_team(session, team.id, account_id)
    if account is None:
        raise ApiError(404, "account_not_found", f"no account with id {account_id}", "id")
    return account


async def creator_info(tokens: TokenSource, team: TeamRead, account_id: str) -> CreatorInfoRead:
    async def query(access_token: str, account: Account) -> CreatorInfo:
        if business.is_business(account):
            app = tokens.business_app()
            async with app.account_client(access_token, account.open_id) as client:
                return await business.creator_info(client, account)
        async with tokens.tiktok.posting_client(access_token) as posting:
            return await posting.creator_info()

    try:
        # The account read for its token is the ownership check too: a create makes this call.
        info = await tokens.call_as(account_id, query, team_id=team.id)
    except errors.TikTokError as exc:
        raise api_error_from_tiktok(exc) from exc
    return CreatorInfoRead.model_validate(info.model_dump())


async def sounds(
    database: Database,
    tokens: TokenSource,
    team: TeamRead,
    account_id: str,
    trending: TrendingQuery,
    query: str | None = None,
) -> SoundList:
    """The Commercial Music Library's trending clips for a business account, live."""
    async with database.session() as session:
        account = await _owned(session, team, account_id)
    if not business.is_business(account):
        raise ApiError(
            409,
            "not_a_business_account",
            "sounds come from TikTok's API for Business: connect the account as a business "
            'account (POST /v1/accounts/connect {"api": "business"}) to use them',
            "id",
        )
    app = tokens.business_app()

    async def fetch(access_token: str) -> list[TrendingTrack]:
        async with app.account_client(access_token, account.open_id) as client:
            return await client.trending_sounds(
                country_code=trending.country_code,
                genre=trending.genre,
                date_range=trending.date_range,
            )

    try:
        tracks = await tokens.call(account_id, fetch)
    except errors.InvalidParams as exc:
        raise ApiError(
            422, "invalid_sound_filter", f"TikTok refused the filters: {exc.message}", "genre"
        ) from exc
    except errors.TikTokError as exc:
        raise api_error_from_tiktok(exc) from exc
    return SoundList(items=business.sounds_of(tracks, query))


async def set_default_privacy(
    database: Database, tokens: TokenSource, team: TeamRead, account_id: str, level: str | None
) -> AccountRead:
    """Set (or clear, with None) the privacy a direct post naming none uses. A level is held
    to the creator's creator_info as TikTok answers it now, read outside any transaction."""
    async with database.session() as session:
        await _owned(session, team, account_id)
    if level is not None:
        info = await creator_info(tokens, team, account_id)
        if level not in info.privacy_level_options:
            raise ApiError(
                422,
                "privacy_not_offered",
                f"@{info.creator_username} does not offer privacy_level {level}; choose one of "
                f"{', '.join(info.privacy_level_options)} (GET /v1/accounts/{{id}}/creator-info).",
                "default_privacy_level",
            )
    async with database.session(write=True) as session:
        account = await _owned(session, team, account_id)
        account.default_privacy_level = level
        await session.flush()
        return AccountRead.model_validate(account)


async def disconnect(
    database: Database, tokens: TokenSource, team: TeamRead, account_id: str
) -> AccountRead:
    """Revoke at TikTok, then forget the tokens; the row stays, `revoked`, for the record, and
    the posts still waiting for it fail (see posts.account_loss)."""
    async with database.session() as session:
        account = await _owned(session, team, account_id)
    # The Business API documents no revoke for an app's user token: forgetting it is all.
    revocable = not business.is_business(account)
    if revocable and account.status == "ready" and account.access_token_encrypted:
        try:
            async with tokens.tiktok.oauth_client() as oauth:
                await oauth.revoke(tokens.cipher.decrypt(account.access_token_encrypted))
        except errors.OAuthError as exc:
            if exc.retryable:
                raise api_error_from_tiktok(exc) from exc
            # TikTok no longer knows the token: the grant is gone either way.
        except errors.TikTokError as exc:
            raise api_error_from_tiktok(exc) from exc
    async with database.session(write=True) as session:
        account = await _owned(session, team, account_id)
        forget_tokens(account, "disconnected through the API")
        settle = await loss.disconnected(session, account)
        await session.flush()
        disconnected = AccountRead.model_validate(account)
    await settle()
    return disconnected
