"""Live access tokens for an account: refreshed before they expire, once more when TikTok says no.

A refresh token may be used once (TikTok rotates them), so refreshes of one account are
serialised across every process: the refresh runs inside a write transaction that locks the
account row (PostgreSQL) or the database (SQLite), re-reads the tokens under the lock, and only
calls TikTok if nobody refreshed in the meantime. The new tokens are committed in that same
transaction, before anything else can fail: losing a rotated refresh token loses the account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from tikpost.accounts import events, repository
from tikpost.accounts.models import Account, AccountApi
from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import Database, utcnow
from tikpost.kit.errors import ApiError
from tikpost.tiktok import TikTokApp, TokenSet, errors
from tikpost.tiktok.business import TikTokBusinessApp

# Refresh this long before the access token's end, so a call never starts with a dying token.
REFRESH_MARGIN = timedelta(minutes=5)
T = TypeVar("T")


class AccountUnavailableError(ApiError):
    """The account cannot be used until its creator connects it again."""

    def __init__(self, account: Account) -> None:
        if account.status == "revoked":
            reason = account.status_reason or "disconnected"
            super().__init__(
                409,
                "account_revoked",
                f"this account was disconnected ({reason}); connect it again "
                "(POST /v1/accounts/connect)",
            )
        else:
            reason = account.status_reason or "TikTok no longer accepts this account's tokens"
            super().__init__(
                409,
                "account_reauth_required",
                f"{reason}; connect the account again (POST /v1/accounts/connect)",
            )


def store_tokens(account: Account, tokens: TokenSet, cipher: TokenCipher) -> None:
    now = utcnow()
    account.access_token_encrypted = cipher.encrypt(tokens.access_token)
    account.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    account.refresh_token_encrypted = cipher.encrypt(tokens.refresh_token)
    account.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    account.scopes = list(tokens.scope)
    account.status = "ready"
    account.status_reason = None


def forget_tokens(account: Account, reason: str) -> None:
    """The account is `revoked`: TikTok honours none of its tokens any more, so none are kept."""
    account.access_token_encrypted = account.refresh_token_encrypted = None
    account.access_expires_at = account.refresh_expires_at = None
    account.status = "revoked"
    account.status_reason = reason


def _fresh_token(account: Account, cipher: TokenCipher) -> str | None:
    """The stored access token if it will outlive the margin."""
    expires = account.access_expires_at
    if account.access_token_encrypted is None or expires is None:
        return None
    if expires - REFRESH_MARGIN <= utcnow():
        return None
    return cipher.decrypt(account.access_token_encrypted)


class TokenSource:
    """Hands out usable access tokens for accounts; one per process, shared by all requests.
    A business account's tokens are the Business API app's, refreshed there (`business`)."""

    def __init__(
        self,
        database: Database,
        cipher: TokenCipher,
        tiktok: TikTokApp,
        business: TikTokBusinessApp | None = None,
    ) -> None:
        self.database = database
        self.cipher = cipher
        self.tiktok = tiktok
        self.business = business

    def business_app(self) -> TikTokBusinessApp:
        """The Business API app, or a 409 naming the settings that would configure it."""
        if self.business is None:
            raise ApiError(
                409,
                "business_api_not_configured",
                "this server has no TikTok API for Business app: set "
                "TIKPOST_TIKTOK_BUSINESS_CLIENT_KEY and TIKPOST_TIKTOK_BUSINESS_CLIENT_SECRET",
            )
        return self.business

    async def access_token(self, account_id: str) -> str:
        return (await self._live(account_id))[0]

    async def _live(self, account_id: str, team_id: str | None = None) -> tuple[str, Account]:
        """A usable token and the account as read for it (which API it posts through); with
        `team_id`, only that team's account (a 404 otherwise, before any call to TikTok)."""
        async with self.database.session() as session:
            account = await (
                repository.get(session, account_id)
                if team_id is None
                else repository.get_for_team(session, team_id, account_id)
            )
        if account is None:
            raise ApiError(404, "account_not_found", f"no account with id {account_id}", "id")
        if account.status != "ready":
            raise AccountUnavailableError(account)
        token = _fresh_token(account, self.cipher)
        if token is not None:
            return token, account
        stale = account.access_token_encrypted
        refreshed = await self.refresh(account_id, self.cipher.decrypt(stale) if stale else None)
        return refreshed, account

    async def refresh(self, account_id: str, rejected_token: str | None) -> str:
        """Refresh unless another caller already replaced `rejected_token` with a fresh one."""
        refused: Account | None = None
        deliveries: list[str] = []
        async with self.database.session(write=True) as session:
            account = await repository.get_for_update(session, account_id)
            if account is None:
                raise ApiError(404, "account_not_found", f"no account with id {account_id}")
            if account.status != "ready":
                raise AccountUnavailableError(account)
            current = _fresh_token(account, self.cipher)
            if current is not None and current != rejected_token:
                return current
            try:
                tokens = await self._refresh_at_tiktok(account)
            except errors.InvalidGrant as exc:
                # Commit the verdict (the block ends normally), then tell the caller.
                reason = f"TikTok refused the refresh token ({exc.message})"
                deliveries = await events.mark_reauth_required(session, account, reason)
                refused = account
            else:
                store_tokens(account, tokens, self.cipher)
                return tokens.access_token
        assert refused is not None
        await events.send(deliveries)
        raise AccountUnavailableError(refused)

    async def _refresh_at_tiktok(self, account: Account) -> TokenSet:
        expires = account.refresh_expires_at
        if account.refresh_token_encrypted is None or (expires is not None and expires <= utcnow()):
            raise errors.InvalidGrant(
                "invalid_grant", "the refresh token has expired", http_status=400
            )
        refresh_token = self.cipher.decrypt(account.refresh_token_encrypted)
        if account.api == AccountApi.BUSINESS:
            async with self.business_app().oauth_client() as business:
                return (await business.refresh(refresh_token)).as_token_set()
        async with self.tiktok.oauth_client() as oauth:
            return await oauth.refresh(refresh_token)

    async def call(self, account_id: str, action: Callable[[str], Awaitable[T]]) -> T:
        """Run a TikTok call with a live token; on `access_token_invalid` refresh once and retry."""
        return await self.call_as(account_id, lambda token, _account: action(token))

    async def call_as(
        self,
        account_id: str,
        action: Callable[[str, Account], Awaitable[T]],
        *,
        team_id: str | None = None,
    ) -> T:
        """`call`, the action also given the account (to pick the client for its API); with
        `team_id`, for that team's account only (one read checks both owner and token)."""
        token, account = await self._live(account_id, team_id)
        try:
            return await action(token, account)
        except errors.AccessTokenInvalid:
            return await action(await self.refresh(account_id, token), account)
