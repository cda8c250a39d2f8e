"""A post group's life through PostPost's routes: its response shapes, its schedule, deleting,
another team's groups, and Idempotency-Key replays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.compat.postpost.helpers import PostPost
from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY


def test_shapes_through_a_group_s_life(postpost: PostPost, videos: VideoFiles) -> None:
    group = postpost.create(tiktok={"allowDuet": True, "allowStitch": True})
    assert postpost.get(group) == {
        "success": True,
        "postGroupId": group,
        "posts": [
            {
                "_id": group,
                "platform": "tiktok",
                "platformId": postpost.account["open_id"],
                "content": "hello from PostPost #tikpost",
                "status": "draft",
            }
        ],
    }
    slot = postpost.upload(group, videos.good)
    assert set(slot) == {"success", "uploadUrl", "fileUrl", "mediaId"}
    assert slot["success"] is True
    scheduled = postpost.update(group, status="scheduled")
    assert scheduled.status_code == 200, scheduled.text
    body = scheduled.json()
    assert body["success"] is True
    assert body["message"] == "Post updated successfully"
    assert body["postGroup"]["_id"] == group
    assert body["postGroup"]["status"] == "scheduled"
    final = postpost.wait_done(group)
    assert final["status"] == "published", final
    assert set(final) == {"_id", "platform", "platformId", "content", "status", "postedId"}
    [published] = postpost.sandbox_posts()
    # allowX: true is allowed on TikTok (PostPost's documented inversion is not copied).
    assert published["post_info"]["disable_duet"] is False
    assert published["post_info"]["disable_stitch"] is False
    assert published["post_info"]["disable_comment"] is False
    # A published post cannot be changed any more.
    late = postpost.update(group, status="scheduled")
    assert late.status_code == 400, late.text


def test_a_scheduled_group_waits_and_can_be_moved(postpost: PostPost, videos: VideoFiles) -> None:
    later = datetime.now(UTC) + timedelta(hours=2)
    group = postpost.create(scheduledTime=later.isoformat())
    postpost.upload(group, videos.good)
    scheduled = postpost.update(group, status="scheduled")
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["postGroup"]["status"] == "scheduled"
    assert postpost.get(group)["posts"][0]["status"] == "scheduled"
    moved = postpost.update(group, scheduledTime=(later + timedelta(hours=1)).isoformat())
    assert moved.status_code == 200, moved.text
    new_time = datetime.fromisoformat(moved.json()["postGroup"]["scheduledTime"])
    assert abs(new_time - (later + timedelta(hours=1))) < timedelta(seconds=1)
    back = postpost.update(group, status="draft")
    assert back.status_code == 409, back.text
    deleted = postpost.client.delete(f"/api/v1/delete-post/{group}")
    assert (deleted.status_code, deleted.json()) == (200, {"success": True})
    again = postpost.client.delete(f"/api/v1/delete-post/{group}")
    assert again.status_code == 200, again.text
    assert postpost.get(group)["posts"][0]["status"] == "failed"
    assert postpost.sandbox_posts() == []


def test_a_draft_keeps_its_time_until_scheduled(postpost: PostPost) -> None:
    group = postpost.create()
    when = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    kept = postpost.update(group, scheduledTime=when.isoformat())
    assert kept.status_code == 200, kept.text
    state = kept.json()["postGroup"]
    assert state["status"] == "draft"
    assert datetime.fromisoformat(state["scheduledTime"]) == when


def test_another_team_s_group_is_not_found(
    postpost: PostPost, postpost_factory: Callable[[str, str], PostPost], videos: VideoFiles
) -> None:
    group = postpost.create()
    other = postpost_factory("globex", "stranger")
    upload = other.client.post(
        "/api/v1/get-upload-url",
        json={
            "fileName": "a.mp4",
            "contentType": "video/mp4",
            "postGroupId": group,
            "type": "video",
        },
    )
    for response in (
        upload,
        other.client.get(f"/api/v1/get-post/{group}"),
        other.update(group, status="scheduled"),
        other.client.delete(f"/api/v1/delete-post/{group}"),
    ):
        assert response.status_code == 404, response.text
        assert response.json() == {"error": "Post group not found"}
    # Nor can another team's account be posted to.
    body = other.body(platforms=[postpost.platform])
    refused = other.client.post("/api/v1/create-post", json=body)
    assert refused.status_code == 400, refused.text
    assert postpost.get(group)["posts"][0]["status"] == "draft"


def test_idempotent_retry(postpost: PostPost, videos: VideoFiles) -> None:
    headers = {"Idempotency-Key": "pp-retry-1"}
    first = postpost.client.post("/api/v1/create-post", json=postpost.body(), headers=headers)
    again = postpost.client.post("/api/v1/create-post", json=postpost.body(), headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = postpost.client.post(
        "/api/v1/create-post", json=postpost.body(content="something else"), headers=headers
    )
    assert changed.status_code == 400, changed.text
    assert "Idempotency-Key" in changed.json()["error"]
    group = first.json()["postGroupId"]
    final = postpost.publish(group, videos.good)
    assert final["status"] == "published", final
    # Scheduling twice is no second post either.
    repeated = postpost.update(group, status="scheduled")
    assert repeated.status_code == 400, repeated.text
    assert len(postpost.sandbox_posts()) == 1


def test_a_team_that_reviews_every_post_keeps_it_for_a_person(
    postpost: PostPost, videos: VideoFiles
) -> None:
    """Scheduling is the key's consent, but a team with review_by_default wants a person's:
    the group is PostPost's `pending` until approved in tikpost's review queue."""
    turned_on = postpost.native.patch("/v1/team", json={"review_by_default": True})
    assert turned_on.status_code == 200, turned_on.text
    group = postpost.create()
    postpost.upload(group, videos.good)
    scheduled = postpost.update(group, status="scheduled")
    assert scheduled.status_code == 200, scheduled.text
    assert postpost.get(group)["posts"][0]["status"] == "pending"
    assert postpost.native.get(f"/v1/posts/{group}").json()["status"] == "awaiting_review"
    approved = postpost.native.post(f"/v1/posts/{group}/approve")
    assert approved.status_code == 200, approved.text
    assert postpost.wait_done(group)["status"] == "published"
    assert len(postpost.sandbox_posts()) == 1


def test_a_group_without_its_video_cannot_be_approved_by_a_person(postpost: PostPost) -> None:
    """The group waits in the review queue for its video; approving it there is refused."""
    group = postpost.create()
    refused = postpost.native.post(f"/v1/posts/{group}/approve")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "media_required"
    assert postpost.get(group)["posts"][0]["status"] == "draft"


def _ask_upload(postpost: PostPost, group: str, key: str, name: str) -> dict[str, Any]:
    asked = postpost.client.post(
        "/api/v1/get-upload-url",
        json={"fileName": name, "contentType": "video/mp4", "postGroupId": group, "type": "video"},
        headers={"Idempotency-Key": key},
    )
    assert asked.status_code == 200, asked.text
    answer: dict[str, Any] = asked.json()
    return answer


def test_an_upload_url_asked_but_unused_is_no_video_to_approve(
    postpost: PostPost, videos: VideoFiles
) -> None:
    """Between get-upload-url and the PUT the group still has no video: a person approving it
    is refused (it is never pulled from tikpost's own upload URL); once uploaded and
    scheduled it publishes once, from the upload."""
    group = postpost.create()
    slot = _ask_upload(postpost, group, "pp-upload-1", videos.good.name)
    refused = postpost.native.post(f"/v1/posts/{group}/approve")
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "media_required"
    assert postpost.native.get(f"/v1/posts/{group}").json()["video_url"] is None
    # A retry of get-upload-url under its key is the same slot, not a second one.
    assert _ask_upload(postpost, group, "pp-upload-1", videos.good.name) == slot
    other = postpost.client.post(
        "/api/v1/get-upload-url",
        json={"fileName": "other.mp4", "contentType": "video/mp4", "postGroupId": group},
        headers={"Idempotency-Key": "pp-upload-1"},
    )
    assert other.status_code == 400, other.text
    assert "Idempotency-Key" in other.json()["error"]
    with videos.good.open("rb") as video:
        put = httpx.put(slot["uploadUrl"], content=video, timeout=60)
    assert put.status_code == 201, put.text
    scheduled = postpost.update(group, status="scheduled")
    assert scheduled.status_code == 200, scheduled.text
    assert postpost.wait_done(group)["status"] == "published"
    assert len(postpost.sandbox_posts()) == 1
