"""`client.accounts`: connect TikTok accounts, list and inspect them, set a default privacy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from tikpost_client._base import Call, model, query, seg
from tikpost_client._models import (
    AccountList,
    AccountRead,
    ConnectStarted,
    CreatorInfoRead,
)

if TYPE_CHECKING:
    from tikpost_client._transport import AsyncTransport, SyncTransport

Privacy = Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]


def _connect(redirect_uri: str | None, cancel_redirect_uri: str | None) -> Call[ConnectStarted]:
    body = query(redirect_uri=redirect_uri, cancel_redirect_uri=cancel_redirect_uri)
    return Call("POST", "/v1/accounts/connect", model(ConnectStarted), json=body or None)


def _list() -> Call[AccountList]:
    return Call("GET", "/v1/accounts", model(AccountList))


def _get(account_id: str) -> Call[AccountRead]:
    return Call("GET", f"/v1/accounts/{seg(account_id)}", model(AccountRead))


def _creator_info(account_id: str) -> Call[CreatorInfoRead]:
    return Call("GET", f"/v1/accounts/{seg(account_id)}/creator-info", model(CreatorInfoRead))


def _disconnect(account_id: str) -> Call[AccountRead]:
    return Call("DELETE", f"/v1/accounts/{seg(account_id)}", model(AccountRead))


def _update(account_id: str, default_privacy_level: Privacy | None) -> Call[AccountRead]:
    body = {"default_privacy_level": default_privacy_level}
    return Call("PATCH", f"/v1/accounts/{seg(account_id)}", model(AccountRead), json=body)


class Accounts:
    def __init__(self, transport: SyncTransport) -> None:
        self._send = transport.send

    def connect(
        self, *, redirect_uri: str | None = None, cancel_redirect_uri: str | None = None
    ) -> ConnectStarted:
        """Start a connection: send the creator to `.authorize_url` (valid 10 minutes, once).
        With `redirect_uri` their browser comes back to your page afterwards."""
        return self._send(_connect(redirect_uri, cancel_redirect_uri))

    def list(self) -> list[AccountRead]:
        return self._send(_list()).items

    def get(self, account_id: str) -> AccountRead:
        return self._send(_get(account_id))

    def creator_info(self, account_id: str) -> CreatorInfoRead:
        """What TikTok allows this creator now: privacy options, duration limit, toggles."""
        return self._send(_creator_info(account_id))

    def disconnect(self, account_id: str) -> AccountRead:
        return self._send(_disconnect(account_id))

    def update(self, account_id: str, *, default_privacy_level: Privacy | None) -> AccountRead:
        """The privacy a direct post naming none uses (None: such posts wait for review)."""
        return self._send(_update(account_id, default_privacy_level))


class AsyncAccounts:
    def __init__(self, transport: AsyncTransport) -> None:
        self._send = transport.send

    async def connect(
        self, *, redirect_uri: str | None = None, cancel_redirect_uri: str | None = None
    ) -> ConnectStarted:
        return await self._send(_connect(redirect_uri, cancel_redirect_uri))

    async def list(self) -> list[AccountRead]:
        return (await self._send(_list())).items

    async def get(self, account_id: str) -> AccountRead:
        return await self._send(_get(account_id))

    async def creator_info(self, account_id: str) -> CreatorInfoRead:
        return await self._send(_creator_info(account_id))

    async def disconnect(self, account_id: str) -> AccountRead:
        return await self._send(_disconnect(account_id))

    async def update(
        self, account_id: str, *, default_privacy_level: Privacy | None
    ) -> AccountRead:
        return await self._send(_update(account_id, default_privacy_level))
