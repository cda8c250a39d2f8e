"""`Idempotency-Key` on a post's changes (cancel, retry, approve, reject): a change whose answer
was lost is asked again under its key and answers with the post as it is now, made once; with
no key, or another key, the post's new state refuses it as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.posts.test_review import held_post, titles
from tests.support.api import Api

pytestmark = SQLITE_ONLY


@pytest.fixture
def api(sandbox_api: httpx.Client) -> Api:
    return Api(sandbox_api)


def twice(api: Api, method: str, path: str, key: str, **kwargs: Any) -> list[httpx.Response]:
    headers = {"Idempotency-Key": key}
    return [api.client.request(method, path, headers=headers, **kwargs) for _ in range(2)]


def lines(post: dict[str, Any], start: str) -> int:
    return sum(event["message"].startswith(start) for event in post["events"])


def test_cancel_and_retry_under_a_key_happen_once(api: Api, videos: VideoFiles) -> None:
    account = api.connect_account("keyed_changes")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    post = api.post(
        account_id=account["id"],
        video=api.upload(videos.good)["id"],
        privacy_level="SELF_ONLY",
        scheduled_at=later,
    )
    path = f"/v1/posts/{post['id']}"
    first, again = twice(api, "DELETE", path, "cancel-1")
    assert first.status_code == again.status_code == 200, again.text
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["status"] == "cancelled"
    assert lines(again.json(), "Cancelled") == 1
    other_key = api.client.delete(path, headers={"Idempotency-Key": "cancel-2"})
    assert other_key.status_code == 409, other_key.text
    assert api.client.delete(path).status_code == 409

    first, again = twice(api, "POST", f"{path}/retry", "retry-1")
    assert first.status_code == again.status_code == 202, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.get_post(post["id"])["attempt"] == first.json()["attempt"]
    # The retried post is scheduled again; a fresh retry is refused by its state.
    assert api.client.post(f"{path}/retry").status_code == 409


def test_approve_and_reject_under_a_key_happen_once(
    svc: RunningService, api: Api, videos: VideoFiles
) -> None:
    account = api.connect_account("keyed_review")
    media = api.upload(videos.good)
    held = held_post(api, account, media, title="approved once")
    first, again = twice(api, "POST", f"/v1/posts/{held['id']}/approve", "approve-1")
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.wait_final(held["id"])["status"] == "published"
    assert titles(svc, "keyed_review") == ["approved once"]
    late = api.client.post(f"/v1/posts/{held['id']}/approve", headers={"Idempotency-Key": "x"})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "post_not_awaiting_review")

    refused = held_post(api, account, media, title="rejected once")
    path = f"/v1/posts/{refused['id']}/reject"
    first, again = twice(api, "POST", path, "reject-1", json={"reason": "off-brand"})
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["status"] == "cancelled"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert lines(again.json(), "Rejected") == 1, again.json()["events"]
    # Another team's post stays not found, key or no key.
    stranger = api.client.post(
        "/v1/posts/post_unknown/approve", headers={"Idempotency-Key": "approve-1"}
    )
    assert stranger.status_code == 404
