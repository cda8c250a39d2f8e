"""Every dashboard route, from the dashboard's own route table: a stranger without a session is
sent to sign in (or refused, for a state change), and another team's session finds none of
the owner's things. A page added later is covered without anyone remembering to add it."""

from __future__ import annotations

import re

import httpx

from tests.support.dashboard import RunningDashboard, browserless_session
from tests.support.routes import api_routes
from tikpost.dashboard.router import router as dashboard_router

PUBLIC = {"/sign-in", "/sign-in/{token}"}  # how a browser gets a session at all


def dashboard_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for path, route in api_routes(dashboard_router.routes)
        if path not in PUBLIC
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}
    )


def test_every_dashboard_route_refuses_strangers(dashboard: RunningDashboard) -> None:
    owner = dashboard.new_team("owner")
    owner_api = dashboard.api(owner.key)
    account = owner_api.connect_account("dash_guarded")
    endpoint = owner_api.client.post(
        "/v1/webhook-endpoints", json={"url": "https://hooks.example/tikpost"}
    ).json()
    listing = dashboard.cli("keys", "list")
    key_id = next(line.split()[1] for line in listing.splitlines() if owner.key[:11] in line)
    owned = {"account_id": account["id"], "endpoint_id": endpoint["id"], "key_id": key_id}
    routes = dashboard_routes()
    assert len(routes) >= 8, routes

    stranger, csrf = browserless_session(dashboard, dashboard.new_team("stranger").key)
    with httpx.Client(base_url=dashboard.url, timeout=30) as anonymous:
        for method, template in routes:
            path = re.sub(r"\{(\w+)\}", lambda m: owned.get(m.group(1), "xyz_unknown"), template)
            answer = anonymous.request(method, path)
            if method == "GET":
                assert answer.status_code == 303, (method, template, answer.text)
                assert answer.headers["location"].startswith("/sign-in"), (method, template)
            else:
                assert answer.status_code == 403, (method, template, answer.text)
            if template == "/sign-out":
                continue  # it would end the stranger's session (test_sign_in covers it)
            # Signed in as another team, with a valid token: nothing of the owner's is found.
            answer = stranger.request(method, path, headers={"X-CSRF-Token": csrf})
            assert answer.status_code < 500, (method, template, answer.text)
            leaked = [v for v in owned.values() if v in answer.text and v not in path]
            assert not leaked, (method, template, answer.text)
            if set(owned) & set(re.findall(r"\{(\w+)\}", template)):
                assert answer.status_code == 404, (method, template, answer.text)
    stranger.close()
    # The owner's things are untouched by all of that.
    assert owner_api.client.get(f"/v1/accounts/{account['id']}").json()["status"] == "ready"
    assert owner_api.client.get(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 200
    assert owner_api.client.get("/v1/team").status_code == 200


def test_pages_are_not_cached_or_framed(dashboard: RunningDashboard) -> None:
    """A page may show a secret once (a new key): no cache keeps it, no other site frames it."""
    client, _ = browserless_session(dashboard, dashboard.new_team().key)
    page = client.get("/keys")
    client.close()
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_the_dashboard_is_not_in_the_api_schema(dashboard: RunningDashboard) -> None:
    paths = httpx.get(f"{dashboard.url}/openapi.json").json()["paths"]
    assert all(
        path.startswith(("/v1", "/compat/")) or path in ("/healthz", "/readyz", "/metrics")
        for path in paths
    )
    assert httpx.get(f"{dashboard.url}/static/vendor/htmx.min.js").status_code == 200


def test_htmx_without_a_session_is_sent_to_sign_in(dashboard: RunningDashboard) -> None:
    """htmx would swap a redirect's page into a fragment: it is told to navigate instead."""
    with httpx.Client(base_url=dashboard.url, timeout=30) as client:
        answer = client.get("/accounts", headers={"HX-Request": "true"})
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/sign-in"
