"""Webhook deliveries: signed per Standard Webhooks, retried with backoff, logged, durable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from standardwebhooks import Webhook

from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.webhook_helpers import (
    Receiver,
    emit,
    receiver,
    team_id,
    wait_for_delivery,
)
from tikpost.runtime.workflows import WorkflowRuntime, enqueue
from tikpost.webhooks import service as webhooks
from tikpost.webhooks.workflow import DELIVERY_QUEUE, deliver

FAST_RETRIES = [0.2, 0.2, 0.2, 0.2]


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


@pytest.fixture
def fast(service_factory: ServiceFactory) -> Iterator[RunningService]:
    """The service with a retry schedule of a fraction of a second."""
    with service_factory(webhook_retry_delays=FAST_RETRIES) as running:
        yield running


@pytest.fixture
def fast_api(fast: RunningService, create_api_key: Callable[[str], str]) -> Iterator[httpx.Client]:
    with fast.client(create_api_key("acme")) as client:
        yield client


def _endpoint(api: httpx.Client, url: str, events: list[str] | None = None) -> dict[str, str]:
    response = api.post("/v1/webhook-endpoints", json={"url": url, "events": events or []})
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


def test_deliveries_are_signed_and_logged(
    fast: RunningService, fast_api: httpx.Client, hooks: Receiver
) -> None:
    published = _endpoint(fast_api, f"{hooks.url}/published", ["post.published"])
    _endpoint(fast_api, f"{hooks.url}/failed-only", ["post.failed"])
    default_secret = fast_api.get("/v1/webhook-endpoints/default-secret").json()["secret"]

    data = {"post_id": "post_123", "share_url": "https://www.tiktok.com/@x/video/1"}
    ids = emit(
        fast, team_id(fast_api), "post.published", data, extra_urls=[f"{hooks.url}/per-post"]
    )
    assert len(ids) == 2  # the subscribed endpoint and the per-post URL, not failed-only
    deliveries = [wait_for_delivery(fast_api, delivery_id) for delivery_id in ids]
    assert [d["status"] for d in deliveries] == ["succeeded", "succeeded"]
    assert hooks.at("/failed-only") == []

    for path, secret in (("/published", published["secret"]), ("/per-post", default_secret)):
        (request,) = hooks.at(path)
        payload = Webhook(secret).verify(request.body, request.headers)
        assert payload["type"] == "post.published"
        assert payload["data"] == data
        assert payload["timestamp"].endswith("Z")
        assert request.headers["webhook-signature"].startswith("v1,")
        assert request.headers["content-type"] == "application/json"
        with pytest.raises(Exception, match="signature"):
            Webhook(secret).verify(request.body.replace(b"123", b"124"), request.headers)
    # One message, two destinations: the same webhook-id, so receivers can deduplicate.
    assert (
        len({hooks.at(path)[0].headers["webhook-id"] for path in ("/published", "/per-post")}) == 1
    )

    by_endpoint = fast_api.get("/v1/webhook-deliveries", params={"endpoint_id": published["id"]})
    assert by_endpoint.status_code == 200
    (logged,) = by_endpoint.json()["items"]
    assert logged["status"] == "succeeded"
    assert logged["event_type"] == "post.published"
    assert logged["payload"]["data"] == data
    detail = fast_api.get(f"/v1/webhook-deliveries/{logged['id']}").json()
    assert [(a["number"], a["status_code"], a["error"]) for a in detail["attempts"]] == [
        (1, 204, None)
    ]
    per_post = next(d for d in deliveries if d["endpoint_id"] is None)
    assert per_post["url"] == f"{hooks.url}/per-post"
    everything = fast_api.get("/v1/webhook-deliveries", params={"status": "succeeded"}).json()
    assert {d["id"] for d in everything["items"]} == set(ids)
    assert fast_api.get("/v1/webhook-deliveries", params={"status": "failed"}).json()["items"] == []


@SQLITE_ONLY
def test_a_failing_receiver_is_retried_until_it_succeeds(
    fast: RunningService, fast_api: httpx.Client, hooks: Receiver
) -> None:
    hooks.fail_first["/flaky"] = 2
    endpoint = _endpoint(fast_api, f"{hooks.url}/flaky")
    (delivery_id,) = emit(fast, team_id(fast_api), "post.failed", {"post_id": "post_9"})

    delivery = wait_for_delivery(fast_api, delivery_id)
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 3
    assert [(a["number"], a["status_code"]) for a in delivery["attempts"]] == [
        (1, 500),
        (2, 500),
        (3, 204),
    ]
    assert delivery["attempts"][0]["error"] == "HTTP 500"
    received = hooks.at("/flaky")
    assert len(received) == 3
    assert len({r.headers["webhook-id"] for r in received}) == 1  # the same message, retried
    assert received[1].at - received[0].at >= FAST_RETRIES[0] * 0.9
    for request in received:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)


@SQLITE_ONLY
def test_a_delivery_fails_when_the_schedule_is_spent(
    fast: RunningService, fast_api: httpx.Client, hooks: Receiver
) -> None:
    hooks.fail_first["/down"] = 100
    _endpoint(fast_api, f"{hooks.url}/down")
    unreachable = "http://127.0.0.1:9/nothing-listens-here"
    ids = emit(
        fast, team_id(fast_api), "account.reauth_required", {"account_id": "acct_1"}, [unreachable]
    )
    for delivery_id in ids:
        delivery = wait_for_delivery(fast_api, delivery_id)
        assert delivery["status"] == "failed"
        assert delivery["attempt_count"] == len(FAST_RETRIES) + 1
        assert delivery["completed_at"] is not None
        if delivery["url"] == unreachable:
            assert all(a["status_code"] is None and a["error"] for a in delivery["attempts"])
        else:
            assert {a["status_code"] for a in delivery["attempts"]} == {500}
    failed = fast_api.get("/v1/webhook-deliveries", params={"status": "failed"}).json()["items"]
    assert {d["id"] for d in failed} == set(ids)


@SQLITE_ONLY
def test_deleting_an_endpoint_stops_its_pending_deliveries(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], hooks: Receiver
) -> None:
    hooks.fail_first["/gone"] = 100
    with (
        service_factory(webhook_retry_delays=[0.5] * 20) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        endpoint = _endpoint(api, f"{hooks.url}/gone")
        (delivery_id,) = emit(svc, team_id(api), "post.published", {"post_id": "p"})
        _wait(lambda: len(hooks.at("/gone")) >= 1)
        assert api.delete(f"/v1/webhook-endpoints/{endpoint['id']}").status_code == 204
        delivery = wait_for_delivery(api, delivery_id)
        assert delivery["status"] == "failed"
        assert delivery["last_error"] == "endpoint deleted"
        listed = api.get("/v1/webhook-deliveries", params={"endpoint_id": endpoint["id"]})
        assert [d["id"] for d in listed.json()["items"]] == [delivery_id]  # the log stays


@SQLITE_ONLY
def test_deliveries_are_team_scoped(
    fast: RunningService,
    fast_api: httpx.Client,
    hooks: Receiver,
    create_api_key: Callable[[str], str],
) -> None:
    endpoint = _endpoint(fast_api, f"{hooks.url}/acme")
    (delivery_id,) = emit(fast, team_id(fast_api), "post.in_inbox", {"post_id": "p"})
    wait_for_delivery(fast_api, delivery_id)
    with fast.client(create_api_key("globex")) as other:
        response = other.get(f"/v1/webhook-deliveries/{delivery_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "webhook_delivery_not_found"
        assert other.get("/v1/webhook-deliveries").json()["items"] == []
        filtered = other.get("/v1/webhook-deliveries", params={"endpoint_id": endpoint["id"]})
        assert filtered.json()["items"] == []
    assert fast_api.get("/v1/webhook-deliveries", params={"status": "bogus"}).status_code == 422


def test_a_delivery_survives_a_restart_mid_backoff(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], hooks: Receiver
) -> None:
    """Durable: the first attempt fails, the service stops during the backoff, and the
    delivery completes after a restart on the same data, with no attempt lost or repeated."""
    backoff = 3.0
    hooks.fail_first["/restart"] = 1
    key = create_api_key("acme")
    with service_factory(webhook_retry_delays=[backoff]) as first, first.client(key) as api:
        _endpoint(api, f"{hooks.url}/restart")
        (delivery_id,) = emit(first, team_id(api), "post.published", {"post_id": "p"})
        _wait(lambda: len(hooks.at("/restart")) == 1)
        _wait(lambda: api.get(f"/v1/webhook-deliveries/{delivery_id}").json()["attempt_count"] == 1)
    stopped_at = hooks.at("/restart")[0].at
    assert len(hooks.at("/restart")) == 1  # stopped mid-backoff

    with service_factory(webhook_retry_delays=[backoff]) as second, second.client(key) as api:
        delivery = wait_for_delivery(api, delivery_id)
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 204]
    received = hooks.at("/restart")
    assert len(received) == 2
    # The durable sleep kept its deadline across the restart.
    assert received[1].at - stopped_at >= backoff * 0.9
    body = json.loads(received[1].body)
    assert body["data"] == {"post_id": "p"}


def _wait(condition: Callable[[], bool], timeout: float = 20) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@SQLITE_ONLY
def test_a_delivery_started_by_an_earlier_release_runs_to_the_end(
    fast: RunningService, fast_api: httpx.Client, hooks: Receiver
) -> None:
    """Deliveries of earlier releases are `webhooks.deliver` workflows, which read their
    schedule in a step of their own; pending ones replay under this workflow version, so
    the workflow is still registered and still delivers, retrying on the schedule."""
    hooks.fail_first["/legacy"] = 1
    _endpoint(fast_api, f"{hooks.url}/legacy")
    runtime: WorkflowRuntime = fast.app.state.tikpost.workflows

    async def start_as_before() -> str:
        async with runtime.database.session(write=True) as session:
            (delivery_id,) = await webhooks.emit(
                session, team_id(fast_api), "post.published", {"post_id": "p"}
            )
        await enqueue(DELIVERY_QUEUE, deliver, delivery_id, workflow_id=delivery_id)
        return delivery_id

    delivery = wait_for_delivery(fast_api, asyncio.run(start_as_before()))
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 204]
    assert len(hooks.at("/legacy")) == 2


@SQLITE_ONLY
def test_deliveries_to_one_receiver_share_a_kept_alive_connection(
    fast: RunningService, fast_api: httpx.Client, hooks: Receiver
) -> None:
    """A process keeps one pooled client per loop for deliveries, so a receiver that gets
    every event of a busy team is not sent each over a connection of its own."""
    _endpoint(fast_api, f"{hooks.url}/pooled")
    team = team_id(fast_api)
    for n in range(3):
        (delivery_id,) = emit(fast, team, "post.published", {"post_id": f"p{n}"})
        assert wait_for_delivery(fast_api, delivery_id)["status"] == "succeeded"
    peers = [request.peer for request in hooks.at("/pooled")]
    assert len(peers) == 3
    assert len(set(peers)) == 1, peers
