"""The API holds the composer's rules: a fresh creator_info decides privacy, length and
interactions when a direct post is accepted (422 naming the field), and each post records how
consent was given. The publish workflow checks again at publish time (the last test)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, CliInvoker, RunningService
from tests.service.photo_helpers import make_jpeg, upload_bytes
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    post,
    sandbox_posts,
    upload,
    wait_final,
)

pytestmark = SQLITE_ONLY


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


def patch_creator(svc: RunningService, username: str, **fields: Any) -> None:
    """Change what the sandbox creator's creator_info answers from now on."""
    with operator(svc) as op:
        creators = op.get("/creators").json()["creators"]
        open_id = next(c["open_id"] for c in creators if c["username"] == username)
        op.patch(f"/creators/{open_id}", json=fields).raise_for_status()


def refused(api: httpx.Client, body: dict[str, Any]) -> tuple[str, str]:
    """(code, field) of a 422, after checking that nothing was stored."""
    response = api.post("/v1/posts", json=body)
    assert response.status_code == 422, response.text
    assert api.get("/v1/posts").json()["items"] == []
    error = response.json()["error"]
    return error["code"], error["field"]


def test_privacy_must_be_among_the_fresh_options(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "private_person")
    media = upload(api, videos.good)
    body = {"account_id": account["id"], "video": media["id"]}
    # A private sandbox creator offers FOLLOWER_OF_CREATOR, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY.
    assert refused(api, {**body, "privacy_level": "PUBLIC_TO_EVERYONE"}) == (
        "privacy_not_offered",
        "privacy_level",
    )
    # Read afresh for each post, not cached: an option the creator drops is refused at once.
    patch_creator(svc, "private_person", privacy_level_options=["SELF_ONLY"])
    response = api.post("/v1/posts", json={**body, "privacy_level": "FOLLOWER_OF_CREATOR"})
    assert (response.status_code, response.json()["error"]["field"]) == (422, "privacy_level")
    assert "choose one of SELF_ONLY" in response.json()["error"]["message"]
    assert sandbox_posts(svc, "private_person") == []


def test_photo_privacy_must_be_among_the_fresh_options(
    svc: RunningService, api: httpx.Client
) -> None:
    account = connect_account(api, "private_photos")
    image = upload_bytes(api, "one.jpg", make_jpeg(720, 1280, 9))
    body = {"account_id": account["id"], "photos": [image["id"]]}
    assert refused(api, {**body, "privacy_level": "PUBLIC_TO_EVERYONE"}) == (
        "privacy_not_offered",
        "privacy_level",
    )
    assert refused(api, {**body, "privacy_level": "SELF_ONLY", "brand_content_toggle": True}) == (
        "branded_content_private",
        "privacy_level",
    )


def test_a_video_longer_than_the_creator_may_post_is_refused(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "short_form")
    media = upload(api, videos.good)  # 4 s
    patch_creator(svc, "short_form", max_video_post_duration_sec=3)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    response = api.post("/v1/posts", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("video_too_long_for_creator", "video")
    assert "at most 3 s" in error["message"]
    # A draft is finished by the creator in the app: TikTok's limit is theirs to meet there.
    assert post(api, account_id=account["id"], video=media["id"], mode="draft")["id"]


@pytest.mark.parametrize(
    ("creator", "body", "code", "field"),
    [
        # Private sandbox creators have duets and stitches disabled.
        ({}, {"disable_duet": False}, "duet_disabled_by_creator", "disable_duet"),
        ({}, {"disable_stitch": False}, "stitch_disabled_by_creator", "disable_stitch"),
        (
            {"comment_disabled": True},
            {"disable_comment": False},
            "comment_disabled_by_creator",
            "disable_comment",
        ),
    ],
)
def test_an_interaction_the_creator_disabled_cannot_be_allowed(
    svc: RunningService,
    api: httpx.Client,
    videos: VideoFiles,
    creator: dict[str, Any],
    body: dict[str, Any],
    code: str,
    field: str,
) -> None:
    account = connect_account(api, "careful")
    if creator:
        patch_creator(svc, "careful", **creator)
    media = upload(api, videos.good)
    request = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    assert refused(api, {**request, **body}) == (code, field)


def test_disabled_interactions_left_unsaid_are_stored_off(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    account = connect_account(api, "quiet")
    patch_creator(svc, "quiet", comment_disabled=True)
    media = upload(api, videos.good)
    created = post(api, account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY")
    assert (created["disable_comment"], created["disable_duet"], created["disable_stitch"]) == (
        True,
        True,
        True,
    )
    image = upload_bytes(api, "one.jpg", make_jpeg(720, 1280, 9))
    photo_body = {
        "account_id": account["id"],
        "photos": [image["id"]],
        "privacy_level": "SELF_ONLY",
    }
    assert refused_after(api, {**photo_body, "disable_comment": False}) == (
        "comment_disabled_by_creator",
        "disable_comment",
    )
    photo = post(api, **photo_body)
    assert photo["disable_comment"] is True
    assert wait_final(api, photo["id"])["status"] == "published"
    assert sandbox_posts(svc, "quiet")[-1]["post_info"]["disable_comment"] is True


def refused_after(api: httpx.Client, body: dict[str, Any]) -> tuple[str, str]:
    """(code, field) of a 422 where other posts exist already."""
    response = api.post("/v1/posts", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    return error["code"], error["field"]


def test_each_post_records_the_api_keys_consent(
    svc: RunningService, api: httpx.Client, videos: VideoFiles, cli: CliInvoker
) -> None:
    account = connect_account(api, "consenting")
    media = upload(api, videos.good)
    before = datetime.now(UTC)
    created = post(api, account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY")
    [key_id] = re.findall(r"\bkey_[0-9a-z]{26}\b", cli("keys", "list").stdout)
    assert (created["consent"], created["consent_by"]) == ("api_key", key_id)
    assert datetime.fromisoformat(created["consent_at"]) >= before - timedelta(seconds=1)
    assert api.get(f"/v1/posts/{created['id']}").json()["consent"] == "api_key"


def test_the_workflow_checks_the_creator_again_when_it_publishes(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    """Accepted while allowed, then the creator drops the option before the post's time."""
    account = connect_account(api, "changes_mind")
    media = upload(api, videos.good)
    later = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    created = post(
        api,
        account_id=account["id"],
        video=media["id"],
        privacy_level="FOLLOWER_OF_CREATOR",
        scheduled_at=later,
    )
    assert created["status"] == "scheduled"
    patch_creator(svc, "changes_mind", privacy_level_options=["SELF_ONLY"])
    final = wait_final(api, created["id"])
    assert final["status"] == "failed"
    assert final["error"]["code"] == "privacy_not_offered"
    assert sandbox_posts(svc, "changes_mind") == []
