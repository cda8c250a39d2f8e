"""End to end: a video in through one request, out on the (sandbox) TikTok, exactly once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    post,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.service.s3_helpers import BOTH_STORAGES

# One backend for refusals before anything is queued and for TikTok's own rules (caps, an
# unaudited app, webhook signatures): the same on either. What is stored and published runs on
# both.


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


@BOTH_STORAGES
def test_video_is_published_exactly_once(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "publisher")
    media = upload(api, videos.good)
    created = post(
        api,
        account_id=account["id"],
        video=media["id"],
        title="hello #tikpost",
        privacy_level="SELF_ONLY",
    )
    assert created["status"] == "queued"
    final = wait_final(api, created["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    assert final["publish_id"].startswith("v_pub_file~")
    assert final["error"] is None
    statuses = [event["status"] for event in final["events"]]
    assert statuses[0] == "queued"
    assert "uploading" in statuses
    assert "processing" in statuses
    assert statuses[-1] == "published"
    [published] = sandbox_posts(svc, "publisher")
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["post_info"]["title"] == "hello #tikpost"
    assert published["media"]["sha256"] == hashlib.sha256(videos.good.read_bytes()).hexdigest()


@SQLITE_ONLY
@BOTH_STORAGES
def test_draft_lands_in_the_inbox(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "drafter")
    media = upload(api, videos.good)
    created = post(api, account_id=account["id"], video=media["id"], mode="draft")
    final = wait_final(api, created["id"])
    assert final["status"] == "in_inbox", final["error"]
    assert final["publish_id"].startswith("v_inbox_file~")
    [draft] = sandbox_posts(svc, "drafter")
    assert (draft["status"], draft["post_mode"]) == ("SEND_TO_USER_INBOX", "MEDIA_UPLOAD")


# Each refusal in turn on one service: what is refused must leave nothing behind, also after
# the refusals before it.
INVALID_POSTS: list[tuple[dict[str, Any], str, str]] = [
    ({"title": "😀" * 1101}, "title_too_long", "title"),
    ({"brand_content_toggle": True}, "branded_content_private", "privacy_level"),
    (
        {"video_cover_timestamp_ms": 9000},
        "cover_timestamp_out_of_range",
        "video_cover_timestamp_ms",
    ),
    ({"mode": "draft", "title": "x"}, "not_for_drafts", "title"),
    ({"account_id": "acct_nope"}, "account_not_found", "account_id"),
    ({"video": "med_nope"}, "media_not_found", "video"),
    ({"privacy_level": "EVERYONE"}, "validation_error", "privacy_level"),
    ({"scheduled_at": "2030-01-01T10:00:00"}, "validation_error", "scheduled_at"),
    ({"surprise": 1}, "validation_error", "surprise"),
]


@SQLITE_ONLY
def test_invalid_posts_are_refused_before_anything_is_queued(
    svc: RunningService, api: httpx.Client, videos: VideoFiles, subtests: pytest.Subtests
) -> None:
    account = connect_account(api, "validator")
    media = upload(api, videos.good)
    for body, code, field in INVALID_POSTS:
        with subtests.test(code=code, field=field):
            request = {
                "account_id": account["id"],
                "video": media["id"],
                "privacy_level": "SELF_ONLY",
                **body,
            }
            if body.get("mode") == "draft":
                request.pop("privacy_level")
            response = api.post("/v1/posts", json=request)
            assert response.status_code == 422, response.text
            assert response.json()["error"]["code"] == code
            assert response.json()["error"]["field"] == field
            assert api.get("/v1/posts").json()["items"] == []
            assert sandbox_posts(svc, "validator") == []


# A video too short for any post is refused at upload already (see test_media_checks).
@SQLITE_ONLY
@pytest.mark.parametrize(("name", "code"), [("low_fps", "video_frame_rate_out_of_range")])
def test_video_tiktok_would_reject_is_refused_up_front(
    api: httpx.Client, videos: VideoFiles, name: str, code: str
) -> None:
    account = connect_account(api, "strict")
    media = upload(api, getattr(videos, name))
    response = api.post(
        "/v1/posts",
        json={"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == "video"


# A privacy the creator does not offer is refused at once, or at publish time when the creator
# changed meanwhile: tests/service/posts/test_creator_rules.py.


@SQLITE_ONLY
def test_unaudited_app_posting_to_a_public_account(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "public_person", public="1")
    media = upload(api, videos.good)
    created = post(api, account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY")
    final = wait_final(api, created["id"])
    assert final["status"] == "failed"
    assert final["error"]["code"] == "unaudited_app"
    assert "audit" in final["error"]["message"]
    assert sandbox_posts(svc, "public_person") == []


@SQLITE_ONLY
def test_daily_cap(svc: RunningService, api: httpx.Client, videos: VideoFiles) -> None:
    with operator(svc) as op:
        op.patch("/config", json={"daily_post_cap": 1}).raise_for_status()
    account = connect_account(api, "busy")
    media = upload(api, videos.good)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    assert wait_final(api, post(api, **body)["id"])["status"] == "published"
    second = wait_final(api, post(api, **body, on_cap="fail")["id"])
    assert second["status"] == "failed"
    assert second["error"]["code"] == "daily_post_cap"
    assert len(sandbox_posts(svc, "busy")) == 1


@SQLITE_ONLY
def test_daily_cap_waits_for_the_window_to_reopen(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    import time

    with service_factory(**SANDBOX_MODE, daily_cap_retry_sec=0.5) as service:
        with operator(service) as op:
            op.patch("/config", json={"daily_post_cap": 1, "processing_delay_sec": 0.2})
        with service.client(create_api_key("patient")) as client:
            account = connect_account(client, "capped")
            media = upload(client, videos.good)
            body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
            assert wait_final(client, post(client, **body)["id"])["status"] == "published"
            waiting = post(client, **body)
            deadline = time.monotonic() + 30
            while not any(
                "daily limit" in event["message"]
                for event in client.get(f"/v1/posts/{waiting['id']}").json()["events"]
            ):
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert client.get(f"/v1/posts/{waiting['id']}").json()["status"] == "queued"
            with operator(service) as op:
                op.post("/clock/advance", json={"seconds": 86401}).raise_for_status()
            final = wait_final(client, waiting["id"])
        assert final["status"] == "published", final["error"]
        statuses = [p["status"] for p in sandbox_posts(service, "capped")]
        assert statuses == ["PUBLISH_COMPLETE", "PUBLISH_COMPLETE"]


@SQLITE_ONLY
def test_tiktok_side_failure_keeps_tiktoks_reason_and_retry_publishes(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "unlucky")
    media = upload(api, videos.good)
    with operator(svc) as op:
        fault = {"endpoint": "processing", "error_rate": 1.0}
        op.post("/faults", json=fault).raise_for_status()
        body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
        failed = wait_final(api, post(api, **body)["id"])
        assert failed["status"] == "failed"
        assert failed["error"] == {
            "code": "tiktok_internal_error",
            "message": failed["error"]["message"],
            "fail_reason": "internal",
        }
        op.delete("/faults").raise_for_status()
    retried = api.post(f"/v1/posts/{failed['id']}/retry")
    assert retried.status_code == 202
    assert retried.json()["attempt"] == 2
    final = wait_final(api, failed["id"])
    assert final["status"] == "published"
    assert final["error"] is None
    statuses = [p["status"] for p in sandbox_posts(svc, "unlucky")]
    assert sorted(statuses) == ["FAILED", "PUBLISH_COMPLETE"]
    again = api.post(f"/v1/posts/{failed['id']}/retry")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "post_not_retryable")


def test_idempotency_key(svc: RunningService, api: httpx.Client, videos: VideoFiles) -> None:
    account = connect_account(api, "careful")
    media = upload(api, videos.good)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    headers = {"Idempotency-Key": "order-42"}
    first = api.post("/v1/posts", json=body, headers=headers)
    again = api.post("/v1/posts", json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = api.post("/v1/posts", json={**body, "title": "different"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    wait_final(api, first.json()["id"])
    assert len(api.get("/v1/posts").json()["items"]) == 1
    assert len(sandbox_posts(svc, "careful")) == 1


def test_scheduled_post_waits_and_can_be_cancelled(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    account = connect_account(api, "planner")
    media = upload(api, videos.good)
    at = datetime.now(UTC) + timedelta(seconds=3)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    scheduled = post(api, **body, scheduled_at=at.isoformat())
    assert scheduled["status"] == "scheduled"
    later = post(api, **body, scheduled_at=(at + timedelta(hours=1)).isoformat())
    cancelled = api.delete(f"/v1/posts/{later['id']}")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    time.sleep(1)
    assert api.get(f"/v1/posts/{scheduled['id']}").json()["status"] == "scheduled"
    assert sandbox_posts(svc, "planner") == []
    final = wait_final(api, scheduled["id"])
    assert final["status"] == "published"
    started = next(e for e in final["events"] if e["status"] == "uploading")
    assert datetime.fromisoformat(started["at"]) >= at
    not_now = api.delete(f"/v1/posts/{scheduled['id']}")
    assert (not_now.status_code, not_now.json()["error"]["code"]) == (409, "post_not_cancellable")
    assert len(sandbox_posts(svc, "planner")) == 1


def test_list_filters_and_pages(svc: RunningService, api: httpx.Client, videos: VideoFiles) -> None:
    account = connect_account(api, "lister")
    media = upload(api, videos.good)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    from datetime import UTC, datetime, timedelta

    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    ids = [post(api, **body, scheduled_at=future)["id"] for _ in range(3)]
    first = api.get("/v1/posts", params={"limit": 2, "status": "scheduled"}).json()
    assert [p["id"] for p in first["items"]] == ids[::-1][:2]
    second = api.get("/v1/posts", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in second["items"]] == ids[:1]
    assert second["next_cursor"] is None
    assert api.get("/v1/posts", params={"status": "published"}).json()["items"] == []
    assert api.get("/v1/posts", params={"account_id": "acct_other"}).json()["items"] == []
    for post_id in ids:
        api.delete(f"/v1/posts/{post_id}")


@SQLITE_ONLY
def test_other_teams_see_404(
    svc: RunningService, api: httpx.Client, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    account = connect_account(api, "owner")
    media = upload(api, videos.good)
    from datetime import UTC, datetime, timedelta

    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    mine = post(
        api,
        account_id=account["id"],
        video=media["id"],
        privacy_level="SELF_ONLY",
        scheduled_at=future,
    )
    with svc.client(create_api_key("strangers")) as stranger:
        for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/retry")):
            response = stranger.request(method, f"/v1/posts/{mine['id']}{suffix}")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "post_not_found"
        assert stranger.get("/v1/posts").json()["items"] == []
        theirs = stranger.post(
            "/v1/posts",
            json={"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"},
        )
        assert theirs.status_code == 422
    api.delete(f"/v1/posts/{mine['id']}")


@SQLITE_ONLY
def test_signed_webhook_after_a_failing_receiver(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    """The per-post webhook_url gets `post.published`, retried until it answers 2xx."""
    import time

    from standardwebhooks import Webhook
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from tests.support.server import serve_in_thread

    calls: list[int] = []
    verified: list[dict[str, Any]] = []
    secret = api.get("/v1/webhook-endpoints/default-secret").json()["secret"]

    async def receive(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            return Response(status_code=500)
        body = await request.body()
        verified.append(Webhook(secret).verify(body, dict(request.headers)))
        return Response(status_code=204)

    receiver = Starlette(routes=[Route("/hook", receive, methods=["POST"])])
    with serve_in_thread(receiver) as receiver_url:
        account = connect_account(api, "notified")
        media = upload(api, videos.good)
        created = post(
            api,
            account_id=account["id"],
            video=media["id"],
            privacy_level="SELF_ONLY",
            webhook_url=f"{receiver_url}/hook",
        )
        assert wait_final(api, created["id"])["status"] == "published"
        deadline = time.monotonic() + 60
        while not verified and time.monotonic() < deadline:
            time.sleep(0.2)
    assert len(calls) >= 2
    [event] = verified
    assert event["type"] == "post.published"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["status"] == "published"
    [delivery] = api.get("/v1/webhook-deliveries").json()["items"]
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] >= 2


@SQLITE_ONLY
def test_tiktok_webhook_signature_is_checked(svc: RunningService) -> None:
    import json
    import time

    from tikpost.accounts.oauth import embedded_sandbox_secret
    from tikpost.tiktok.webhooks import sign

    body = json.dumps(
        {
            "client_key": "tikpost-embedded-sandbox",
            "event": "post.publish.complete",
            "create_time": int(time.time()),
            "user_openid": "-000x",
            "content": json.dumps({"publish_id": "v_pub_file~v2-1.1", "publish_type": "x"}),
        }
    ).encode()
    url = f"{svc.url}/v1/tiktok/webhook"
    good = sign(embedded_sandbox_secret(svc.settings), body, int(time.time()))
    stale = sign(embedded_sandbox_secret(svc.settings), body, int(time.time()) - 3600)
    forged = sign("not-the-secret", body, int(time.time()))
    assert httpx.post(url, content=body, headers={"TikTok-Signature": good}).status_code == 200
    for header in (stale, forged, "garbage", "t=1,s=é"):
        sent = [(b"TikTok-Signature", header.encode())]  # bytes: httpx sends non-ASCII as is
        response = httpx.post(url, content=body, headers=sent)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_signature"
    assert httpx.post(url, content=body).status_code == 401


def test_media_of_an_unfinished_post_cannot_be_deleted(
    api: httpx.Client, videos: VideoFiles
) -> None:
    from datetime import UTC, datetime, timedelta

    account = connect_account(api, "keeper")
    media = upload(api, videos.good)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    scheduled = post(
        api,
        account_id=account["id"],
        video=media["id"],
        privacy_level="SELF_ONLY",
        scheduled_at=future,
    )
    refused = api.delete(f"/v1/media/{media['id']}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "media_in_use")
    api.delete(f"/v1/posts/{scheduled['id']}")
    assert api.delete(f"/v1/media/{media['id']}").status_code == 204


@SQLITE_ONLY
def test_metrics_count_posts_tiktok_calls_and_bytes(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "measured")
    media = upload(api, videos.good)
    created = post(api, account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY")
    assert wait_final(api, created["id"])["status"] == "published"
    text = httpx.get(f"{svc.url}/metrics").text
    assert 'tikpost_posts{status="published"} 1.0' in text
    assert 'tikpost_http_requests_total{method="POST",route="/v1/posts",status="202"}' in text
    assert "tikpost_tiktok_requests_total{" in text
    assert 'endpoint="/v2/post/publish/video/init/"' in text
    uploaded = next(
        line for line in text.splitlines() if line.startswith("tikpost_upload_bytes_total ")
    )
    assert float(uploaded.split()[1]) >= videos.good.stat().st_size
