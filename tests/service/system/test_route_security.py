"""Every route of the app, from its own route table: no key, a revoked key, another team's key.

A route added later is covered without anyone remembering to add it here; only the routes
that are public on purpose are listed, each with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import connect_account, upload
from tests.support.routes import api_routes
from tikpost.app import MAX_JSON_BODY, STREAMED_UPLOADS  # streamed under their own 413
from tikpost.compat.vendors import VENDORS
from tikpost.dashboard.router import router as dashboard_router

PUBLIC = {
    "/healthz",  # liveness, says nothing about anyone
    "/readyz",
    "/metrics",  # counts only; keep it off the public network in production
    "/v1/oauth/tiktok/callback",  # the browser's return from TikTok: authorised by its state
    "/v1/oauth/tiktok-business/callback",  # the same, from the Business API app's consent
    "/v1/tiktok/webhook",  # TikTok's events: authorised by TikTok-Signature
    "/v1/media/{media_id}/content",  # signed, expiring links for TikTok to pull photos
    "/v1/uploads/{token}",  # presigned PUTs: the HMAC-signed, single-use token is the credential
    "/compat/postpeer/v1/health",  # PostPeer's own liveness probe, as public as /healthz
}


# One backend for what the HTTP edge decides (keys, the route table, body caps); the
# readiness check, which asks the database, runs on both.


def app_routes(service: RunningService) -> list[tuple[str, str]]:
    # The dashboard's pages take a browser session, not a key: tests/dashboard covers them.
    dashboard = {path for path, _ in api_routes(dashboard_router.routes)}
    found = []
    for path, route in api_routes(service.app.routes):
        if path in PUBLIC or path in dashboard:
            continue
        if path.startswith(("/docs", "/openapi", "/redoc")):
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def revoke(cli: Callable[..., Any], key: str) -> None:
    listing = cli("keys", "list").stdout
    key_id = next(line.split()[1] for line in listing.splitlines() if key[:11] in line)
    assert cli("keys", "revoke", key_id).exit_code == 0


@SQLITE_ONLY
def test_every_route_refuses_strangers(
    sandbox_service: RunningService,
    create_api_key: Callable[[str], str],
    cli: Callable[..., Any],
    videos: VideoFiles,
) -> None:
    svc = sandbox_service
    owner_key, stranger_key, revoked_key = (
        create_api_key("owners"),
        create_api_key("strangers"),
        create_api_key("owners"),
    )
    revoke(cli, revoked_key)
    with svc.client(owner_key) as owner:
        account = connect_account(owner, "guarded")
        media = upload(owner, videos.good)
        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        post = owner.post(
            "/v1/posts",
            json={
                "account_id": account["id"],
                "video": media["id"],
                "privacy_level": "SELF_ONLY",
                "scheduled_at": future,
            },
        ).json()
        endpoint = owner.post(
            "/v1/webhook-endpoints", json={"url": "https://hooks.example/tikpost"}
        ).json()
    owned = {
        "account_id": account["id"],
        "media_id": media["id"],
        "post_id": post["id"],
        "endpoint_id": endpoint["id"],
    }
    secrets_of_owner = set(owned.values())
    routes = app_routes(svc)
    assert len(routes) >= 15, routes
    with (
        svc.client() as anonymous,
        svc.client(revoked_key) as revoked,
        svc.client(stranger_key) as stranger,
    ):
        for method, template in routes:
            path = re.sub(r"\{(\w+)\}", lambda m: owned.get(m.group(1), "xyz_unknown"), template)
            # PostPeer's clients send their key as x-access-key; the other vendors as X-API-Key.
            vendor_key = template.startswith("/compat/")
            for client, expected in ((anonymous, "api_key_missing"), (revoked, "api_key_revoked")):
                key = client.headers.get("X-API-Key")
                answer = client.request(
                    method, path, headers={"x-access-key": key} if key and vendor_key else {}
                )
                assert answer.status_code == 401, (method, template, answer.text)
                if not template.startswith("/compat/"):  # a vendor's own error shape there
                    assert answer.json()["error"]["code"] == expected
            answer = stranger.request(
                method, path, json={}, headers={"x-access-key": stranger_key} if vendor_key else {}
            )
            assert answer.status_code < 500, (method, template, answer.text)
            # A 404 may echo the id asked for; anything else of the owner's is a leak.
            leaked = [v for v in secrets_of_owner if v in answer.text and v not in path]
            assert not leaked, (method, template, answer.text)
            if "{" in template:
                # A vendor answers a path parameter that is no id (PostPeer's {platform}) its way.
                refusals = (400, 403, 404, 422) if vendor_key else (404, 422)
                assert answer.status_code in refusals, (method, template, answer.text)
    # The owner's things are untouched by all of that.
    with svc.client(owner_key) as owner:
        assert owner.get(f"/v1/posts/{post['id']}").json()["status"] == "scheduled"
        assert owner.get(f"/v1/accounts/{account['id']}").json()["status"] == "ready"
        assert owner.get(f"/v1/media/{media['id']}").status_code == 200
        owner.delete(f"/v1/posts/{post['id']}")


@SQLITE_ONLY
def test_public_routes_exist(sandbox_service: RunningService) -> None:
    """The allow-list above names real routes (a renamed one must not silently lose cover)."""
    paths = {path for path, _ in api_routes(sandbox_service.app.routes)}
    assert {"/healthz", "/v1/oauth/tiktok/callback", "/v1/tiktok/webhook"} <= paths
    assert "/v1/uploads/{token}" in paths
    assert httpx.get(f"{sandbox_service.url}/healthz").status_code == 200


def test_readiness_reports_database_and_storage(sandbox_service: RunningService) -> None:
    answer = httpx.get(f"{sandbox_service.url}/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "checks": {"database": True, "storage": True}}


def _expected_413(template: str) -> Any:
    """The native error body, or the body of the vendor whose prefix `template` is under."""
    message = f"request bodies here are limited to {MAX_JSON_BODY} bytes"
    for vendor in VENDORS:
        if vendor.owns(template):
            return vendor.error_body(413, "payload_too_large", message, None)
    return {"error": {"code": "payload_too_large", "message": message, "field": None}}


def _chunks(body: bytes) -> Iterator[bytes]:
    """No Content-Length: the cap must catch the body as it arrives, not by its declaration."""
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


@SQLITE_ONLY
def test_oversized_bodies_get_413_everywhere(
    sandbox_service: RunningService, create_api_key: Callable[[str], str]
) -> None:
    """JSON routes take at most 1 MiB; only media uploads stream more (with their own cap).
    Under a compat prefix the 413 is in that vendor's error shape, as its other errors are."""
    big = b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    key = create_api_key("bulky")
    # Each vendor's own key header too, so no route could answer 401 before reading the body.
    headers = {"Content-Type": "application/json", "X-API-Key": key, "x-access-key": key}
    checked = chunked = 0
    with sandbox_service.client(key) as client:
        for method, template in app_routes(sandbox_service):
            if method not in ("POST", "PUT", "PATCH") or template in STREAMED_UPLOADS:
                continue
            path = re.sub(r"\{(\w+)\}", "xyz_unknown", template)
            answer = client.request(method, path, content=big, headers=headers)
            assert answer.status_code == 413, (method, template, answer.text)
            assert answer.json() == _expected_413(template), (method, template)
            checked += 1
            answer = client.request(method, path, content=_chunks(big), headers=headers)
            if answer.status_code != 413:
                # A route with no body never reads it: it answers as without one.
                assert answer.status_code in (401, 404, 409, 422), (method, template, answer.text)
                continue
            assert answer.json() == _expected_413(template), (method, template)
            chunked += 1
    assert checked >= 15
    assert chunked >= 10
