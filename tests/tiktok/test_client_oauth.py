"""Login Kit through the client against the sandbox: consent, exchange, refresh, revoke."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conftest import RunningSandbox, SandboxFactory
from tests.tiktok.conftest import MediaOrigin
from tikpost.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI
from tikpost.tiktok import TikTokOAuthClient, TikTokPostingClient, build_authorize_url, errors

SCOPES = ("user.info.basic", "user.info.profile", "video.publish", "video.upload")


def oauth_client(sandbox: RunningSandbox, secret: str = DEFAULT_CLIENT_SECRET) -> TikTokOAuthClient:
    return TikTokOAuthClient(sandbox.url, DEFAULT_CLIENT_KEY, secret)


async def consent(
    sandbox: RunningSandbox,
    url: str,
    *,
    username: str = "new_creator",
    untick: tuple[str, ...] = (),
    decision: str = "approve",
) -> dict[str, str]:
    """Act as the creator in a browser: load the consent page, submit it, read the redirect."""
    async with httpx.AsyncClient(follow_redirects=False) as browser:
        page = await browser.get(url)
        assert page.status_code == 200, page.text
        assert 'name="decision"' in page.text
        query = parse_qs(urlsplit(url).query)
        form: dict[str, str | list[str]] = {name: values[0] for name, values in query.items()}
        form |= {"scope_choice": "1", "username": username, "decision": decision}
        form["granted_scope"] = [s for s in query["scope"][0].split(",") if s not in untick]
        answer = await browser.post(url, data=form)
    assert answer.status_code in (302, 303, 307), answer.text
    location = answer.headers["location"]
    assert location.startswith(DEFAULT_REDIRECT_URI + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_authorize_url_carries_tiktoks_parameters() -> None:
    url = build_authorize_url(
        "https://www.tiktok.com/",
        client_key="key",
        redirect_uri="https://app.example/cb",
        scopes=["user.info.basic", "video.publish"],
        state="s t&x",
        code_challenge="abc",
        disable_auto_auth=True,
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "www.tiktok.com",
        "/v2/auth/authorize/",
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "client_key": "key",
        "response_type": "code",
        "scope": "user.info.basic,video.publish",
        "redirect_uri": "https://app.example/cb",
        "state": "s t&x",
        "code_challenge": "abc",
        "code_challenge_method": "S256",
        "disable_auto_auth": "1",
    }
    assert "scope=user.info.basic,video.publish" in url


def test_authorize_url_needs_a_scope() -> None:
    with pytest.raises(ValueError, match="scope"):
        build_authorize_url("https://x", client_key="k", redirect_uri="r", scopes=[], state="s")


async def test_consent_round_trip_then_exchange(sandbox: RunningSandbox) -> None:
    url = build_authorize_url(
        sandbox.url,
        client_key=DEFAULT_CLIENT_KEY,
        redirect_uri=DEFAULT_REDIRECT_URI,
        scopes=SCOPES,
        state="csrf-123",
    )
    callback = await consent(sandbox, url, username="round_trip", untick=("video.upload",))
    assert callback["state"] == "csrf-123"
    assert callback["scopes"].split(",") == [
        "user.info.basic",
        "user.info.profile",
        "video.publish",
    ]
    async with oauth_client(sandbox) as oauth:
        tokens = await oauth.exchange_code(callback["code"], DEFAULT_REDIRECT_URI)
        assert sorted(tokens.scope) == ["user.info.basic", "user.info.profile", "video.publish"]
        assert tokens.token_type == "Bearer"
        assert tokens.access_token.startswith("act.")
        assert tokens.refresh_token.startswith("rft.")
        assert 0 < tokens.expires_in <= 2 * 3600
        assert tokens.refresh_expires_in > tokens.expires_in
        # A code is single use.
        with pytest.raises(errors.InvalidGrant) as reused:
            await oauth.exchange_code(callback["code"], DEFAULT_REDIRECT_URI)
        assert reused.value.code == "invalid_grant"
        assert reused.value.log_id
        assert not reused.value.retryable
    async with TikTokPostingClient(sandbox.url, tokens.access_token) as client:
        user = await client.user_info()
    assert user.open_id == tokens.open_id
    assert user.username == "round_trip"


async def test_pkce_verifier_is_sent(sandbox: RunningSandbox) -> None:
    verifier = "v" * 64
    url = build_authorize_url(
        sandbox.url,
        client_key=DEFAULT_CLIENT_KEY,
        redirect_uri=DEFAULT_REDIRECT_URI,
        scopes=SCOPES,
        state="s",
        code_challenge=hashlib.sha256(verifier.encode()).hexdigest(),
    )
    callback = await consent(sandbox, url, username="pkce")
    async with oauth_client(sandbox) as oauth:
        tokens = await oauth.exchange_code(callback["code"], DEFAULT_REDIRECT_URI, verifier)
    assert tokens.open_id


async def test_denied_consent_redirects_with_access_denied(sandbox: RunningSandbox) -> None:
    url = build_authorize_url(
        sandbox.url,
        client_key=DEFAULT_CLIENT_KEY,
        redirect_uri=DEFAULT_REDIRECT_URI,
        scopes=SCOPES,
        state="st",
    )
    callback = await consent(sandbox, url, decision="deny")
    assert callback["error"] == "access_denied"
    assert callback["state"] == "st"


async def test_exchange_with_other_redirect_uri_is_invalid_grant(sandbox: RunningSandbox) -> None:
    url = build_authorize_url(
        sandbox.url,
        client_key=DEFAULT_CLIENT_KEY,
        redirect_uri=DEFAULT_REDIRECT_URI,
        scopes=SCOPES,
        state="s",
    )
    callback = await consent(sandbox, url, username="mismatch")
    async with oauth_client(sandbox) as oauth:
        with pytest.raises(errors.InvalidGrant, match="Redirect_uri"):
            await oauth.exchange_code(callback["code"], "http://127.0.0.1:8000/elsewhere")


async def test_refresh_rotates_and_the_old_refresh_token_dies(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("rotating")
    async with oauth_client(sandbox) as oauth:
        fresh = await oauth.refresh(creator["refresh_token"])
        assert fresh.open_id == creator["open_id"]
        assert fresh.access_token != creator["access_token"]
        assert fresh.refresh_token != creator["refresh_token"]
        assert set(fresh.scope) == set(SCOPES)
        with pytest.raises(errors.InvalidGrant) as reused:
            await oauth.refresh(creator["refresh_token"])
        assert isinstance(reused.value, errors.OAuthError)
        again = await oauth.refresh(fresh.refresh_token)
    async with TikTokPostingClient(sandbox.url, again.access_token) as client:
        assert (await client.user_info(["open_id"])).open_id == creator["open_id"]


async def test_expired_refresh_token_is_invalid_grant(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("expiring")
    expire = {"refresh_token": creator["refresh_token"]}
    sandbox.operator.post("/_sandbox/tokens/expire", json=expire).raise_for_status()
    async with oauth_client(sandbox) as oauth:
        with pytest.raises(errors.InvalidGrant):
            await oauth.refresh(creator["refresh_token"])


async def test_revoke_kills_the_grant(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("revoker")
    async with oauth_client(sandbox) as oauth:
        await oauth.revoke(creator["access_token"])
        with pytest.raises(errors.InvalidGrant):
            await oauth.refresh(creator["refresh_token"])
    async with TikTokPostingClient(sandbox.url, creator["access_token"]) as client:
        with pytest.raises(errors.AccessTokenInvalid) as caught:
            await client.creator_info()
    assert caught.value.http_status == 401


async def test_wrong_secret_is_invalid_client(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("secretive")
    async with oauth_client(sandbox, secret="wrong") as oauth:
        with pytest.raises(errors.InvalidClient):
            await oauth.refresh(creator["refresh_token"])
        with pytest.raises(errors.InvalidClient):
            await oauth.revoke(creator["access_token"])


async def test_token_endpoint_outage_is_retryable_server_error(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("outage")
    fault = {"endpoint": "oauth/token", "error_rate": 1.0}
    sandbox.operator.post("/_sandbox/faults", json=fault).raise_for_status()
    async with oauth_client(sandbox) as oauth:
        with pytest.raises(errors.ServerError) as caught:
            await oauth.refresh(creator["refresh_token"])
        assert caught.value.retryable
        sandbox.operator.delete("/_sandbox/faults").raise_for_status()
        assert (await oauth.refresh(creator["refresh_token"])).open_id == creator["open_id"]


async def test_non_json_gateway_page_is_a_retryable_error(media_origin: MediaOrigin) -> None:
    html = b"<html><body>502 Bad Gateway</body></html>"
    media_origin.add("/v2/oauth/token/", html, "text/html", status=502)
    async with TikTokOAuthClient(media_origin.url, "k", "s") as oauth:
        with pytest.raises(errors.TikTokError) as caught:
            await oauth.refresh("rft.x")
    assert caught.value.http_status == 502
    assert caught.value.retryable


async def test_unreachable_host_is_a_transport_error() -> None:
    async with TikTokOAuthClient("http://127.0.0.1:9", "k", "s", timeout=5) as oauth:
        with pytest.raises(errors.TikTokTransportError) as caught:
            await oauth.refresh("rft.x")
    assert caught.value.retryable


async def test_shared_http_client_is_left_open(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("sharer")
    async with httpx.AsyncClient() as shared:
        async with TikTokOAuthClient(
            sandbox.url, DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, http=shared
        ) as oauth:
            await oauth.refresh(creator["refresh_token"])
        assert not shared.is_closed


async def test_refresh_without_rotation_keeps_the_refresh_token(
    sandbox_factory: SandboxFactory,
) -> None:
    with sandbox_factory(rotate_refresh_tokens=False) as sandbox:
        creator = sandbox.create_creator("steady")
        async with oauth_client(sandbox) as oauth:
            first = await oauth.refresh(creator["refresh_token"])
            second = await oauth.refresh(creator["refresh_token"])
        assert first.refresh_token == second.refresh_token == creator["refresh_token"]
        assert first.access_token != second.access_token
