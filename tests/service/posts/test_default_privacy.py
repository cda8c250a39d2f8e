"""An account's default privacy, set only by a person: a direct post that names no privacy uses
it (held to the creator's fresh options like a given one); with none set, the post is accepted
and waits for a person to choose, never published with a guess."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.photo_helpers import make_jpeg, upload_bytes
from tests.service.posts.test_creator_rules import patch_creator
from tests.service.publishing_helpers import (
    connect_account,
    post,
    sandbox_posts,
    upload,
    wait_final,
)


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


def set_default(api: httpx.Client, account_id: str, level: str | None) -> httpx.Response:
    return api.patch(f"/v1/accounts/{account_id}", json={"default_privacy_level": level})


@SQLITE_ONLY
def test_a_post_without_privacy_uses_the_accounts_default(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "defaulted")
    assert account["default_privacy_level"] is None
    changed = set_default(api, account["id"], "SELF_ONLY")
    assert changed.status_code == 200, changed.text
    assert changed.json()["default_privacy_level"] == "SELF_ONLY"
    assert api.get(f"/v1/accounts/{account['id']}").json()["default_privacy_level"] == "SELF_ONLY"
    media = upload(api, videos.good)
    created = post(api, account_id=account["id"], video=media["id"], title="by default")
    assert (created["status"], created["privacy_level"]) == ("queued", "SELF_ONLY")
    assert created["review_reason"] is None
    final = wait_final(api, created["id"])
    assert final["status"] == "published", final["events"]
    [published] = sandbox_posts(svc, "defaulted")
    assert published["post_info"]["privacy_level"] == "SELF_ONLY"


@SQLITE_ONLY
def test_the_default_is_held_to_the_creators_fresh_options(
    svc: RunningService,
    api: httpx.Client,
    videos: VideoFiles,
    create_api_key: Callable[[str], str],
) -> None:
    account = connect_account(api, "picky_default")
    # A private sandbox creator offers FOLLOWER_OF_CREATOR, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY.
    refused = set_default(api, account["id"], "PUBLIC_TO_EVERYONE")
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("privacy_not_offered", "default_privacy_level")
    unknown = set_default(api, account["id"], "EVERYONE")
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (
        422,
        "default_privacy_level",
    )
    assert api.patch(f"/v1/accounts/{account['id']}", json={}).status_code == 422
    assert set_default(api, account["id"], "FOLLOWER_OF_CREATOR").status_code == 200
    # Another team cannot see, let alone set, it.
    with svc.client(create_api_key("strangers")) as stranger:
        assert set_default(stranger, account["id"], None).status_code == 404
    # Used, the default is checked like a given privacy: an option dropped since is refused.
    patch_creator(svc, "picky_default", privacy_level_options=["SELF_ONLY"])
    media = upload(api, videos.good)
    response = api.post("/v1/posts", json={"account_id": account["id"], "video": media["id"]})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("privacy_not_offered", "privacy_level")
    cleared = set_default(api, account["id"], None)
    assert (cleared.status_code, cleared.json()["default_privacy_level"]) == (200, None)
    assert sandbox_posts(svc, "picky_default") == []


def held(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    created = post(api, **body)
    assert (created["status"], created["review_reason"]) == (
        "awaiting_review",
        "privacy_level_required",
    )
    assert created["review_required"] is True
    assert created["privacy_level"] is None
    assert created["events"][-1]["data"] == {"reason": "privacy_level_required"}
    assert "privacy_level" in created["events"][-1]["message"]
    return created


@SQLITE_ONLY
def test_with_no_default_the_post_waits_for_a_person_to_choose(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "undecided")
    media = upload(api, videos.good)
    created = held(api, {"account_id": account["id"], "video": media["id"], "review": "none"})
    # Approving it as it is would publish a guess: refused, the fix named.
    refused = api.post(f"/v1/posts/{created['id']}/approve")
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("privacy_level_required", "privacy_level")
    assert "PATCH /v1/posts/{id}" in error["message"]
    assert api.get(f"/v1/posts/{created['id']}").json()["status"] == "awaiting_review"
    # A person chooses (an edit, held to the creator's options), then approves.
    offered = api.patch(f"/v1/posts/{created['id']}", json={"privacy_level": "PUBLIC_TO_EVERYONE"})
    assert offered.json()["error"]["code"] == "privacy_not_offered"
    edited = api.patch(f"/v1/posts/{created['id']}", json={"privacy_level": "SELF_ONLY"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["review_reason"], edited.json()["status"]) == (None, "awaiting_review")
    approved = api.post(f"/v1/posts/{created['id']}/approve")
    assert approved.status_code == 200, approved.text
    final = wait_final(api, created["id"])
    assert final["status"] == "published", final["events"]
    [published] = sandbox_posts(svc, "undecided")
    assert published["post_info"]["privacy_level"] == "SELF_ONLY"


@SQLITE_ONLY
def test_photo_posts_wait_too_and_drafts_need_no_privacy(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "undecided_photos")
    image = upload_bytes(api, "one.jpg", make_jpeg(720, 1280, 3))
    held(api, {"account_id": account["id"], "photos": [image["id"]], "title": "photos"})
    media = upload(api, videos.good)
    draft = post(api, account_id=account["id"], video=media["id"], mode="draft")
    assert (draft["status"], draft["review_reason"]) == ("queued", None)
    assert wait_final(api, draft["id"])["status"] == "in_inbox"
    # Idempotent like any post: the replay is the same held post, not a second one.
    body = {"account_id": account["id"], "video": media["id"]}
    first = api.post("/v1/posts", json=body, headers={"Idempotency-Key": "no-privacy-1"})
    again = api.post("/v1/posts", json=body, headers={"Idempotency-Key": "no-privacy-1"})
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["review_reason"] == "privacy_level_required"
