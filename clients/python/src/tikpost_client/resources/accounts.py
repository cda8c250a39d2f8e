"""`client.accounts`: connect TikTok accounts, list and inspect them, set a default privacy,
and list a business account's commercial sounds."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Literal

from tikpost_client._base import Call, model, query, seg
from tikpost_client._models import (
    AccountList,
    AccountRead,
    ConnectStarted,
    CreatorInfoRead,
    SoundList,
    SoundRead,
)

if TYPE_CHECKING:
    from tikpost_client._transport import AsyncTransport, SyncTransport

Privacy = Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
# The TikTok API an account posts through: `business` is TikTok's API for Business (sounds).
Api = Literal["content_posting", "business"]
DateRange = Literal["1DAY", "7DAY", "30DAY", "90DAY"]


def _connect(
    api: Api | None, redirect_uri: str | None, cancel_redirect_uri: str | None
) -> Call[ConnectStarted]:
    body = query(api=api, redirect_uri=redirect_uri, cancel_redirect_uri=cancel_redirect_uri)
    return Call("POST", "/v1/accounts/connect", model(ConnectStarted), json=body or None)


def _list() -> Call[AccountList]:
    return Call("GET", "/v1/accounts", model(AccountList))


def _get(account_id: str) -> Call[AccountRead]:
    return Call("GET", f"/v1/accounts/{seg(account_id)}", model(AccountRead))


def _creator_info(account_id: str) -> Call[CreatorInfoRead]:
    return Call("GET", f"/v1/accounts/{seg(account_id)}/creator-info", model(CreatorInfoRead))


def _sounds(
    account_id: str, country_code: str, genre: str, date_range: DateRange, q: str | None
) -> Call[SoundList]:
    params = query(country_code=country_code, genre=genre, date_range=date_range, q=q)
    return Call("GET", f"/v1/accounts/{seg(account_id)}/sounds", model(SoundList), params=params)


def _disconnect(account_id: str) -> Call[AccountRead]:
    return Call("DELETE", f"/v1/accounts/{seg(account_id)}", model(AccountRead))


def _update(account_id: str, default_privacy_level: Privacy | None) -> Call[AccountRead]:
    body = {"default_privacy_level": default_privacy_level}
    return Call("PATCH", f"/v1/accounts/{seg(account_id)}", model(AccountRead), json=body)


class Accounts:
    def __init__(self, transport: SyncTransport) -> None:
        self._send = transport.send

    def connect(
        self,
        *,
        api: Api | None = None,
        redirect_uri: str | None = None,
        cancel_redirect_uri: str | None = None,
    ) -> ConnectStarted:
        """Start a connection: send the creator to `.authorize_url` (valid 10 minutes, once).
        With `redirect_uri` their browser comes back to your page afterwards. `api="business"`
        connects through the server's TikTok API for Business app, the only way a post can
        carry a sound (its videos are public)."""
        return self._send(_connect(api, redirect_uri, cancel_redirect_uri))

    def list(self) -> list[AccountRead]:
        return self._send(_list()).items

    def get(self, account_id: str) -> AccountRead:
        return self._send(_get(account_id))

    def creator_info(self, account_id: str) -> CreatorInfoRead:
        """What TikTok allows this creator now: privacy options, duration limit, toggles."""
        return self._send(_creator_info(account_id))

    def sounds(
        self,
        account_id: str,
        *,
        country_code: str = "US",
        genre: str = "ALL",
        date_range: DateRange = "7DAY",
        q: str | None = None,
    ) -> builtins.list[SoundRead]:
        """A business account's trending commercial sounds, asked of TikTok live (no paging:
        TikTok's list is short), one per publishable clip: a post's `sound={"id": ...}` takes
        its `.id`. `q` matches name or artist here, as TikTok has no search. ConflictError
        (`not_a_business_account`) for an account connected through the Content Posting API."""
        return self._send(_sounds(account_id, country_code, genre, date_range, q)).items

    def disconnect(self, account_id: str) -> AccountRead:
        return self._send(_disconnect(account_id))

    def update(self, account_id: str, *, default_privacy_level: Privacy | None) -> AccountRead:
        """The privacy a direct post naming none uses (None: such posts wait for review)."""
        return self._send(_update(account_id, default_privacy_level))


class AsyncAccounts:
    def __init__(self, transport: AsyncTransport) -> None:
        self._send = transport.send

    async def connect(
        self,
        *,
        api: Api | None = None,
        redirect_uri: str | None = None,
        cancel_redirect_uri: str | None = None,
    ) -> ConnectStarted:
        return await self._send(_connect(api, redirect_uri, cancel_redirect_uri))

    async def list(self) -> list[AccountRead]:
        return (await self._send(_list())).items

    async def get(self, account_id: str) -> AccountRead:
        return await self._send(_get(account_id))

    async def creator_info(self, account_id: str) -> CreatorInfoRead:
        return await self._send(_creator_info(account_id))

    async def sounds(
        self,
        account_id: str,
        *,
        country_code: str = "US",
        genre: str = "ALL",
        date_range: DateRange = "7DAY",
        q: str | None = None,
    ) -> builtins.list[SoundRead]:
        return (await self._send(_sounds(account_id, country_code, genre, date_range, q))).items

    async def disconnect(self, account_id: str) -> AccountRead:
        return await self._send(_disconnect(account_id))

    async def update(
        self, account_id: str, *, default_privacy_level: Privacy | None
    ) -> AccountRead:
        return await self._send(_update(account_id, default_privacy_level))
