"""Connecting TikTok accounts through the sandbox's OAuth, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.support.oauth_browser import authorize
from tikpost.accounts.oauth import state_signer


@pytest.fixture
def svc(sandbox_service: RunningService) -> RunningService:
    return sandbox_service


@pytest.fixture
def api(svc: RunningService, create_api_key: Callable[[str], str]) -> Iterator[httpx.Client]:
    with svc.client(create_api_key("acme")) as client:
        yield client


def operator(svc: RunningService) -> httpx.Client:
    return httpx.Client(base_url=f"{svc.url}/sandbox/_sandbox", timeout=30)


def connect(api: httpx.Client, **consent: Any) -> httpx.Response:
    started = api.post("/v1/accounts/connect")
    assert started.status_code == 201, started.text
    return authorize(started.json()["authorize_url"], **consent)


def only_account(api: httpx.Client) -> dict[str, Any]:
    [account] = api.get("/v1/accounts").json()["items"]
    return dict(account)


def test_connect_through_the_consent_page(svc: RunningService, api: httpx.Client) -> None:
    started = api.post("/v1/accounts/connect").json()
    assert started["authorize_url"].startswith(f"{svc.url}/sandbox/v2/auth/authorize/?")
    assert "state=" in started["authorize_url"]
    callback = authorize(started["authorize_url"], username="ada_lovelace")
    assert callback.status_code == 200
    assert "@ada_lovelace is connected" in callback.text
    account = only_account(api)
    assert account["username"] == "ada_lovelace"
    assert account["display_name"] == "Ada Lovelace"
    assert account["status"] == "ready"
    assert set(account["scopes"]) == {"user.info.basic", "video.publish", "video.upload"}
    assert account["access_expires_at"]
    assert account["refresh_expires_at"]
    assert api.get(f"/v1/accounts/{account['id']}").json() == account
    info = api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert info.status_code == 200
    assert info.json()["creator_username"] == "ada_lovelace"
    assert "SELF_ONLY" in info.json()["privacy_level_options"]


def test_reconnecting_updates_instead_of_duplicating(api: httpx.Client) -> None:
    assert connect(api, username="grace").status_code == 200
    first = only_account(api)
    again = connect(api, username="grace")
    assert again.status_code == 200
    assert "reconnected" in again.text
    second = only_account(api)
    assert second["id"] == first["id"]
    assert second["updated_at"] > first["updated_at"]


# One backend for what is refused before anything is stored (a denied consent, a forged or
# expired state, no key); what is stored and refreshed runs on both.
@SQLITE_ONLY
def test_denied_consent_stores_nothing(api: httpx.Client) -> None:
    callback = connect(api, decision="deny", username="shy")
    assert callback.status_code == 400
    assert "not connected" in callback.text
    assert re.search(r"<code id='code'>access_denied</code>", callback.text)
    assert api.get("/v1/accounts").json() == {"items": []}


@SQLITE_ONLY
def test_forged_state_is_refused(svc: RunningService, api: httpx.Client) -> None:
    started = api.post("/v1/accounts/connect").json()
    forged = started["state"][:-2] + ("AA" if not started["state"].endswith("AA") else "BB")
    for state in (forged, "not-a-state", ""):
        response = httpx.get(
            f"{svc.url}/v1/oauth/tiktok/callback", params={"state": state, "code": "x"}
        )
        assert response.status_code == 400
        assert "<code id='code'>invalid_state</code>" in response.text
    assert api.get("/v1/accounts").json() == {"items": []}


@SQLITE_ONLY
def test_reused_state_is_refused(api: httpx.Client) -> None:
    started = api.post("/v1/accounts/connect").json()
    with httpx.Client(timeout=30) as browser:
        first = authorize(started["authorize_url"], username="once")
        assert first.status_code == 200
        replay = browser.get(str(first.url))
    assert replay.status_code == 400
    assert "<code id='code'>state_reused</code>" in replay.text
    assert len(api.get("/v1/accounts").json()["items"]) == 1


@SQLITE_ONLY
def test_expired_state_is_refused(svc: RunningService, api: httpx.Client) -> None:
    team_id = api.get("/v1/team").json()["id"]
    expired = state_signer(svc.settings).sign(f"{team_id}.nonce.1000000000")
    response = httpx.get(
        f"{svc.url}/v1/oauth/tiktok/callback", params={"state": expired, "code": "x"}
    )
    assert response.status_code == 400
    assert "<code id='code'>invalid_state</code>" in response.text


@SQLITE_ONLY
def test_state_binds_the_account_to_the_team_that_asked(
    svc: RunningService, api: httpx.Client, create_api_key: Callable[[str], str]
) -> None:
    with svc.client(create_api_key("other")) as other:
        assert connect(other, username="theirs").status_code == 200
        assert len(other.get("/v1/accounts").json()["items"]) == 1
    assert api.get("/v1/accounts").json() == {"items": []}


@SQLITE_ONLY
def test_refresh_before_expiry(svc: RunningService, api: httpx.Client) -> None:
    with operator(svc) as op:
        op.patch("/config", json={"access_token_ttl_sec": 120}).raise_for_status()
    connect(api, username="short_lived")
    before = only_account(api)
    assert api.get(f"/v1/accounts/{before['id']}/creator-info").status_code == 200
    after = only_account(api)
    # The token would have ended within the refresh margin, so it was replaced before use.
    assert after["access_expires_at"] != before["access_expires_at"]
    assert after["status"] == "ready"


@SQLITE_ONLY
def test_refresh_once_when_tiktok_rejects_the_token(svc: RunningService, api: httpx.Client) -> None:
    connect(api, username="time_traveller")
    account = only_account(api)
    with operator(svc) as op:
        op.post("/clock/advance", json={"seconds": 3 * 3600}).raise_for_status()
    info = api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert info.status_code == 200, info.text
    assert only_account(api)["status"] == "ready"


@SQLITE_ONLY
def test_revoked_refresh_token_means_reauth_required(
    svc: RunningService, api: httpx.Client
) -> None:
    connect(api, username="departed")
    account = only_account(api)
    with operator(svc) as op:
        [creator] = op.get("/creators").json()["creators"]
        op.post(f"/creators/{creator['open_id']}/deauthorize").raise_for_status()
    refused = api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "account_reauth_required"
    after = only_account(api)
    assert after["status"] == "reauth_required"
    # TikTok's authorization.removed webhook or the refused refresh, whichever came first.
    assert after["status_reason"].startswith(
        ("TikTok reported that the creator disconnected", "TikTok refused the refresh token")
    )
    # Connecting again makes it usable.
    connect(api, creator=creator["open_id"])
    assert only_account(api)["status"] == "ready"


@SQLITE_ONLY
def test_disconnect_revokes_at_tiktok(svc: RunningService, api: httpx.Client) -> None:
    connect(api, username="leaver")
    account = only_account(api)
    deleted = api.delete(f"/v1/accounts/{account['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["status"] == "revoked"
    assert deleted.json()["access_expires_at"] is None
    gone = api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert (gone.status_code, gone.json()["error"]["code"]) == (409, "account_revoked")
    with operator(svc) as op:
        [creator] = op.get("/creators").json()["creators"]
    connect(api, creator=creator["open_id"])
    assert only_account(api)["status"] == "ready"


@SQLITE_ONLY
def test_account_routes_need_a_key(svc: RunningService) -> None:
    with svc.client() as anonymous:
        for method, path in (
            ("POST", "/v1/accounts/connect"),
            ("GET", "/v1/accounts"),
            ("GET", "/v1/accounts/acct_x"),
            ("GET", "/v1/accounts/acct_x/creator-info"),
            ("DELETE", "/v1/accounts/acct_x"),
        ):
            response = anonymous.request(method, path)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "api_key_missing"


@SQLITE_ONLY
def test_other_teams_get_404_on_every_account_route(
    svc: RunningService, api: httpx.Client, create_api_key: Callable[[str], str]
) -> None:
    connect(api, username="private_matter")
    account_id = only_account(api)["id"]
    with svc.client(create_api_key("intruders")) as intruder:
        for method, suffix in (("GET", ""), ("GET", "/creator-info"), ("DELETE", "")):
            theirs = intruder.request(method, f"/v1/accounts/{account_id}{suffix}")
            unknown = intruder.request(method, f"/v1/accounts/acct_unknown{suffix}")
            assert theirs.status_code == unknown.status_code == 404
            assert theirs.json()["error"]["code"] == "account_not_found"
        assert intruder.get("/v1/accounts").json() == {"items": []}
    assert only_account(api)["status"] == "ready"


def test_concurrent_refreshes_use_the_refresh_token_once(
    svc: RunningService, api: httpx.Client
) -> None:
    """Two processes and two requests find the token rejected at once: one refresh happens."""
    import subprocess
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor

    connect(api, username="popular")
    account_id = only_account(api)["id"]
    with operator(svc) as op:
        op.post("/clock/advance", json={"seconds": 3 * 3600}).raise_for_status()
        sandbox = op.get("/config").json()
    start_at = time.time() + 4
    settings = svc.settings
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.service.refresh_worker",
                settings.database_url,
                settings.secret_key.get_secret_value(),
                settings.tiktok_api_url,
                sandbox["client_key"],
                sandbox["client_secret"],
                account_id,
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]

    def request_at_start() -> int:
        time.sleep(max(0.0, start_at - time.time()))
        return api.get(f"/v1/accounts/{account_id}/creator-info").status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _: request_at_start(), range(2)))
    outputs = [worker.communicate(timeout=60) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert out.strip() == "popular"
    assert statuses == [200, 200]
    assert only_account(api)["status"] == "ready"
    with operator(svc) as op:
        [creator] = op.get("/creators").json()["creators"]
    assert creator["refresh_count"] == 1


def test_no_secret_in_plaintext_in_the_database(
    svc: RunningService, api: httpx.Client, database_url: str
) -> None:
    """Read back every stored byte: the SQLite files themselves, or every PostgreSQL row."""
    from pathlib import Path

    from sqlalchemy import create_engine, inspect, text

    from tikpost.kit.crypto import TokenCipher
    from tikpost.kit.db import sync_url

    api_key = str(api.headers["X-API-Key"])
    connect(api, username="secretive")
    engine = create_engine(sync_url(svc.settings.database_url))
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT access_token_encrypted, refresh_token_encrypted FROM accounts")
        ).one()
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA wal_checkpoint(FULL)"))
            path = Path(str(engine.url.database))
            stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        else:
            tables = inspect(connection).get_table_names()
            stored = "\n".join(
                str(value)
                for table in tables
                for value in connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars()
            ).encode()
    engine.dispose()
    cipher = TokenCipher(svc.settings.secret_key.get_secret_value())
    secrets = [api_key, cipher.decrypt(row[0]), cipher.decrypt(row[1])]
    assert secrets[1].startswith("act.")
    assert secrets[2].startswith("rft.")
    assert len(stored) > 500
    for secret in secrets:
        assert secret.encode() not in stored


@SQLITE_ONLY
def test_cli_connect_and_list(svc: RunningService, api: httpx.Client) -> None:
    from typer.testing import CliRunner

    from tikpost.cli import app as cli_app

    runner = CliRunner()
    env = {"TIKPOST_API_KEY": str(api.headers["X-API-Key"]), "TIKPOST_URL": svc.url}
    started = runner.invoke(cli_app, ["accounts", "connect", "--no-browser"], env=env)
    assert started.exit_code == 0, started.output
    [link] = [line for line in started.output.splitlines() if line.startswith("http")]
    assert authorize(link, username="cli_person").status_code == 200
    listed = runner.invoke(cli_app, ["accounts", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "@cli_person" in listed.output
    assert "ready" in listed.output
    wrong = runner.invoke(cli_app, ["accounts", "list", "--api-key", "tp_wrong"], env=env)
    assert wrong.exit_code == 1
    assert "api_key_invalid" in wrong.output
