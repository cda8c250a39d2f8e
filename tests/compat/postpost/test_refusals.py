"""PostPost's documented refusals, in its shape (`{"error": "..."}`) and with its statuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.compat.postpost.helpers import PREFIX, PostPost
from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY


def refused(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    message: str = body["error"]
    return message


# Each case in turn on one service.
TIKTOK_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"viewerSetting": ""}, "TikTok requires selecting who can view your post"),
    ({"viewerSetting": None}, "TikTok requires selecting who can view your post"),
    (
        {"commercialContent": True},
        "TikTok commercial content requires selecting brand organic, branded content, or both",
    ),
    ({"viewerSetting": "EVERYONE"}, "viewerSetting must be one of"),
]


def test_tiktok_settings_are_checked(postpost: PostPost, subtests: pytest.Subtests) -> None:
    for tiktok, message in TIKTOK_REFUSALS:
        with subtests.test(tiktok=tiktok):
            body = postpost.body(tiktok=tiktok)
            if tiktok.get("viewerSetting", "") is None:
                del body["platformSettings"]["tiktok"]["viewerSetting"]
            answer = refused(postpost.client.post("/api/v1/create-post", json=body), 400)
            assert answer.startswith(message)


def test_no_tiktok_settings_at_all_is_no_viewer_choice(postpost: PostPost) -> None:
    """PostPost's REST route would default to PUBLIC_TO_EVERYONE; tikpost never picks for the
    creator."""
    body = postpost.body()
    del body["platformSettings"]
    answer = refused(postpost.client.post("/api/v1/create-post", json=body), 400)
    assert answer == "TikTok requires selecting who can view your post"


CREATE_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"content": "  "}, "content is required"),
    ({"platforms": []}, "platforms is required"),
    ({"platforms": ["twitter-123"]}, "tikpost serves TikTok only"),
    ({"platforms": ["tiktok-nobody"]}, "no connected TikTok account tiktok-nobody"),
    ({"scheduledTime": "2030-03-15 10:00:00"}, "scheduledTime"),
    ({"content": "😀" * 1101}, "title is 2202 UTF-16 units"),
]


def test_create_post_refusals(postpost: PostPost, subtests: pytest.Subtests) -> None:
    for changes, message in CREATE_REFUSALS:
        with subtests.test(changes=changes):
            response = postpost.client.post("/api/v1/create-post", json=postpost.body(**changes))
            assert message in refused(response, 400)


def test_branded_content_cannot_be_private(postpost: PostPost) -> None:
    """TikTok's rule, tikpost's own check (rules.check_request), in PostPost's shape."""
    tiktok = {"commercialContent": True, "brandedContent": True, "viewerSetting": "SELF_ONLY"}
    response = postpost.client.post("/api/v1/create-post", json=postpost.body(tiktok=tiktok))
    assert "Branded content visibility cannot be set to private" in refused(response, 400)


def test_not_json_is_a_400(postpost: PostPost) -> None:
    response = postpost.client.post(
        "/api/v1/create-post", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert refused(response, 400) == "Request body is not valid JSON"


def test_keys(postpost: PostPost) -> None:
    url = f"{postpost.service.url}{PREFIX}/api/v1/create-post"
    missing = httpx.post(url, json=postpost.body())
    assert refused(missing, 401) == "API key is required"
    wrong = httpx.post(url, json=postpost.body(), headers={"x-api-key": "tp_nope"})
    assert refused(wrong, 401) == "Invalid API key"


def test_unknown_group(postpost: PostPost) -> None:
    for response in (
        postpost.client.get("/api/v1/get-post/post_nope"),
        postpost.client.delete("/api/v1/delete-post/post_nope"),
        postpost.update("post_nope", status="scheduled"),
    ):
        assert refused(response, 404) == "Post group not found"


def test_update_needs_status_or_time(postpost: PostPost) -> None:
    group = postpost.create()
    message = refused(postpost.update(group), 400)
    assert message == "At least one of status or scheduledTime must be provided"


def test_scheduling_without_its_video(postpost: PostPost) -> None:
    group = postpost.create()
    message = refused(postpost.update(group, status="scheduled"), 400)
    assert message.startswith("TikTok requires a video")
    assert postpost.get(group)["posts"][0]["status"] == "draft"


def test_a_video_tiktok_would_refuse(postpost: PostPost, videos: VideoFiles) -> None:
    """tikpost's media checks run on the upload (its own URL, its own error shape); the group
    stays a draft, and scheduling it without a video is refused."""
    group = postpost.create()
    asked = postpost.client.post(
        "/api/v1/get-upload-url",
        json={"fileName": "short.mp4", "contentType": "video/mp4", "postGroupId": group},
    )
    assert asked.status_code == 200, asked.text
    put = httpx.put(asked.json()["uploadUrl"], content=videos.short.read_bytes(), timeout=60)
    assert put.status_code == 422, put.text
    assert put.json()["error"]["code"] == "video_duration_out_of_range"
    message = refused(postpost.update(group, status="scheduled"), 400)
    assert message.startswith("TikTok requires a video")
    assert postpost.get(group)["posts"][0]["status"] == "draft"
    assert postpost.sandbox_posts() == []
