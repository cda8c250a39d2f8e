"""Connect and come back: a connect started with `redirect_uri` sends the creator's browser to
that page afterwards, with the account id or the error; only listed origins are accepted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media_errors import assert_error
from tests.support.oauth_browser import authorize

pytestmark = SQLITE_ONLY
APP = "https://app.example"


@pytest.fixture
def svc(service_factory: ServiceFactory) -> Iterator[RunningService]:
    with service_factory(
        **SANDBOX_MODE, connect_redirect_origins=[APP, "http://localhost:5173"]
    ) as running:
        yield running


@pytest.fixture
def api(svc: RunningService, create_api_key: Callable[[str], str]) -> Iterator[httpx.Client]:
    with svc.client(create_api_key("embedders")) as client:
        yield client


def start(api: httpx.Client, **body: str) -> str:
    started = api.post("/v1/accounts/connect", json=body)
    assert started.status_code == 201, started.text
    url: str = started.json()["authorize_url"]
    return url


def landed(callback: httpx.Response) -> tuple[str, dict[str, list[str]]]:
    """Where the callback sent the browser: (scheme://host/path, query)."""
    assert callback.status_code == 303, callback.text
    where = urlsplit(callback.headers["location"])
    return f"{where.scheme}://{where.netloc}{where.path}", parse_qs(where.query)


def test_the_browser_comes_back_with_the_account_id(api: httpx.Client) -> None:
    url = start(api, redirect_uri=f"{APP}/settings/tiktok?tab=accounts")
    page, query = landed(authorize(url, username="came_back"))
    [account] = api.get("/v1/accounts").json()["items"]
    assert account["username"] == "came_back"
    assert page == f"{APP}/settings/tiktok"
    assert query == {"tab": ["accounts"], "account_id": [account["id"]], "status": ["connected"]}
    # Reconnecting the same creator comes back the same way, with the same account.
    again = start(api, redirect_uri=f"{APP}/done")
    _, query = landed(authorize(again, username="came_back"))
    assert query == {"account_id": [account["id"]], "status": ["connected"]}


def test_only_listed_origins_are_accepted(api: httpx.Client) -> None:
    for uri in (
        "https://evil.example/steal",
        "https://app.example.evil.example/",
        "https://app.example@evil.example/",
        "http://app.example/",  # another scheme is another origin
        "https://app.example:8443/",
        "https://app.example/#fragment",
        "javascript:alert(1)",
        "/relative/path",
    ):
        response = api.post("/v1/accounts/connect", json={"redirect_uri": uri})
        assert_error(response, 422, "redirect_uri_not_allowed", "redirect_uri")
    response = api.post(
        "/v1/accounts/connect",
        json={"redirect_uri": f"{APP}/ok", "cancel_redirect_uri": "https://evil.example/"},
    )
    assert_error(response, 422, "redirect_uri_not_allowed", "cancel_redirect_uri")
    # A listed origin is matched whole, case aside.
    assert start(api, redirect_uri="HTTPS://APP.EXAMPLE/ok")
    assert start(api, redirect_uri="http://localhost:5173/callback")
    assert api.get("/v1/accounts").json()["items"] == []


def test_a_declined_consent_comes_back_with_the_error(api: httpx.Client) -> None:
    url = start(api, redirect_uri=f"{APP}/connected")
    page, query = landed(authorize(url, decision="deny"))
    assert (page, query) == (f"{APP}/connected", {"error": ["access_denied"]})
    # With a cancel page, a creator who declines goes there instead.
    url = start(api, redirect_uri=f"{APP}/connected", cancel_redirect_uri=f"{APP}/cancelled")
    page, query = landed(authorize(url, decision="deny"))
    assert (page, query) == (f"{APP}/cancelled", {"error": ["access_denied"]})
    assert api.get("/v1/accounts").json()["items"] == []


def test_without_a_configured_origin_no_redirect_is_accepted(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    with service_factory(**SANDBOX_MODE) as plain, plain.client(create_api_key("plain")) as api:
        response = api.post("/v1/accounts/connect", json={"redirect_uri": f"{APP}/x"})
        assert_error(response, 422, "redirect_uri_not_allowed", "redirect_uri")
        # The connect without one still ends on the callback's own page.
        callback = authorize(start(api), username="plain_page")
        assert callback.status_code == 200
        assert "connected" in callback.text
