"""tikapis' API served by tikpost: its examples run unchanged but for the host and key, and the
video they send is published once on the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.compat.tikapis.helpers import (
    BASE,
    creator_with_default,
    run_curl,
    run_fetch,
    wait_final,
)
from tests.conftest import VideoFiles
from tests.service.conftest import RunningService
from tests.service.publishing_helpers import connect_account, sandbox_posts
from tests.support.videos import make_video

POSTS = f"{BASE}/v1/tiktok/posts"


def test_the_curl_example_publishes_once(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    key = str(sandbox_api.headers["X-API-Key"])
    creator_with_default(sandbox_api, "curler")
    answer = run_curl(svc, key, videos.good)
    assert set(answer) == {"message", "publishId", "postId"}, answer
    assert answer["message"] == "Post accepted and is processing."
    final = wait_final(sandbox_api, answer["postId"])
    assert final["status"] == "Published", final
    assert final["publishId"]
    assert final["caption"] == "Check out my awesome video!"
    [published] = sandbox_posts(svc, "curler")
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["post_info"]["title"] == "Check out my awesome video!"
    assert published["post_info"]["privacy_level"] == "SELF_ONLY"


def test_the_fetch_example_publishes_once(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    key = str(sandbox_api.headers["X-API-Key"])
    creator_with_default(sandbox_api, "fetcher")
    answer = run_fetch(svc, key, videos.good)
    assert set(answer) == {"message", "publishId", "postId"}
    assert wait_final(sandbox_api, answer["postId"])["status"] == "Published"
    [published] = sandbox_posts(svc, "fetcher")
    assert published["status"] == "PUBLISH_COMPLETE"


def test_avi_is_transcoded_and_hashtags_appended(
    svc: RunningService, sandbox_api: httpx.Client, tmp_path: Path
) -> None:
    creator_with_default(sandbox_api, "avi_maker")
    avi = make_video(tmp_path / "clip.avi", codec="mpeg4", container="avi")
    with avi.open("rb") as handle:
        sent = sandbox_api.post(
            POSTS,
            files={"videoFile": ("clip.avi", handle, "video/x-msvideo")},
            data={"caption": "old film #retro", "hashtags": "retro, #cinema vhs"},
        )
    assert sent.status_code == 202, sent.text
    post_id = sent.json()["postId"]
    assert wait_final(sandbox_api, post_id)["status"] == "Published"
    native = sandbox_api.get(f"/v1/posts/{post_id}").json()
    assert native["transcode"] is True
    assert native["transcoded_video"] is not None
    [published] = sandbox_posts(svc, "avi_maker")
    assert published["post_info"]["title"] == "old film #retro #cinema #vhs"


def test_a_schedule_waits_and_no_default_privacy_is_held(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    creator_with_default(sandbox_api, "planner")
    with videos.good.open("rb") as handle:
        later = sandbox_api.post(
            POSTS,
            files={"videoFile": ("v.mp4", handle, "video/mp4")},
            data={"caption": "later", "schedule": "2099-01-01T10:00:00Z"},
        )
    assert later.status_code == 202, later.text
    assert (later.json()["message"], later.json()["publishId"]) == ("Post scheduled.", None)
    state = sandbox_api.get(f"{POSTS}/{later.json()['postId']}").json()
    assert (state["status"], state["tikpostStatus"]) == ("Pending", "scheduled")
    assert state["scheduledFor"].startswith("2099-01-01T10:00:00")
    # A second account, without a default: which one is named, and the post waits for a person.
    unset = connect_account(sandbox_api, "undecided")
    with videos.good.open("rb") as handle:
        held = sandbox_api.post(
            POSTS,
            files={"videoFile": ("v.mp4", handle, "video/mp4")},
            data={"caption": "who sees this?", "accountId": unset["id"]},
        )
    assert held.status_code == 202, held.text
    assert "choose who can see it" in held.json()["message"]
    native = sandbox_api.get(f"/v1/posts/{held.json()['postId']}").json()
    assert (native["status"], native["review_reason"]) == (
        "awaiting_review",
        "privacy_level_required",
    )
    assert sandbox_api.get(f"{POSTS}/{native['id']}").json()["status"] == "Pending"
    assert sandbox_posts(svc, "undecided") == []


def test_errors_have_tikapis_shape_and_status(
    svc: RunningService,
    sandbox_api: httpx.Client,
    videos: VideoFiles,
    create_api_key: Callable[[str], str],
) -> None:
    video = ("v.mp4", videos.good.read_bytes(), "video/mp4")
    # No account connected yet: tikapis' 404, before the file is stored.
    none = sandbox_api.post(POSTS, files={"videoFile": video})
    assert none.status_code == 404
    assert none.json() == {"error": "TikTok account not connected for this user."}
    creator_with_default(sandbox_api, "erring")
    unkeyed = httpx.post(f"{svc.url}{POSTS}", files={"videoFile": video})
    assert unkeyed.status_code == 401
    assert set(unkeyed.json()) == {"error"}
    wrong_field = sandbox_api.post(POSTS, files={"file": video})
    assert wrong_field.status_code == 400
    assert wrong_field.json() == {"error": "videoFile: send the media as field `videoFile`"}
    long = sandbox_api.post(POSTS, files={"videoFile": video}, data={"caption": "x" * 2201})
    assert long.status_code == 400, long.text
    assert long.json() == {"error": "caption must be at most 2200 characters"}
    junk = sandbox_api.post(POSTS, files={"videoFile": ("v.mp4", b"not a video", "video/mp4")})
    assert junk.status_code == 400
    assert junk.json()["error"].startswith("videoFile: ")
    not_form = sandbox_api.post(POSTS, json={"caption": "hi"})
    assert not_form.status_code == 400
    assert set(not_form.json()) == {"error"}
    missing = sandbox_api.get(f"{POSTS}/post_nope")
    assert (missing.status_code, missing.json()) == (404, {"error": "Post not found."})
    # Nothing refused was kept as media, and nothing reached TikTok.
    assert sandbox_api.get("/v1/media").json()["items"] == []
    assert sandbox_posts(svc, "erring") == []
    # A post of this team is another team's 404.
    made = sandbox_api.post(POSTS, files={"videoFile": video}, data={"schedule": "4102444800"})
    assert made.status_code == 202, made.text
    with svc.client(create_api_key("strangers")) as stranger:
        hidden = stranger.get(f"{POSTS}/{made.json()['postId']}")
        assert (hidden.status_code, hidden.json()) == (404, {"error": "Post not found."})
        theirs = stranger.post(POSTS, files={"videoFile": video})
        assert theirs.status_code == 404


def test_an_idempotent_retry_posts_once(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    creator_with_default(sandbox_api, "retrier")
    video = ("v.mp4", videos.good.read_bytes(), "video/mp4")
    key = {"Idempotency-Key": "tikapis-retry-1"}
    first = sandbox_api.post(
        POSTS, files={"videoFile": video}, data={"caption": "once"}, headers=key
    )
    again = sandbox_api.post(
        POSTS, files={"videoFile": video}, data={"caption": "once"}, headers=key
    )
    assert (first.status_code, again.status_code) == (202, 202), again.text
    assert again.json()["postId"] == first.json()["postId"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = sandbox_api.post(
        POSTS, files={"videoFile": video}, data={"caption": "twice"}, headers=key
    )
    assert other.status_code == 400
    assert set(other.json()) == {"error"}
    assert wait_final(sandbox_api, first.json()["postId"])["status"] == "Published"
    assert len(sandbox_posts(svc, "retrier")) == 1
    # The retries' uploads were not kept: only the post's own video is.
    assert len(sandbox_api.get("/v1/media").json()["items"]) == 1
