"""The Business API app's consent on TikTok's shared `/v2/auth/authorize/` page, told apart from
Login Kit's by `client_key`, ending in an auth code the token endpoint takes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandbox.business.helpers import API, BusinessSandbox
from tikpost.sandbox.business.config import (
    DEFAULT_BUSINESS_CLIENT_ID,
    DEFAULT_BUSINESS_CLIENT_SECRET,
    DEFAULT_BUSINESS_REDIRECT_URI,
)
from tikpost.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_REDIRECT_URI

PARAMS = {
    "client_key": DEFAULT_BUSINESS_CLIENT_ID,
    "scope": "user.info.basic,video.publish",
    "redirect_uri": DEFAULT_BUSINESS_REDIRECT_URI,
    "state": "s-17",
    "response_type": "code",
}


def test_consent_gives_a_code_for_the_business_token_endpoint(business: BusinessSandbox) -> None:
    with httpx.Client(base_url=business.url, follow_redirects=False, timeout=30) as browser:
        page = browser.get("/v2/auth/authorize/", params=PARAMS)
        assert page.status_code == 200
        assert "TikTok API for Business" in page.text
        denied = browser.post("/v2/auth/authorize/", data={**PARAMS, "decision": "deny"})
        assert parse_qs(urlsplit(denied.headers["location"]).query)["error"] == ["access_denied"]
        approved = browser.post(
            "/v2/auth/authorize/",
            data={**PARAMS, "username": "brand_via_consent", "decision": "approve"},
        )
        assert approved.status_code == 302
        location = urlsplit(approved.headers["location"])
        assert location.geturl().startswith(DEFAULT_BUSINESS_REDIRECT_URI)
        query = parse_qs(location.query)
        assert query["state"] == ["s-17"]
        assert query["scopes"] == ["user.info.basic,video.publish"]
        unregistered = browser.get(
            "/v2/auth/authorize/", params={**PARAMS, "redirect_uri": "https://evil.example/"}
        )
        assert unregistered.status_code == 400
        login_kit = browser.get(
            "/v2/auth/authorize/",
            params={
                **PARAMS,
                "client_key": DEFAULT_CLIENT_KEY,
                "redirect_uri": DEFAULT_REDIRECT_URI,
            },
        )
        assert f"Authorize app {DEFAULT_CLIENT_KEY}" in login_kit.text
    exchanged = httpx.post(
        f"{business.url}{API}/tt_user/oauth2/token/",
        json={
            "client_id": DEFAULT_BUSINESS_CLIENT_ID,
            "client_secret": DEFAULT_BUSINESS_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "auth_code": query["code"][0],
            "redirect_uri": DEFAULT_BUSINESS_REDIRECT_URI,
        },
    ).json()
    assert exchanged["code"] == 0, exchanged
    accounts = business.operator.get("/_sandbox/business/accounts").json()["accounts"]
    [account] = [a for a in accounts if a["username"] == "brand_via_consent"]
    assert exchanged["data"]["open_id"] == account["open_id"]
    assert exchanged["data"]["scope"] == "user.info.basic,video.publish"
