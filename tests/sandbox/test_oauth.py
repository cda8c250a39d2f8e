"""Login Kit v2 over raw HTTP: consent page, code exchange, refresh rotation, revoke, user info."""

from __future__ import annotations

import json
import queue
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import RunningSandbox, SandboxFactory
from tests.sandbox.helpers import bearer, error_code
from tests.support.server import serve_in_thread
from tikpost.tiktok.webhooks import verify_signature

REDIRECT = "http://127.0.0.1:8000/v1/oauth/tiktok/callback"


def authorize_params(sandbox: RunningSandbox, **overrides: str) -> dict[str, str]:
    return {
        "client_key": sandbox.config.client_key,
        "scope": "user.info.basic,video.publish,video.upload",
        "redirect_uri": REDIRECT,
        "state": "xyz-123",
        "response_type": "code",
        **overrides,
    }


def consent(
    sandbox: RunningSandbox, decision: str = "approve", **fields: Any
) -> dict[str, list[str]]:
    """Drive the consent page as a browser would and return the redirect's query."""
    params = authorize_params(sandbox)
    page = sandbox.operator.get("/v2/auth/authorize/", params=params)
    assert page.status_code == 200
    assert "<form" in page.text
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', page.text))
    ticked = re.findall(r'name="granted_scope" value="([^"]*)" checked', page.text)
    form = {**hidden, "granted_scope": ticked, "decision": decision, "username": "alice", **fields}
    response = sandbox.operator.post("/v2/auth/authorize/", data=form)
    assert response.status_code == 302
    location = urlparse(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query)


def exchange(sandbox: RunningSandbox, **fields: str) -> httpx.Response:
    body = {
        "client_key": sandbox.config.client_key,
        "client_secret": sandbox.config.client_secret,
        "grant_type": "authorization_code",
        "redirect_uri": REDIRECT,
        **fields,
    }
    return sandbox.operator.post(
        "/v2/oauth/token/",
        content=urlencode(body),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-cache"},
    )


def refresh(sandbox: RunningSandbox, refresh_token: str) -> httpx.Response:
    return sandbox.operator.post(
        "/v2/oauth/token/",
        data={
            "client_key": sandbox.config.client_key,
            "client_secret": sandbox.config.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
    )


def test_full_authorization_code_flow(sandbox: RunningSandbox) -> None:
    query = consent(sandbox)
    assert query["state"] == ["xyz-123"]
    assert query["scopes"] == ["user.info.basic,video.publish,video.upload"]
    response = exchange(sandbox, code=query["code"][0])
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["access_token"].startswith("act.")
    assert tokens["refresh_token"].startswith("rft.")
    assert tokens["expires_in"] == 7200
    assert tokens["refresh_expires_in"] == 180 * 86400
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "user.info.basic,video.publish,video.upload"
    with bearer(sandbox.url, tokens["access_token"]) as api:
        info = api.get("/v2/user/info/", params={"fields": "open_id,display_name,avatar_url"})
    assert info.status_code == 200
    assert info.json()["data"]["user"]["open_id"] == tokens["open_id"]
    assert info.json()["error"]["code"] == "ok"


def test_codes_are_single_use_and_short_lived(sandbox: RunningSandbox) -> None:
    code = consent(sandbox)["code"][0]
    assert exchange(sandbox, code=code).status_code == 200
    again = exchange(sandbox, code=code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert again.json()["log_id"]
    late = consent(sandbox)["code"][0]
    sandbox.advance_clock(601)
    assert exchange(sandbox, code=late).json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_and_client_must_be_known(sandbox: RunningSandbox) -> None:
    code = consent(sandbox)["code"][0]
    mismatch = exchange(sandbox, code=code, redirect_uri="http://127.0.0.1:8000/other")
    assert mismatch.json()["error"] == "invalid_grant"
    assert "Redirect_uri" in mismatch.json()["error_description"]
    wrong_secret = exchange(sandbox, code=code, client_secret="nope")
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    unregistered = sandbox.operator.get(
        "/v2/auth/authorize/", params=authorize_params(sandbox, redirect_uri="https://evil.test/cb")
    )
    assert unregistered.status_code == 400
    assert "location" not in unregistered.headers
    bad_grant = exchange(sandbox, code=code, grant_type="password")
    assert bad_grant.json()["error"] == "unsupported_grant_type"
    not_form = sandbox.operator.post("/v2/oauth/token/", json={"grant_type": "refresh_token"})
    assert not_form.json()["error"] == "invalid_request"


def test_unknown_scope_and_response_type_redirect_with_error(sandbox: RunningSandbox) -> None:
    for params, error in (
        (authorize_params(sandbox, scope="video.publish,bogus"), "invalid_scope"),
        (authorize_params(sandbox, response_type="token"), "unsupported_response_type"),
    ):
        response = sandbox.operator.get("/v2/auth/authorize/", params=params)
        assert response.status_code == 302
        assert parse_qs(urlparse(response.headers["location"]).query)["error"] == [error]


def test_denied_consent_redirects_with_access_denied(sandbox: RunningSandbox) -> None:
    query = consent(sandbox, decision="deny")
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["xyz-123"]
    assert "code" not in query


def test_unticked_scope_is_not_granted(sandbox: RunningSandbox) -> None:
    query = consent(sandbox, granted_scope=["user.info.basic", "video.upload"], scope_choice="1")
    assert query["scopes"] == ["user.info.basic,video.upload"]
    token = exchange(sandbox, code=query["code"][0]).json()["access_token"]
    with bearer(sandbox.url, token) as api:
        denied = api.post("/v2/post/publish/creator_info/query/")
    assert denied.status_code == 401
    assert error_code(denied) == "scope_not_authorized"


def test_refresh_rotates_and_the_old_refresh_token_dies(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("rotating")
    first = refresh(sandbox, creator["refresh_token"])
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != creator["refresh_token"]
    assert rotated["access_token"] != creator["access_token"]
    reused = refresh(sandbox, creator["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert refresh(sandbox, rotated["refresh_token"]).status_code == 200


def test_without_rotation_the_refresh_token_is_returned_again(
    sandbox_factory: SandboxFactory,
) -> None:
    with sandbox_factory(rotate_refresh_tokens=False, access_token_ttl_sec=86400) as sandbox:
        creator = sandbox.create_creator("legacy")
        assert creator["expires_in"] == 86400
        first = refresh(sandbox, creator["refresh_token"]).json()
        assert first["refresh_token"] == creator["refresh_token"]
        assert refresh(sandbox, creator["refresh_token"]).status_code == 200


def test_tokens_expire_on_the_sandbox_clock(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("mortal")
    with bearer(sandbox.url, creator["access_token"]) as api:
        assert api.post("/v2/post/publish/creator_info/query/").status_code == 200
        sandbox.advance_clock(7201)
        expired = api.post("/v2/post/publish/creator_info/query/")
    assert expired.status_code == 401
    assert error_code(expired) == "access_token_invalid"
    renewed = refresh(sandbox, creator["refresh_token"])
    assert renewed.status_code == 200
    sandbox.advance_clock(180 * 86400)
    assert refresh(sandbox, renewed.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_kills_access_and_refresh_tokens(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("leaving")
    response = sandbox.operator.post(
        "/v2/oauth/revoke/",
        data={
            "client_key": sandbox.config.client_key,
            "client_secret": sandbox.config.client_secret,
            "token": creator["access_token"],
        },
    )
    assert response.status_code == 200
    assert response.json() == {}
    with bearer(sandbox.url, creator["access_token"]) as api:
        assert error_code(api.post("/v2/post/publish/creator_info/query/")) == (
            "access_token_invalid"
        )
    assert refresh(sandbox, creator["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_tells_the_app_the_developer_revoked_authorization(
    sandbox_factory: SandboxFactory,
) -> None:
    """TikTok's webhook events page: `authorization.removed`, reason 5 "Developer revoke
    authorization". The app leaves the creator's authorized apps, so the creator's other
    grants die too; revoking what is already dead tells the app nothing new."""
    arrived: queue.Queue[tuple[bytes, str]] = queue.Queue()

    async def hook(request: Request) -> Response:
        arrived.put((await request.body(), request.headers["tiktok-signature"]))
        return Response(status_code=200)

    hook_app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    with (
        serve_in_thread(hook_app) as hook_url,
        sandbox_factory(webhook_url=f"{hook_url}/hook") as sandbox,
    ):
        creator = sandbox.create_creator("revoked_by_dev")
        other = exchange(sandbox, code=consent(sandbox, creator=creator["open_id"])["code"][0])
        form = {
            "client_key": sandbox.config.client_key,
            "client_secret": sandbox.config.client_secret,
            "token": creator["access_token"],
        }
        assert sandbox.operator.post("/v2/oauth/revoke/", data=form).json() == {}
        raw, signature = arrived.get(timeout=10)
        assert refresh(sandbox, other.json()["refresh_token"]).json()["error"] == "invalid_grant"
        assert sandbox.operator.post("/v2/oauth/revoke/", data=form).status_code == 200
        deliveries = sandbox.operator.get("/_sandbox/webhooks").json()["deliveries"]
    assert verify_signature(signature, raw, sandbox.config.client_secret)
    event = json.loads(raw)
    assert event["event"] == "authorization.removed"
    assert event["client_key"] == sandbox.config.client_key
    assert event["user_openid"] == creator["open_id"]
    assert isinstance(event["create_time"], int)
    assert json.loads(event["content"]) == {"reason": 5}
    assert [d["event"] for d in deliveries] == ["authorization.removed"]


def test_user_info_fields_follow_scopes(sandbox: RunningSandbox) -> None:
    basic_only = sandbox.create_creator("basic", scope="user.info.basic")
    with bearer(sandbox.url, basic_only["access_token"]) as api:
        assert api.get("/v2/user/info/", params={"fields": "open_id"}).status_code == 200
        profile = api.get("/v2/user/info/", params={"fields": "open_id,username"})
        assert profile.status_code == 401
        assert error_code(profile) == "scope_not_authorized"
        missing = api.get("/v2/user/info/")
        assert missing.status_code == 400
        assert error_code(missing) == "invalid_params"


def test_pkce_verifier_is_checked_when_a_challenge_was_sent(sandbox: RunningSandbox) -> None:
    import hashlib

    verifier = "v" * 50
    challenge = hashlib.sha256(verifier.encode()).hexdigest()
    params = authorize_params(sandbox, code_challenge=challenge, code_challenge_method="S256")
    page = sandbox.operator.get("/v2/auth/authorize/", params=params)
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', page.text))
    redirect = sandbox.operator.post(
        "/v2/auth/authorize/", data={**hidden, "decision": "approve", "username": "pkce"}
    )
    code = parse_qs(urlparse(redirect.headers["location"]).query)["code"][0]
    assert exchange(sandbox, code=code, code_verifier="wrong").json()["error"] == "invalid_grant"
    code2 = consent(sandbox)["code"][0]
    assert exchange(sandbox, code=code2).status_code == 200
