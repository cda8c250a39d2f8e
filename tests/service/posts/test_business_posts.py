"""Business accounts end to end on the embedded sandbox: connected through the Business API app,
their trending sounds, and videos published through the Business API with the sound and the
volumes given; the rules that differ from the Content Posting API, as 422s naming the field."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import connect_account, operator, upload, wait_final
from tests.support.api import Api
from tests.support.processes import stored_tokens
from tests.support.waiting import poll
from tikpost.accounts.models import Account
from tikpost.kit.db import sync_url
from tikpost.posts.models import Post

pytestmark = SQLITE_ONLY


def business_posts(service: RunningService, open_id: str) -> list[dict[str, Any]]:
    """What the sandbox's Business API published for the account, as its operator sees it."""
    with operator(service) as op:
        listed: list[dict[str, Any]] = op.get(f"/business/accounts/{open_id}/posts").json()["posts"]
        return listed


def first_sound(api: httpx.Client, account_id: str, **params: str) -> dict[str, Any]:
    response = api.get(f"/v1/accounts/{account_id}/sounds", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    assert items, response.text
    return items[0]


def refused(response: httpx.Response, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error


def test_a_business_account_connects_and_lists_trending_sounds(
    svc: RunningService, sandbox_api: httpx.Client
) -> None:
    account = Api(sandbox_api).connect_business("brand_studio")
    assert account["api"] == "business"
    assert account["username"] == "brand_studio"
    assert account["status"] == "ready"

    info = sandbox_api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert info.status_code == 200, info.text
    assert info.json()["creator_username"] == "brand_studio"
    assert info.json()["privacy_level_options"] == ["PUBLIC_TO_EVERYONE"]

    listed = sandbox_api.get(f"/v1/accounts/{account['id']}/sounds").json()["items"]
    assert listed
    assert all(sound["id"] and sound["name"] for sound in listed)
    # Every item is a publishable clip, never the track's own id.
    assert all(sound["id"] != sound["track_id"] for sound in listed)
    pop = sandbox_api.get(f"/v1/accounts/{account['id']}/sounds", params={"genre": "POP"})
    assert pop.status_code == 200, pop.text
    assert pop.json()["items"]
    assert all("POP" in [g.upper() for g in s["genres"]] for s in pop.json()["items"])
    wanted = listed[0]["name"].split()[0].upper()
    searched = sandbox_api.get(f"/v1/accounts/{account['id']}/sounds", params={"q": wanted})
    found = searched.json()["items"]
    assert found
    assert all(wanted.casefold() in s["name"].casefold() for s in found)

    refused(
        sandbox_api.get(f"/v1/accounts/{account['id']}/sounds", params={"country_code": "usa"}),
        422,
        "validation_error",
        "country_code",
    )
    refused(
        sandbox_api.get(f"/v1/accounts/{account['id']}/sounds", params={"genre": "POLKA"}),
        422,
        "invalid_sound_filter",
        "genre",
    )
    creator = connect_account(sandbox_api, "plain_creator")
    assert creator["api"] == "content_posting"
    refused(
        sandbox_api.get(f"/v1/accounts/{creator['id']}/sounds"),
        409,
        "not_a_business_account",
        "id",
    )


def test_a_video_with_a_sound_publishes_through_the_business_api_with_its_volumes(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    api = Api(sandbox_api)
    account = api.connect_business("sound_brand")
    sound = first_sound(sandbox_api, account["id"])
    media = upload(sandbox_api, videos.good)
    created = api.post(
        account_id=account["id"],
        video=media["id"],
        title="Launch day #new",
        sound={"id": sound["id"], "volume": 80, "original_volume": 10},
    )
    assert created["api"] == "business"
    # Business API videos are public: the privacy was filled in, not left for review.
    assert created["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert created["status"] == "queued"
    final = wait_final(sandbox_api, created["id"])
    assert final["status"] == "published", final["error"]
    assert final["sound"] == {
        "id": sound["id"],
        "volume": 80,
        "original_volume": 10,
        "start_ms": None,
        "end_ms": None,
    }
    assert (
        final["post_url"] == f"https://www.tiktok.com/@sound_brand/video/{final['tiktok_post_id']}"
    )
    assert any("with sound" in event["message"] for event in final["events"])

    [published] = business_posts(svc, account["open_id"])
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["share_id"] == final["publish_id"]
    assert published["post_info"]["caption"] == "Launch day #new"
    assert published["media"]["sha256"] == media["sha256"]
    heard = published["sound"]
    assert heard["music_sound_id"] == sound["id"]
    assert (heard["music_sound_volume"], heard["video_original_sound_volume"]) == (80, 10)
    assert heard["applied"]


def test_a_sound_named_alone_is_heard_not_muted(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    """TikTok defaults both volumes to 0; tikpost always sends its own defaults (50, 50)."""
    api = Api(sandbox_api)
    account = api.connect_business("default_volumes")
    sound = first_sound(sandbox_api, account["id"], genre="ROCK")
    media = upload(sandbox_api, videos.good)
    created = api.post(account_id=account["id"], video=media["id"], sound={"id": sound["id"]})
    assert wait_final(sandbox_api, created["id"])["status"] == "published"
    [published] = business_posts(svc, account["open_id"])
    assert published["sound"]["music_sound_volume"] == 50
    assert published["sound"]["video_original_sound_volume"] == 50
    assert published["audio"] != "muted"

    # A track's id is not a clip's: TikTok refuses it, and the post says what to use.
    wrong = api.post(account_id=account["id"], video=media["id"], sound={"id": sound["track_id"]})
    failed = wait_final(sandbox_api, wrong["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "sound_rejected", failed["error"]
    assert len(business_posts(svc, account["open_id"])) == 1


def test_a_business_accounts_tokens_are_refreshed_at_the_business_api(
    svc: RunningService, sandbox_api: httpx.Client
) -> None:
    """TikTok refuses the access token: tikpost refreshes it with the Business API app's own
    refresh call, keeps the rotated pair, and a dead refresh token asks for a reconnect."""
    account = Api(sandbox_api).connect_business("rotating_brand")
    secret = svc.settings.secret_key.get_secret_value()

    def tokens() -> tuple[str, str]:
        return stored_tokens(svc.settings.database_url, secret)[account["id"]]

    def expire(**token: str) -> None:
        with operator(svc) as op:
            op.post("/business/tokens/expire", json=token).raise_for_status()

    access, refresh = tokens()
    expire(access_token=access)
    assert sandbox_api.get(f"/v1/accounts/{account['id']}/sounds").status_code == 200
    new_access, new_refresh = tokens()
    assert new_access != access
    assert new_refresh != refresh  # rotated: the old one died at the sandbox

    expire(access_token=new_access)
    expire(refresh_token=new_refresh)
    refused(
        sandbox_api.get(f"/v1/accounts/{account['id']}/sounds"),
        409,
        "account_reauth_required",
        None,
    )
    again = sandbox_api.get(f"/v1/accounts/{account['id']}").json()
    assert again["status"] == "reauth_required"
    assert again["api"] == "business"


def _sent_today(service: RunningService, account_id: str, count: int) -> None:
    """`count` posts of the account that reached TikTok in the last hours, as rows: posting
    them for real would take TikTok's six-a-minute pace for minutes."""
    engine = create_engine(sync_url(service.settings.database_url))
    try:
        with Session(engine) as session, session.begin():
            team_id = session.get(Account, account_id).team_id  # type: ignore[union-attr]
            for n in range(count):
                session.add(
                    Post(
                        team_id=team_id,
                        account_id=account_id,
                        status="published",
                        mode="direct",
                        api="business",
                        publish_id=f"v_pub_url~v1.earlier{n}",
                    )
                )
    finally:
        engine.dispose()


def test_a_business_account_over_tiktoks_posts_a_day_waits_or_fails(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    """TikTok allows 15 posts a day per business account and answers one more with the code
    of any throttling; tikpost counts, and the 16th waits for the window or fails at once."""
    api = Api(sandbox_api)
    account = api.connect_business("busy_brand")
    _sent_today(svc, account["id"], 15)
    media = upload(sandbox_api, videos.good)
    failing = api.post(account_id=account["id"], video=media["id"], on_cap="fail")
    failed = wait_final(sandbox_api, failing["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "daily_post_cap", failed["error"]
    assert "15 a day" in failed["error"]["message"]
    waiting = api.post(account_id=account["id"], video=media["id"])

    def told_to_wait() -> dict[str, Any] | None:
        now = api.get_post(waiting["id"])
        said = any("daily limit" in event["message"] for event in now["events"])
        return now if said else None

    held = poll(told_to_wait, 30, interval=0.2)
    assert held is not None, api.get_post(waiting["id"])
    assert held["status"] == "queued"
    assert business_posts(svc, account["open_id"]) == []


def test_what_the_business_api_cannot_publish_is_refused_up_front(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    api = Api(sandbox_api)
    business = api.connect_business("strict_brand")
    creator = connect_account(sandbox_api, "strict_creator")
    media = upload(sandbox_api, videos.good)

    def create(**body: Any) -> httpx.Response:
        return sandbox_api.post("/v1/posts", json={"video": media["id"], **body})

    refused(
        create(account_id=creator["id"], privacy_level="SELF_ONLY", sound={"id": "123"}),
        422,
        "sound_needs_business_account",
        "sound",
    )
    refused(
        create(account_id=business["id"], privacy_level="SELF_ONLY"),
        422,
        "business_videos_are_public",
        "privacy_level",
    )
    refused(
        create(account_id=business["id"], mode="draft", sound={"id": "123"}),
        422,
        "sound_not_for_drafts",
        "sound",
    )
    photo = sandbox_api.post(
        "/v1/posts", json={"account_id": business["id"], "photos": [media["id"]]}
    )
    refused(photo, 422, "photos_not_supported_for_business", "photos")
    for bad in ({"id": ""}, {"id": "1", "volume": 101}, {"id": "1", "start_ms": 5, "end_ms": 5}):
        response = create(account_id=business["id"], sound=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"]["field"].startswith("sound"), response.text
    # Nothing of all that reached TikTok.
    assert business_posts(svc, business["open_id"]) == []


def test_a_business_draft_goes_to_the_creators_drafts(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    api = Api(sandbox_api)
    account = api.connect_business("draft_brand")
    media = upload(sandbox_api, videos.good)
    created = api.post(account_id=account["id"], video=media["id"], mode="draft")
    final = wait_final(sandbox_api, created["id"])
    assert final["status"] == "in_inbox", final["error"]
    [sent] = business_posts(svc, account["open_id"])
    assert sent["draft"] is True
    assert sent["post_info"]["upload_to_draft"] is True
    assert sent["sound"] is None


def test_a_held_business_post_changes_its_sound_in_review(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    """PATCH on a post awaiting review: a new sound, or none; a private level is refused as
    at creation."""
    api = Api(sandbox_api)
    account = api.connect_business("review_brand")
    first, second = sandbox_api.get(f"/v1/accounts/{account['id']}/sounds").json()["items"][:2]
    media = upload(sandbox_api, videos.good)
    held = api.post(
        account_id=account["id"], video=media["id"], sound={"id": first["id"]}, review="required"
    )
    assert held["status"] == "awaiting_review"
    edited = sandbox_api.patch(
        f"/v1/posts/{held['id']}", json={"sound": {"id": second["id"], "volume": 30}}
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["sound"]["id"], edited.json()["sound"]["volume"]) == (second["id"], 30)
    refused(
        sandbox_api.patch(f"/v1/posts/{held['id']}", json={"privacy_level": "SELF_ONLY"}),
        422,
        "business_videos_are_public",
        "privacy_level",
    )
    cleared = sandbox_api.patch(f"/v1/posts/{held['id']}", json={"sound": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["sound"] is None
    approved = sandbox_api.post(f"/v1/posts/{held['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert wait_final(sandbox_api, held["id"])["status"] == "published"
    [sent] = business_posts(svc, account["open_id"])
    assert sent["sound"] is None
