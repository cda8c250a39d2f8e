"""The review queue over real HTTP: a held post reaches TikTok only after a person approves it.

"Nothing reached TikTok" is shown with the sandbox's own list of the creator's posts, after a
post created later on the same account has published: the account's queue runs its posts one
at a time in order, so a workflow for the held post would have run first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import sandbox_posts
from tests.service.webhook_helpers import Receiver, receiver
from tests.support.api import Api

pytestmark = SQLITE_ONLY


@pytest.fixture
def api(sandbox_api: httpx.Client) -> Api:
    return Api(sandbox_api)


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def held_post(api: Api, account: dict[str, Any], media: dict[str, Any], **body: Any) -> Any:
    return api.post(
        account_id=account["id"],
        video=media["id"],
        privacy_level="SELF_ONLY",
        review="required",
        **body,
    )


def titles(svc: RunningService, username: str) -> list[str]:
    return [post["post_info"]["title"] for post in sandbox_posts(svc, username)]


def test_held_post_reaches_tiktok_only_once_approved(
    svc: RunningService, api: Api, videos: VideoFiles, hooks: Receiver
) -> None:
    account = api.connect_account("reviewed")
    media = api.upload(videos.good)
    held = held_post(api, account, media, title="held", webhook_url=f"{hooks.url}/hook")
    assert held["status"] == "awaiting_review"
    assert held["review_required"] is True
    assert held["events"][-1]["status"] == "awaiting_review"
    listed = api.client.get("/v1/posts", params={"status": "awaiting_review"}).json()["items"]
    assert [post["id"] for post in listed] == [held["id"]]

    later = api.post(
        account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY", title="later"
    )
    assert api.wait_final(later["id"])["status"] == "published"
    assert titles(svc, "reviewed") == ["later"]
    assert api.get_post(held["id"])["status"] == "awaiting_review"

    [delivery] = [
        item
        for item in api.client.get("/v1/webhook-deliveries").json()["items"]
        if item["event_type"] == "post.awaiting_review"
    ]
    assert wait_delivered(api, delivery["id"])["status"] == "succeeded"
    [received] = hooks.at("/hook")
    event = json.loads(received.body)
    assert event["type"] == "post.awaiting_review"
    assert event["data"]["id"] == held["id"]

    approved = api.client.post(f"/v1/posts/{held['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "queued"
    assert approved.json()["consent"] == "api_key"
    assert approved.json()["reviewed_at"] is not None
    final = api.wait_final(held["id"])
    assert final["status"] == "published", final["events"]
    assert sorted(titles(svc, "reviewed")) == ["held", "later"]
    again = api.client.post(f"/v1/posts/{held['id']}/approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "post_not_awaiting_review"


def wait_delivered(api: Api, delivery_id: str) -> dict[str, Any]:
    from tests.service.webhook_helpers import wait_for_delivery

    return wait_for_delivery(api.client, delivery_id)


def test_rejected_post_is_cancelled_with_its_reason(
    svc: RunningService, api: Api, videos: VideoFiles
) -> None:
    account = api.connect_account("rejected")
    held = held_post(api, account, api.upload(videos.good))
    empty = api.client.post(f"/v1/posts/{held['id']}/reject", json={"reason": ""})
    assert empty.status_code == 422
    assert empty.json()["error"]["field"] == "reason"
    rejected = api.client.post(f"/v1/posts/{held['id']}/reject", json={"reason": "off-brand"})
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["status"] == "cancelled"
    assert body["review_note"] == "off-brand"
    assert body["error"]["code"] == "review_rejected"
    assert "off-brand" in body["error"]["message"]
    assert body["events"][-1]["data"]["reason"] == "off-brand"
    for action in ("approve", "reject"):
        late = api.client.post(f"/v1/posts/{held['id']}/{action}", json={"reason": "x"})
        assert late.status_code == 409, late.text
    assert sandbox_posts(svc, "rejected") == []


def test_editing_a_held_post_is_validated_and_voids_approval(
    svc: RunningService, api: Api, videos: VideoFiles
) -> None:
    account = api.connect_account("edited")
    held = held_post(api, account, api.upload(videos.good), title="first")
    url = f"/v1/posts/{held['id']}"
    edited = api.client.patch(url, json={"title": "second", "disable_comment": True})
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "awaiting_review"
    assert edited.json()["title"] == "second"
    assert edited.json()["reviewed_at"] is None
    assert edited.json()["events"][-1]["message"] == "Edited; waiting for review again"
    for change, code in (
        ({"brand_content_toggle": True}, "branded_content_private"),
        ({"title": "x" * 2201}, "title_too_long"),
        ({"description": "photos only"}, "not_for_videos"),
        ({"privacy_level": "EVERYONE"}, "validation_error"),
        # The sandbox's private creator does not offer public posts (a fresh creator_info).
        ({"privacy_level": "PUBLIC_TO_EVERYONE"}, "privacy_not_offered"),
        ({"account_id": "acc_x"}, "validation_error"),
    ):
        refused = api.client.patch(url, json=change)
        assert refused.status_code == 422, (change, refused.text)
        assert refused.json()["error"]["code"] == code
    assert api.get_post(held["id"])["title"] == "second"
    assert api.client.post(f"{url}/approve").status_code == 200
    assert api.wait_final(held["id"])["status"] == "published"
    [published] = sandbox_posts(svc, "edited")
    assert published["post_info"]["title"] == "second"
    assert published["post_info"]["disable_comment"] is True
    late = api.client.patch(url, json={"title": "third"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "post_not_editable"


def test_approving_a_future_post_schedules_it_and_a_reschedule_moves_it(
    svc: RunningService, api: Api, videos: VideoFiles
) -> None:
    account = api.connect_account("scheduled")
    later = datetime.now(UTC) + timedelta(hours=1)
    held = held_post(api, account, api.upload(videos.good), scheduled_at=later.isoformat())
    url = f"/v1/posts/{held['id']}"
    approved = api.client.post(f"{url}/approve").json()
    assert approved["status"] == "scheduled"
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    refused = api.client.patch(url, json={"scheduled_at": past})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "scheduled_at"
    assert api.client.patch(url, json={"title": "no"}).status_code == 409
    soon = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
    moved = api.client.patch(url, json={"scheduled_at": soon})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "scheduled"
    assert moved.json()["events"][-1]["message"].startswith("Rescheduled for ")
    final = api.wait_final(held["id"])
    assert final["status"] == "published", final["events"]
    assert len(sandbox_posts(svc, "scheduled")) == 1


def test_team_default_holds_posts_unless_they_say_none(
    svc: RunningService, api: Api, videos: VideoFiles
) -> None:
    assert api.client.get("/v1/team").json()["review_by_default"] is False
    assert api.client.patch("/v1/team", json={"review_by_default": "maybe"}).status_code == 422
    turned = api.client.patch("/v1/team", json={"review_by_default": True})
    assert turned.status_code == 200, turned.text
    assert turned.json()["review_by_default"] is True
    account = api.connect_account("defaulted")
    media = api.upload(videos.good)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    assert api.post(**body)["status"] == "awaiting_review"
    direct = api.post(**body, review="none")
    assert direct["status"] == "queued"
    assert api.wait_final(direct["id"])["status"] == "published"
    held = api.post(**body, review="required")
    cancelled = api.client.delete(f"/v1/posts/{held['id']}")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert api.client.post(f"/v1/posts/{held['id']}/approve").status_code == 409


def test_another_teams_held_post_is_not_found(
    svc: RunningService, api: Api, videos: VideoFiles, create_api_key: Callable[[str], str]
) -> None:
    held = held_post(api, api.connect_account("private"), api.upload(videos.good))
    with svc.client(create_api_key("other")) as other:
        url = f"/v1/posts/{held['id']}"
        for response in (
            other.post(f"{url}/approve"),
            other.post(f"{url}/reject", json={"reason": "mine now"}),
            other.patch(url, json={"title": "mine"}),
        ):
            assert response.status_code == 404, response.text
            assert response.json()["error"]["code"] == "post_not_found"
        assert other.get("/v1/posts", params={"status": "awaiting_review"}).json()["items"] == []
    assert api.get_post(held["id"])["status"] == "awaiting_review"
