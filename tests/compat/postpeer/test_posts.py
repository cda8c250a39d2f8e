"""PostPeer's post routes on tikpost: reading, listing (filters, paging), scheduling,
cancelling, idempotent retries, team isolation, and the documented errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.compat.postpeer.helpers import PostPeer, Started
from tests.service.conftest import SQLITE_ONLY
from tests.service.publishing_helpers import sandbox_posts
from tikpost.compat.postpeer import schemas

pytestmark = SQLITE_ONLY

PRIVATE = {"privacyLevel": "SELF_ONLY"}


def _body(started: Started, account_id: str, **extra: Any) -> dict[str, Any]:
    options = extra.pop("options", PRIVATE)
    return {
        "content": "hello from postpeer",
        "platforms": [
            {"platform": "tiktok", "accountId": account_id, "platformSpecificData": options}
        ],
        "mediaItems": [{"type": "video", "url": f"{started.media}video.mp4"}],
        **extra,
    }


def _create(client: PostPeer, body: dict[str, Any], **headers: str) -> schemas.CreatePostResponse:
    answer = client.client.post("/v1/posts", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return schemas.CreatePostResponse.model_validate(answer.json())


def _error(answer: Any, status: int, code: str) -> schemas.ErrorAnswer:
    assert answer.status_code == status, answer.text
    error = schemas.ErrorAnswer.model_validate(answer.json())
    assert error.success is False
    assert error.code == code, error
    return error


def test_posts_read_and_list_with_filters_and_paging(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("lister")
    ids = [_create(client, _body(started, account_id, publishNow=True)).postId for _ in range(3)]
    for post_id in ids:
        assert client.wait(post_id)["status"] == "published"
    answer = client.client.get(f"/v1/posts/{ids[0]}")
    post = schemas.PostAnswer.model_validate(answer.json()).post
    assert post.content == "hello from postpeer"
    assert post.mediaItems[0].url == f"{started.media}video.mp4"
    assert post.platforms[0].platformPostId is None  # SELF_ONLY posts have no public id

    def listed(**params: Any) -> schemas.PostList:
        answer = client.client.get("/v1/posts", params=params)
        assert answer.status_code == 200, answer.text
        return schemas.PostList.model_validate(answer.json())

    assert [p.postId for p in listed().posts] == ids[::-1]
    assert [p.postId for p in listed(sort="asc", limit=2).posts] == ids[:2]
    page = listed(sort="asc", limit=2, offset=2)
    assert (page.total, [p.postId for p in page.posts]) == (3, ids[2:])
    assert listed(status="published").total == 3
    assert listed(status="scheduled").total == 0
    assert listed(platform=["twitter"]).total == 0
    assert listed(platform=["twitter", "tiktok"]).total == 3
    assert listed(createdAfter="2999-01-01T00:00:00Z").total == 0
    assert listed(createdBefore="2999-01-01T00:00:00Z").total == 3
    assert listed(scheduledAfter="2000-01-01T00:00:00Z").total == 0
    assert client.client.get("/v1/posts/", params={"limit": 1}).json()["total"] == 3
    _error(client.client.get("/v1/posts", params={"limit": 101}), 400, "validation_error")
    _error(client.client.get("/v1/posts", params={"status": "nope"}), 400, "validation_error")
    assert len(sandbox_posts(started.svc, "lister")) == 3


def test_scheduled_posts_are_listed_moved_and_cancelled(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("planner")
    body = _body(
        started, account_id, scheduledFor="2099-03-29T09:00:00", timezone="America/New_York"
    )
    created = _create(client, body)
    assert created.status == "scheduled"
    assert created.scheduledFor == "2099-03-29T13:00:00.000Z"
    listing = schemas.ScheduledList.model_validate(client.client.get("/v1/posts/scheduled").json())
    assert listing.total == 1
    [entry] = listing.posts
    assert (entry.postId, entry.platforms[0].status) == (created.postId, "pending")

    moved = client.client.patch(
        f"/v1/posts/scheduled/{created.postId}",
        json={"scheduledFor": "2099-03-30T14:00:00", "timezone": "Asia/Jerusalem"},
    )
    assert moved.status_code == 200, moved.text
    local = datetime(2099, 3, 30, 14, tzinfo=ZoneInfo("Asia/Jerusalem")).astimezone(UTC)
    expected = local.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert schemas.Rescheduled.model_validate(moved.json()).scheduledFor == expected
    post = client.client.get(f"/v1/posts/{created.postId}").json()["post"]
    assert post["scheduledFor"] == expected

    past = {"scheduledFor": "2000-01-01T00:00:00Z"}
    error = _error(
        client.client.patch(f"/v1/posts/scheduled/{created.postId}", json=past),
        400,
        "scheduled_at_in_past",
    )
    assert error.field == "scheduledFor"

    cancelled = client.client.delete(f"/v1/posts/scheduled/{created.postId}")
    assert cancelled.status_code == 200, cancelled.text
    assert schemas.Message.model_validate(cancelled.json()).success
    post = client.client.get(f"/v1/posts/{created.postId}").json()["post"]
    assert (post["status"], post["platforms"][0]["status"]) == ("draft", "cancelled")
    _error(
        client.client.delete(f"/v1/posts/scheduled/{created.postId}"), 409, "post_not_cancellable"
    )
    _error(
        client.client.patch(f"/v1/posts/scheduled/{created.postId}", json=past),
        409,
        "post_not_reschedulable",
    )
    assert client.client.get("/v1/posts/scheduled").json()["total"] == 0
    assert sandbox_posts(started.svc, "planner") == []


def test_delete_cancels_a_waiting_post_and_refuses_a_published_one(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("deleter")
    waiting = _create(client, _body(started, account_id, scheduledFor="2099-01-01T00:00:00Z"))
    deleted = client.client.delete(f"/v1/posts/{waiting.postId}")
    assert deleted.status_code == 200, deleted.text
    schemas.Message.model_validate(deleted.json())
    published = _create(client, _body(started, account_id, publishNow=True))
    assert client.wait(published.postId)["status"] == "published"
    _error(client.client.delete(f"/v1/posts/{published.postId}"), 409, "post_not_cancellable")
    _error(client.client.delete("/v1/posts/post_nope"), 404, "post_not_found")


def test_a_draft_goes_to_the_creators_inbox(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("drafter")
    created = _create(client, _body(started, account_id, publishNow=True, options={"draft": True}))
    assert client.wait(created.postId)["status"] == "published"
    [draft] = sandbox_posts(started.svc, "drafter")
    assert draft["status"] == "SEND_TO_USER_INBOX"


def test_a_retry_with_the_same_idempotency_key_is_the_same_post(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("retrier")
    body = _body(started, account_id, publishNow=True)
    first = client.client.post("/v1/posts", json=body, headers={"Idempotency-Key": "k-1"})
    again = client.client.post("/v1/posts", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["postId"] == again.json()["postId"]
    assert client.wait(first.json()["postId"])["status"] == "published"
    changed = {**body, "content": "something else"}
    _error(
        client.client.post("/v1/posts", json=changed, headers={"Idempotency-Key": "k-1"}),
        400,
        "idempotency_key_reused",
    )
    assert len(sandbox_posts(started.svc, "retrier")) == 1


def test_another_teams_ids_are_not_found(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("owner")
    created = _create(client, _body(started, account_id, scheduledFor="2099-01-01T00:00:00Z"))
    with PostPeer.on(started.svc, started.other_key) as other:
        for answer in (
            other.client.get(f"/v1/posts/{created.postId}"),
            other.client.delete(f"/v1/posts/{created.postId}"),
            other.client.delete(f"/v1/posts/scheduled/{created.postId}"),
            other.client.patch(
                f"/v1/posts/scheduled/{created.postId}",
                json={"scheduledFor": "2099-02-01T00:00:00Z"},
            ),
        ):
            _error(answer, 404, "post_not_found")
        assert other.client.get("/v1/posts").json()["total"] == 0
        assert other.client.get("/v1/posts/scheduled").json()["total"] == 0
        error = _error(
            other.client.post("/v1/posts", json=_body(started, account_id, publishNow=True)),
            404,
            "account_not_found",
        )
        assert error.field == "platforms.accountId"
    assert client.client.get(f"/v1/posts/{created.postId}").status_code == 200


# Each refusal in turn on one service: none may leave a post behind, also after the others.
REFUSED: list[tuple[dict[str, Any], str, str]] = [
    ({"content": None}, "validation_error", "content"),
    ({"platforms": []}, "validation_error", "platforms"),
    (
        {"platforms": [{"platform": "twitter", "accountId": "x"}]},
        "no_tiktok_target",
        "platforms",
    ),
    ({"publishNow": None}, "publish_time_required", "publishNow"),
    ({"scheduledFor": "tomorrow"}, "invalid_datetime", "scheduledFor"),
    (
        {"scheduledFor": "2099-01-01T00:00:00", "timezone": "Mars/Base"},
        "invalid_timezone",
        "timezone",
    ),
    ({"mediaItems": None}, "media_required", "mediaItems"),
    (
        {"mediaItems": [{"type": "gif", "url": "https://x.test/a.gif"}]},
        "gif_not_supported",
        "mediaItems",
    ),
    (
        {"options": {"privacyLevel": "EVERYONE"}},
        "validation_error",
        "platformSpecificData.privacyLevel",
    ),
    (
        {"options": {"privacy_level": "SELF_ONLY"}},
        "validation_error",
        "platformSpecificData.privacy_level",
    ),
    ({"content": "😀" * 1101}, "title_too_long", "content"),
    (
        {"options": {"privacyLevel": "SELF_ONLY", "brandContentToggle": True}},
        "branded_content_private",
        "platformSpecificData.privacyLevel",
    ),
]


def test_refused_posts_say_why_and_nothing_is_posted(
    started: Started, subtests: pytest.Subtests
) -> None:
    client = started.postpeer
    account_id = client.connect("refused")
    for change, code, field in REFUSED:
        with subtests.test(code=code, field=field):
            rest = dict(change)
            body = _body(started, account_id, publishNow=True, options=rest.pop("options", PRIVATE))
            body.update(rest)
            body = {key: value for key, value in body.items() if value is not None}
            error = _error(client.client.post("/v1/posts", json=body), 400, code)
            assert error.field == field
            assert client.client.get("/v1/posts").json()["total"] == 0
            assert sandbox_posts(started.svc, "refused") == []


def test_a_wrong_key_is_refused_in_postpeers_shape(started: Started) -> None:
    with PostPeer.on(started.svc, "tp_not-a-key") as stranger:
        _error(stranger.client.get("/v1/posts"), 401, "api_key_invalid")
    missing = _error(
        started.postpeer.client.get("/v1/posts", headers={"x-access-key": ""}),
        401,
        "api_key_missing",
    )
    # The header PostPeer's clients send, not tikpost's own X-API-Key.
    assert "x-access-key" in missing.error, missing
