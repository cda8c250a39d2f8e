"""Webhook endpoints over HTTP: create (secret shown once), list, delete, team scoping."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY, RunningService

# SQLite only: plain rows per team; deliveries, which lock, run on both backends in
# test_webhook_deliveries.
pytestmark = SQLITE_ONLY

# One backend for what is refused before anything is stored.


def _create(api: httpx.Client, **body: object) -> httpx.Response:
    return api.post("/v1/webhook-endpoints", json={"url": "https://example.com/hook", **body})


def test_create_list_delete(api: httpx.Client) -> None:
    created = _create(api, description="prod", events=["post.published", "post.failed"])
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["id"].startswith("whe_")
    assert endpoint["url"] == "https://example.com/hook"
    assert endpoint["events"] == ["post.published", "post.failed"]
    assert endpoint["description"] == "prod"
    assert endpoint["created_at"]
    assert endpoint["secret"].startswith("whsec_")

    everything = _create(api, url="http://127.0.0.1:9/all").json()
    assert everything["events"] == []  # every event type
    assert everything["secret"] != endpoint["secret"]

    listing = api.get("/v1/webhook-endpoints")
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["items"]] == [endpoint["id"], everything["id"]]
    assert endpoint["secret"] not in listing.text
    assert all("secret" not in item for item in listing.json()["items"])
    fetched = api.get(f"/v1/webhook-endpoints/{endpoint['id']}")
    assert fetched.status_code == 200
    assert "secret" not in fetched.json()

    assert api.delete(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 204
    assert [item["id"] for item in api.get("/v1/webhook-endpoints").json()["items"]] == [
        everything["id"]
    ]
    gone = api.get(f"/v1/webhook-endpoints/{endpoint['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "webhook_endpoint_not_found"
    assert api.delete(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://"}, "url"),
        ({"events": ["post.deleted"]}, "events.0"),
        ({"secret": "whsec_mine"}, "secret"),
    ],
)
def test_invalid_endpoints_are_refused(
    api: httpx.Client, body: dict[str, object], field: str
) -> None:
    response = _create(api, **body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert api.get("/v1/webhook-endpoints").json()["items"] == []


def test_default_secret_is_per_team_and_stable(
    service: RunningService, api: httpx.Client, create_api_key: Callable[[str], str]
) -> None:
    first = api.get("/v1/webhook-endpoints/default-secret")
    assert first.status_code == 200
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    assert api.get("/v1/webhook-endpoints/default-secret").json()["secret"] == secret
    with service.client(create_api_key("globex")) as other:
        assert other.get("/v1/webhook-endpoints/default-secret").json()["secret"] != secret


def test_endpoints_are_team_scoped(
    service: RunningService, api: httpx.Client, create_api_key: Callable[[str], str]
) -> None:
    endpoint = _create(api).json()
    with service.client(create_api_key("globex")) as other:
        assert other.get("/v1/webhook-endpoints").json()["items"] == []
        for response in (
            other.get(f"/v1/webhook-endpoints/{endpoint['id']}"),
            other.delete(f"/v1/webhook-endpoints/{endpoint['id']}"),
        ):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "webhook_endpoint_not_found"
    assert api.get(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 200


def test_endpoints_need_an_api_key(service: RunningService) -> None:
    with service.client() as client:
        assert client.get("/v1/webhook-endpoints").status_code == 401
        assert client.post("/v1/webhook-endpoints", json={"url": "https://x.y"}).status_code == 401
        assert client.get("/v1/webhook-deliveries").status_code == 401
