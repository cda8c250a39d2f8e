"""Login Kit v2: the authorize URL, and the app-credentialed token and revoke calls.

These calls carry the app's `client_secret`, so they live apart from the per-creator posting
client, which only ever holds one creator's access token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import httpx

from tikpost.tiktok.base import EventHooks, HttpClientOwner
from tikpost.tiktok.errors import oauth_error, posting_error
from tikpost.tiktok.models import TokenSet
from tikpost.tiktok.responses import json_object, parse_model, transport_errors, undecodable

__all__ = ["TikTokOAuthClient", "build_authorize_url", "decode_oauth"]

AUTHORIZE_PATH = "/v2/auth/authorize/"
TOKEN_PATH = "/v2/oauth/token/"
REVOKE_PATH = "/v2/oauth/revoke/"


def build_authorize_url(
    auth_url: str,
    *,
    client_key: str,
    redirect_uri: str,
    scopes: Sequence[str],
    state: str,
    code_challenge: str | None = None,
    disable_auto_auth: bool = False,
) -> str:
    """The consent URL to send the creator to.

    `auth_url` is a base (`https://www.tiktok.com` or the sandbox) so one setting switches hosts.
    TikTok's web flow documents no PKCE; `code_challenge` is for desktop apps and is sent with
    method S256 (TikTok's desktop flow wants the hex SHA-256 of the verifier; computing it is the
    caller's choice). `disable_auto_auth` forces the consent page even for a live session, which is
    what a "reconnect" button needs.
    """
    if not scopes:
        raise ValueError("at least one scope is required")
    params = {
        "client_key": client_key,
        "response_type": "code",
        "scope": ",".join(scopes),
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if code_challenge is not None:
        params["code_challenge"] = code_challenge
        params["code_challenge_method"] = "S256"
    if disable_auto_auth:
        params["disable_auto_auth"] = "1"
    return f"{auth_url.rstrip('/')}{AUTHORIZE_PATH}?{urlencode(params, safe=',')}"


def decode_oauth(response: httpx.Response) -> dict[str, Any]:
    """Return an OAuth endpoint's top-level body, raising `OAuthError` for its error shape.

    The token endpoint is not wrapped in `data` and may report errors with any status (TikTok
    does not document which), so the body decides, not the status.
    """
    body = json_object(response)
    if body is None:
        raise undecodable(response)
    error = body.get("error")
    log_id = str(body["log_id"]) if body.get("log_id") else None
    if isinstance(error, str) and error:
        raise oauth_error(
            error,
            str(body.get("error_description") or ""),
            log_id=log_id,
            http_status=response.status_code,
        )
    if isinstance(error, dict) and error.get("code", "ok") != "ok":
        raise posting_error(
            str(error.get("code")),
            str(error.get("message") or ""),
            log_id=str(error["log_id"]) if error.get("log_id") else None,
            http_status=response.status_code,
        )
    if not response.is_success:
        raise oauth_error(
            "server_error" if response.status_code >= 500 else f"http_{response.status_code}",
            response.reason_phrase,
            log_id=log_id,
            http_status=response.status_code,
        )
    data = body.get("data")
    if isinstance(data, dict) and "access_token" not in body:
        # Tolerate a v2-style wrapper around the token fields.
        return data
    return body


class TikTokOAuthClient(HttpClientOwner):
    """Token exchange, refresh and revoke for one TikTok app.

    Pass a shared `httpx.AsyncClient` to pool connections across calls; without one the client
    makes its own and closes it in `aclose`.
    """

    def __init__(
        self,
        api_url: str,
        client_key: str,
        client_secret: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        event_hooks: EventHooks | None = None,
    ) -> None:
        super().__init__(api_url, http, timeout, event_hooks)
        self._client_key = client_key
        self._client_secret = client_secret

    async def _post_form(
        self, path: str, form: dict[str, str]
    ) -> tuple[dict[str, Any], httpx.Response]:
        with transport_errors():
            response = await self._http.post(
                self._api_url + path,
                data=form,
                headers={"Cache-Control": "no-cache", "Accept": "application/json"},
                timeout=self._timeout,
            )
        return decode_oauth(response), response

    async def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str | None = None
    ) -> TokenSet:
        """Trade the callback's `code` for tokens; `redirect_uri` must equal the authorize one."""
        form = {
            "client_key": self._client_key,
            "client_secret": self._client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        }
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        return parse_model(TokenSet, *await self._post_form(TOKEN_PATH, form))

    async def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens from a refresh token; the old refresh token may be dead afterwards.

        Raises `errors.InvalidGrant` when the refresh token is spent, expired or revoked: the
        creator has to connect again.
        """
        form = {
            "client_key": self._client_key,
            "client_secret": self._client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        return parse_model(TokenSet, *await self._post_form(TOKEN_PATH, form))

    async def revoke(self, access_token: str) -> None:
        """Remove the app from the creator's authorized apps; every token of the grant dies."""
        await self._post_form(
            REVOKE_PATH,
            {
                "client_key": self._client_key,
                "client_secret": self._client_secret,
                "token": access_token,
            },
        )
