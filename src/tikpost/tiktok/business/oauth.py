"""The Business API app's token calls: JSON bodies with `client_id` and `client_secret`, answered
in the `{code, data}` envelope, unlike Login Kit's form-encoded OAuth endpoints.

The creator consents on TikTok's usual page (`tiktok.build_authorize_url` with the Business
app's client id as `client_key`); the code it returns is this exchange's `auth_code`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tikpost.tiktok.base import EventHooks, HttpClientOwner
from tikpost.tiktok.business.envelope import decode
from tikpost.tiktok.business.models import BusinessTokenSet
from tikpost.tiktok.responses import parse_model, transport_errors

API_PREFIX = "/open_api/v1.3"
TOKEN_PATH = f"{API_PREFIX}/tt_user/oauth2/token/"
REFRESH_PATH = f"{API_PREFIX}/tt_user/oauth2/refresh_token/"


class BusinessOAuthClient(HttpClientOwner):
    """Exchange and refresh for one Business API app; failures raise `errors.OAuthError`s."""

    def __init__(
        self,
        api_url: str,
        client_id: str,
        client_secret: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        event_hooks: EventHooks | None = None,
    ) -> None:
        super().__init__(api_url, http, timeout, event_hooks)
        self._app = {"client_id": client_id, "client_secret": client_secret}

    async def _token(self, path: str, body: dict[str, Any]) -> BusinessTokenSet:
        content = json.dumps({**self._app, **body}, separators=(",", ":")).encode()
        with transport_errors(path):
            response = await self._http.post(
                self._api_url + path,
                content=content,
                headers={"Content-Type": "application/json"},
                timeout=self._timeout,
            )
            return parse_model(BusinessTokenSet, decode(response, oauth=True), response)

    async def exchange_code(self, auth_code: str, redirect_uri: str) -> BusinessTokenSet:
        """A code is good once, for minutes; `redirect_uri` must be the authorize call's."""
        body = {
            "grant_type": "authorization_code",
            "auth_code": auth_code,
            "redirect_uri": redirect_uri,
        }
        return await self._token(TOKEN_PATH, body)

    async def refresh(self, refresh_token: str) -> BusinessTokenSet:
        """A new pair; the refresh token given stops working, so store the returned one."""
        body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return await self._token(REFRESH_PATH, body)
