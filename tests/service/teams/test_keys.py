"""API keys: the CLI lifecycle, authentication over HTTP, and storage as hashes only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.service.conftest import SQLITE_ONLY, CliInvoker, RunningService
from tikpost.settings import Settings

# SQLite only: a key is one indexed row read by hash; the backends' difference (locking) is
# tested where it matters (test_races, test_db).
pytestmark = SQLITE_ONLY


def _assert_unauthorized(response: httpx.Response, code: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"] == "Bearer"
    error = response.json()["error"]
    assert set(response.json()) == {"error"}
    assert error["code"] == code
    assert error["field"] is None
    assert isinstance(error["message"], str)
    assert error["message"]


def test_keys_create_list_revoke(cli: CliInvoker) -> None:
    created = cli("keys", "create", "--team", "acme")
    assert created.exit_code == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("tp_")
    assert "\n" not in key  # stdout is just the key, so `KEY=$(tikpost keys create …)` works

    second = cli("keys", "create", "--team", "acme").stdout.strip()
    other = cli("keys", "create", "--team", "globex").stdout.strip()
    assert len({key, second, other}) == 3

    listing = cli("keys", "list")
    assert listing.exit_code == 0
    assert listing.stdout.count("acme") == 2
    assert "globex" in listing.stdout
    assert key[:11] in listing.stdout
    for full in (key, second, other):
        assert full not in listing.stdout
    key_id = next(line.split()[1] for line in listing.stdout.splitlines() if key[:11] in line)
    assert key_id.startswith("key_")

    revoked = cli("keys", "revoke", key_id)
    assert revoked.exit_code == 0
    assert key_id in revoked.stdout
    row = next(line for line in cli("keys", "list").stdout.splitlines() if key_id in line)
    assert "UTC" in row.split("│")[5]  # the revoked column is filled
    assert cli("keys", "revoke", key_id).exit_code == 0  # revoking twice is harmless


def test_revoking_an_unknown_key_fails(cli: CliInvoker) -> None:
    result = cli("keys", "revoke", "key_doesnotexist")
    assert result.exit_code == 1
    assert "no API key" in result.stderr


def test_blank_team_name_is_refused(cli: CliInvoker) -> None:
    result = cli("keys", "create", "--team", "   ")
    assert result.exit_code == 1
    assert "team name" in result.stderr


def test_key_authenticates_by_header_or_bearer(
    service: RunningService, create_api_key: Callable[[str], str]
) -> None:
    key = create_api_key("acme")
    with service.client() as client:
        by_header = client.get("/v1/team", headers={"X-API-Key": key})
        by_bearer = client.get("/v1/team", headers={"Authorization": f"Bearer {key}"})
    assert by_header.status_code == 200
    assert by_header.json()["name"] == "acme"
    assert by_header.json()["id"].startswith("team_")
    assert by_bearer.status_code == 200
    assert by_bearer.json() == by_header.json()


def test_teams_are_kept_apart(
    service: RunningService, create_api_key: Callable[[str], str]
) -> None:
    acme, globex = create_api_key("acme"), create_api_key("globex")
    with service.client(acme) as a, service.client(globex) as g:
        assert a.get("/v1/team").json()["name"] == "acme"
        assert g.get("/v1/team").json()["name"] == "globex"


def test_missing_unknown_and_revoked_keys_get_401(
    service: RunningService, cli: CliInvoker, create_api_key: Callable[[str], str]
) -> None:
    key = create_api_key("acme")
    with service.client() as client:
        _assert_unauthorized(client.get("/v1/team"), "api_key_missing")
        _assert_unauthorized(client.get("/v1/team", headers={"X-API-Key": ""}), "api_key_missing")
        _assert_unauthorized(
            client.get("/v1/team", headers={"X-API-Key": "tp_" + "x" * 43}), "api_key_invalid"
        )
        _assert_unauthorized(
            client.get("/v1/team", headers={"Authorization": "Bearer nonsense"}),
            "api_key_invalid",
        )
        assert client.get("/v1/team", headers={"X-API-Key": key}).status_code == 200

        listing = cli("keys", "list").stdout
        key_id = next(line.split()[1] for line in listing.splitlines() if key[:11] in line)
        assert cli("keys", "revoke", key_id).exit_code == 0
        _assert_unauthorized(client.get("/v1/team", headers={"X-API-Key": key}), "api_key_revoked")
        _assert_unauthorized(
            client.get("/v1/team", headers={"Authorization": f"Bearer {key}"}), "api_key_revoked"
        )


def test_use_is_recorded(
    service: RunningService, cli: CliInvoker, create_api_key: Callable[[str], str]
) -> None:
    key = create_api_key("acme")
    with service.client(key) as client:
        assert client.get("/v1/team").status_code == 200
    row = next(line for line in cli("keys", "list").stdout.splitlines() if key[:11] in line)
    assert "UTC" in row.split("│")[6]


def test_sqlite_file_holds_no_plaintext_key(
    service_settings: Settings, create_api_key: Callable[[str], str]
) -> None:
    key = create_api_key("acme")
    db_dir = Path(service_settings.database_url.removeprefix("sqlite:///")).parent
    raw = b"".join(path.read_bytes() for path in db_dir.iterdir() if path.is_file())
    assert key.encode() not in raw
    assert key[3:].encode() not in raw  # not even without its prefix
    assert hashlib.sha256(key.encode()).hexdigest().encode() in raw  # the search was meaningful
