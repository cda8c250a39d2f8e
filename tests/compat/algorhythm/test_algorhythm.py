"""Algorhythm's farm-profile API served by tikpost: its documented request, unchanged but for
the host and key, puts one draft in the creator's inbox or one live post on the sandbox, and
the webhook it names gets Algorhythm's own body, signed and retried."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from tests.conftest import VideoFiles
from tests.service.conftest import RunningService
from tests.service.photo_helpers import make_jpeg, make_zip
from tests.service.publishing_helpers import connect_account, sandbox_posts
from tests.service.webhook_helpers import Receiver, receiver
from tests.support.api import Api
from tests.support.media_server import media_origin
from tests.support.waiting import wait_until

POSTS = "/compat/algorhythm/v1/posts"
FINAL = {"posted", "failed"}


@pytest.fixture
def origin(tmp_path: Path, videos: VideoFiles) -> Iterator[str]:
    """An origin serving the test's media at `<origin>/media/<name>`."""
    root = tmp_path / "origin"
    root.mkdir()
    (root / "clip.mp4").write_bytes(videos.good.read_bytes())
    slides = [("slide-1.jpg", make_jpeg(shade=10)), ("slide-2.jpg", make_jpeg(shade=200))]
    (root / "slides.zip").write_bytes(make_zip(slides))
    with media_origin(root) as url:
        yield url


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def public_creator(api: httpx.Client, username: str) -> dict[str, Any]:
    account = connect_account(api, username, public="1")
    changed = api.patch(
        f"/v1/accounts/{account['id']}", json={"default_privacy_level": "PUBLIC_TO_EVERYONE"}
    )
    assert changed.status_code == 200, changed.text
    return account


def wait_final(api: httpx.Client, task_id: str) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        task: dict[str, Any] = api.get(f"{POSTS}/{task_id}").json()
        return task if task["status"] in FINAL else None

    return wait_until(final, f"task {task_id} final", timeout=90)


def documented(profile_id: str, origin: str, hook: str, **changes: Any) -> dict[str, Any]:
    """A request with every field Algorhythm's page documents."""
    return {
        "profile_id": profile_id,
        "media_type": "video",
        "media_url": f"{origin}/media/clip.mp4",
        "sound_id": "7212345678901234567",
        "title": "Morning routine",
        "webhook_url": hook,
        "description": "with @friend #morning",
        **changes,
    }


def test_the_documented_request_makes_one_draft(
    svc: RunningService, sandbox_api: httpx.Client, origin: str, hooks: Receiver
) -> None:
    account = connect_account(sandbox_api, "farmer")
    sent = sandbox_api.post(POSTS, json=documented(account["id"], origin, f"{hooks.url}/d"))
    assert sent.status_code == 200, sent.text
    answer = sent.json()
    assert set(answer) == {"task_id", "sound_applied", "notes"}
    assert answer["sound_applied"] is False
    assert any("sound_id 7212345678901234567 was not applied" in n for n in answer["notes"])
    assert any("inbox drafts" in n for n in answer["notes"])
    task = wait_final(sandbox_api, answer["task_id"])
    assert task == {
        "task_id": answer["task_id"],
        "post_id": answer["task_id"],
        "profile_id": account["id"],
        "status": "posted",
        "tikpost_status": "in_inbox",
        "platform_post_id": None,
        "url": None,
        "sound_id": "7212345678901234567",
        "sound_applied": False,
        "error": None,
    }
    [draft] = sandbox_posts(svc, "farmer")
    assert (draft["status"], draft["post_mode"]) == ("SEND_TO_USER_INBOX", "MEDIA_UPLOAD")
    timeline = [
        e["message"] for e in sandbox_api.get(f"/v1/posts/{task['task_id']}").json()["events"]
    ]
    assert any("was not applied" in line for line in timeline)
    # A draft never goes live, so no post.published is sent.
    assert hooks.at("/d") == []


def test_a_live_post_publishes_once_and_signs_its_webhook(
    svc: RunningService, sandbox_api: httpx.Client, origin: str, hooks: Receiver
) -> None:
    # An audited app may post publicly, so the post has a live URL for the webhook.
    httpx.patch(f"{svc.url}/sandbox/_sandbox/config", json={"audited": True}).raise_for_status()
    account = public_creator(sandbox_api, "live_farmer")
    hooks.fail_first["/live"] = 1
    body = documented(account["id"], origin, f"{hooks.url}/live", is_live=True)
    sent = sandbox_api.post(POSTS, json=body)
    assert sent.status_code == 200, sent.text
    task = wait_final(sandbox_api, sent.json()["task_id"])
    assert (task["status"], task["tikpost_status"]) == ("posted", "published"), task["error"]
    assert task["url"]
    assert task["platform_post_id"]
    [live] = sandbox_posts(svc, "live_farmer")
    assert live["status"] == "PUBLISH_COMPLETE"
    # tikpost keeps the @ and # Algorhythm strips; the title leads the caption.
    assert live["post_info"]["title"] == "Morning routine\n\nwith @friend #morning"
    assert live["post_info"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
    calls = wait_until(lambda: hooks.at("/live")[1:], "the retried webhook", timeout=60)
    secret = sandbox_api.get("/v1/webhook-endpoints/default-secret").json()["secret"]
    payload = Webhook(secret).verify(calls[0].body, calls[0].headers)
    assert payload == {
        "event": "post.published",
        "phone_id": account["id"],
        "post_url": task["url"],
    }
    assert json.loads(hooks.at("/live")[0].body) == payload
    assert len(hooks.at("/live")) == 2


def test_a_business_profile_publishes_the_sound_id(
    svc: RunningService, sandbox_api: httpx.Client, origin: str, hooks: Receiver
) -> None:
    """Through TikTok's API for Business the sound is applied, at tikpost's audible 50/50."""
    profile = Api(sandbox_api).connect_business("sound_farm")
    listed = sandbox_api.get(f"/v1/accounts/{profile['id']}/sounds").json()["items"]
    sound_id = listed[0]["id"]
    body = documented(profile["id"], origin, f"{hooks.url}/s", is_live=True, sound_id=sound_id)
    sent = sandbox_api.post(POSTS, json=body)
    assert sent.status_code == 200, sent.text
    assert sent.json()["sound_applied"] is True
    assert not any("was not applied" in note for note in sent.json()["notes"])
    task = wait_final(sandbox_api, sent.json()["task_id"])
    assert (task["status"], task["tikpost_status"]) == ("posted", "published"), task["error"]
    assert (task["sound_id"], task["sound_applied"]) == (sound_id, True)
    assert task["url"] == f"https://www.tiktok.com/@sound_farm/video/{task['platform_post_id']}"
    with httpx.Client(base_url=f"{svc.url}/sandbox/_sandbox") as op:
        [live] = op.get(f"/business/accounts/{profile['open_id']}/posts").json()["posts"]
    assert live["post_info"]["caption"] == "Morning routine\n\nwith @friend #morning"
    heard = live["sound"]
    assert (heard["music_sound_id"], heard["music_sound_volume"]) == (sound_id, 50)
    assert heard["video_original_sound_volume"] == 50
    # A draft of a business profile cannot carry it: said, not dropped silently.
    draft = sandbox_api.post(POSTS, json=documented(profile["id"], origin, f"{hooks.url}/s"))
    assert draft.status_code == 200, draft.text
    assert draft.json()["sound_applied"] is False
    assert any("takes no sound" in note for note in draft.json()["notes"])


def test_a_slideshow_zip_becomes_a_photo_draft(
    svc: RunningService, sandbox_api: httpx.Client, origin: str
) -> None:
    account = connect_account(sandbox_api, "slider")
    sent = sandbox_api.post(
        POSTS,
        json={
            "profile_id": account["id"],
            "media_type": "slideshow",
            "media_url": f"{origin}/media/slides.zip",
            "title": "Two slides",
            "description": "#carousel",
        },
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["sound_applied"] is None
    assert wait_final(sandbox_api, sent.json()["task_id"])["tikpost_status"] == "in_inbox"
    native = sandbox_api.get(f"/v1/posts/{sent.json()['task_id']}").json()
    assert (native["media_type"], len(native["photos"])) == ("photo", 2)
    assert (native["title"], native["description"]) == ("Two slides", "#carousel")
    [draft] = sandbox_posts(svc, "slider")
    assert draft["status"] == "SEND_TO_USER_INBOX"


def test_execute_at_schedules_and_an_idempotent_retry_posts_once(
    svc: RunningService, sandbox_api: httpx.Client, origin: str
) -> None:
    account = connect_account(sandbox_api, "pacer")
    later = int((time.time() + 3600) * 1000)
    body = {
        "profile_id": account["id"],
        "media_type": "video",
        "media_url": f"{origin}/media/clip.mp4",
        "execute_at": later,
    }
    key = {"Idempotency-Key": "algo-1"}
    first = sandbox_api.post(POSTS, json=body, headers=key)
    again = sandbox_api.post(POSTS, json=body, headers=key)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.json()["task_id"] == first.json()["task_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = sandbox_api.post(POSTS, json={**body, "execute_at": later + 1}, headers=key)
    assert changed.status_code == 422
    assert changed.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    task = sandbox_api.get(f"{POSTS}/{first.json()['task_id']}").json()
    assert (task["status"], task["tikpost_status"]) == ("processing", "scheduled")
    native = sandbox_api.get(f"/v1/posts/{task['task_id']}").json()
    assert native["scheduled_at"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(later / 1000)))
    assert len(sandbox_api.get("/v1/media").json()["items"]) == 1
    assert sandbox_posts(svc, "pacer") == []


def test_errors_have_algorhythms_shape(
    svc: RunningService,
    sandbox_api: httpx.Client,
    origin: str,
    create_api_key: Callable[[str], str],
) -> None:
    account = connect_account(sandbox_api, "strict")
    base = {"profile_id": account["id"], "media_type": "video"}
    missing = sandbox_api.post(POSTS, json=base)
    assert missing.status_code == 422
    [problem] = missing.json()["detail"]
    assert (problem["loc"], set(problem)) == (["body", "media_url"], {"loc", "msg", "type"})
    past = sandbox_api.post(
        POSTS, json={**base, "media_url": f"{origin}/media/clip.mp4", "execute_at": 1000}
    )
    assert past.status_code == 422
    assert past.json()["detail"][0]["loc"] == ["body", "execute_at"]
    ftp = sandbox_api.post(POSTS, json={**base, "media_url": "ftp://example.com/a.mp4"})
    assert (ftp.status_code, ftp.json()["detail"][0]["loc"]) == (422, ["body", "media_url"])
    bad_zip = sandbox_api.post(
        POSTS, json={**base, "media_type": "slideshow", "media_url": f"{origin}/media/clip.mp4"}
    )
    assert bad_zip.status_code == 422
    assert bad_zip.json()["detail"][0]["loc"] == ["body", "media_url"]
    unkeyed = httpx.post(f"{svc.url}{POSTS}", json=base)
    assert unkeyed.status_code == 401
    assert isinstance(unkeyed.json()["detail"], str)
    unknown = sandbox_api.get(f"{POSTS}/post_nope")
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Post not found"})
    made = sandbox_api.post(POSTS, json={**base, "media_url": f"{origin}/media/clip.mp4"})
    assert made.status_code == 200, made.text
    with svc.client(create_api_key("strangers")) as stranger:
        theirs = stranger.post(POSTS, json={**base, "media_url": f"{origin}/media/clip.mp4"})
        assert (theirs.status_code, theirs.json()) == (404, {"detail": "Profile not found"})
        hidden = stranger.get(f"{POSTS}/{made.json()['task_id']}")
        assert (hidden.status_code, hidden.json()) == (404, {"detail": "Post not found"})


def test_http_media_is_refused_without_private_urls(
    service_factory: Callable[..., Any], create_api_key: Callable[[str], str]
) -> None:
    with (
        service_factory(
            tiktok_client_key=None,
            tiktok_client_secret=None,
            tiktok_api_url="",
            tiktok_auth_url="",
            allow_private_urls=False,
        ) as running,
        running.client(create_api_key("acme")) as api,
    ):
        account = connect_account(api, "guarded")
        sent = api.post(
            POSTS,
            json={
                "profile_id": account["id"],
                "media_type": "video",
                "media_url": "http://example.com/clip.mp4",
            },
        )
        assert sent.status_code == 422
        assert sent.json()["detail"][0]["msg"] == "media_url: must be an https:// URL"
