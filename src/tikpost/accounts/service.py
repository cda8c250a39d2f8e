"""Rules for connected accounts: connecting through OAuth, reading, and disconnecting.

Calls to TikTok never run inside a database transaction here: each phase that touches the
database is its own short unit of work, so no lock is held while TikTok thinks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import loss, repository
from tikpost.accounts.models import Account, OAuthState
from tikpost.accounts.oauth import SCOPES, new_state, verify_state
from tikpost.accounts.redirects import allowed_redirect
from tikpost.accounts.schemas import AccountRead, ConnectStarted, CreatorInfoRead
from tikpost.accounts.tokens import TokenSource, forget_tokens, store_tokens
from tikpost.failures import api_error_from_tiktok
from tikpost.kit.crypto import Signer, TokenCipher, sha256_hex
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
) -> ConnectStarted:
    """`return_url` (a path of ours, set by the dashboard) is where the callback sends the
    browser afterwards; without it the callback answers a page of its own.

    `redirect_uri` is another app's page, on one of `allowed_origins` (the settings'
    connect_redirect_origins; 422 otherwise): the browser goes there with `account_id` and
    `status=connected`, or `error=<code>`; a creator who declines goes to
    `cancel_redirect_uri` instead, if given.
    """
    for field, uri in (
        ("redirect_uri", redirect_uri),
        ("cancel_redirect_uri", cancel_redirect_uri),
    ):
        if uri is not None:
            allowed_redirect(uri, allowed_origins, field)
    state = new_state(signer, team.id)
    await repository.add_state(
        session,
        OAuthState(
            team_id=team.id,
            state_hash=state.value_hash,
            redirect_uri=tiktok.redirect_uri,
            return_url=return_url,
            app_redirect_uri=redirect_uri,
            app_cancel_uri=cancel_redirect_uri,
            expires_at=state.expires_at,
        ),
    )
    url = build_authorize_url(
        tiktok.auth_url,
        client_key=tiktok.client_key,
        redirect_uri=tiktok.redirect_uri,
        scopes=SCOPES,
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
    database: Database,
    tiktok: TikTokApp,
    signer: Signer,
    cipher: TokenCipher,
    params: Mapping[str, str],
) -> Connected:
    """The OAuth callback: check the state, trade the code, store the account once."""
    team_id, back = await _consume_state(database, signer, params.get("state", ""))
    try:
        connected = await _connect(database, tiktok, cipher, params, team_id)
    except ConnectFailedError as failure:
        failure.back = back
        raise
    return Connected(connected.account, connected.created, back)


async def _connect(
    database: Database,
    tiktok: TikTokApp,
    cipher: TokenCipher,
    params: Mapping[str, str],
    team_id: str,
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
        tokens, user, creator = await _fetch_identity(tiktok, code)
    except errors.TikTokError as exc:
        raise ConnectFailedError(
            "tiktok_error", f"TikTok refused the connection ({exc.code}). Please try again."
        ) from exc
    async with database.session(write=True) as session:
        account = await repository.find_by_open_id(session, team_id, tokens.open_id)
        created = account is None
        if account is None:
            fresh = Account(team_id=team_id, open_id=tokens.open_id)
            account = await repository.add(session, fresh)
        if creator is not None:
            account.username = creator.creator_username
        account.display_name = user.display_name or (creator.creator_nickname if creator else None)
        account.avatar_url = user.avatar_url or (creator.creator_avatar_url if creator else None)
        store_tokens(account, tokens, cipher)
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
        back = Return(stored.return_url, stored.app_redirect_uri, stored.app_cancel_uri)
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


async def creator_info(
    database: Database, tokens: TokenSource, team: TeamRead, account_id: str
) -> CreatorInfoRead:
    async with database.session() as session:
        await _owned(session, team, account_id)

    async def query(access_token: str) -> CreatorInfo:
        async with tokens.tiktok.posting_client(access_token) as posting:
            return await posting.creator_info()

    try:
        info = await tokens.call(account_id, query)
    except errors.TikTokError as exc:
        raise api_error_from_tiktok(exc) from exc
    return CreatorInfoRead.model_validate(info.model_dump())


async def set_default_privacy(
    database: Database, tokens: TokenSource, team: TeamRead, account_id: str, level: str | None
) -> AccountRead:
    """Set (or clear, with None) the privacy a direct post naming none uses. A level is held
    to the creator's creator_info as TikTok answers it now, read outside any transaction."""
    async with database.session() as session:
        await _owned(session, team, account_id)
    if level is not None:
        info = await creator_info(database, tokens, team, account_id)
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
    if account.status == "ready" and account.access_token_encrypted:
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
