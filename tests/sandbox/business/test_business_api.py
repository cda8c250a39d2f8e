"""TikTok's Business API in the sandbox over real HTTP: tokens, the envelope, publishing with a
sound (and the silent default), drafts, photos, limits, media checks, reads, operator views."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.business.helpers import (
    API,
    BusinessSandbox,
    client,
    first_clip,
    publish_video,
    wait_final,
)
from tikpost.sandbox.business.config import (
    DEFAULT_BUSINESS_CLIENT_ID,
    DEFAULT_BUSINESS_CLIENT_SECRET,
)

APP = {"client_id": DEFAULT_BUSINESS_CLIENT_ID, "client_secret": DEFAULT_BUSINESS_CLIENT_SECRET}


def test_auth_code_exchange_and_refresh(business: BusinessSandbox) -> None:
    account = business.account("token_flow")
    token_url = f"{business.url}{API}/tt_user/oauth2/token/"
    grant = {"grant_type": "authorization_code", "auth_code": account["auth_code"]}
    grant["redirect_uri"] = account["redirect_uri"]
    wrong = httpx.post(token_url, json={**APP, "client_secret": "nope", **grant})
    assert wrong.status_code == 200
    assert wrong.json()["code"] == 40101
    assert wrong.json()["request_id"]

    exchanged = httpx.post(token_url, json={**APP, **grant}).json()
    assert exchanged["code"] == 0
    assert exchanged["message"] == "OK"
    tokens = exchanged["data"]
    assert tokens["open_id"] == account["open_id"]
    assert tokens["expires_in"] == 86400
    assert tokens["refresh_token_expires_in"] == 365 * 86400
    assert set(tokens["scope"].split(",")) >= {"video.publish", "video.upload"}
    assert httpx.post(token_url, json={**APP, **grant}).json()["code"] == 40110  # used once

    refresh_url = f"{business.url}{API}/tt_user/oauth2/refresh_token/"
    body = {**APP, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    refreshed = httpx.post(refresh_url, json=body).json()
    assert refreshed["code"] == 0
    assert refreshed["data"]["refresh_token"] != tokens["refresh_token"]
    assert httpx.post(refresh_url, json=body).json()["code"] == 40110  # rotated away
    with client(business, refreshed["data"]["access_token"]) as api:
        settings = api.get("/business/video/settings/", params={"business_id": tokens["open_id"]})
    assert settings.json()["code"] == 0


def test_video_with_a_sound_publishes_at_the_volumes_given(business: BusinessSandbox) -> None:
    account = business.account("with_sound")
    open_id = account["open_id"]
    with client(business, account["access_token"]) as api:
        track = first_clip(api, open_id)
        clip_id = track["trending_song_clip"]["song_clip_id"]
        music = {
            "music_sound_id": clip_id,
            "music_sound_volume": 70,
            "video_original_sound_volume": 20,
            "music_sound_start": 1000,
        }
        answer = publish_video(
            api,
            open_id,
            f"{business.media}/good.mp4",
            caption="Sound on #sandbox",
            is_brand_organic=False,
            is_branded_content=False,
            music_sound_info=music,
        )
        assert answer["code"] == 0, answer
        share_id = answer["data"]["share_id"]
        assert share_id.startswith("v_pub_url~v1.")
        status = wait_final(api, open_id, share_id)
    assert status["status"] == "PUBLISH_COMPLETE"
    assert len(status["post_ids"]) == 1
    [post] = business.posts(open_id)
    assert post["audio"] == "mixed"
    assert post["sound"] == {
        "music_sound_id": clip_id,
        "commercial_music_id": track["commercial_music_id"],
        "title": track["commercial_music_name"],
        "clip_duration_ms": track["trending_song_clip"]["duration"] * 1000,
        "music_sound_volume": 70,
        "video_original_sound_volume": 20,
        "music_sound_start": 1000,
        "music_sound_end": 4000,  # the video's duration, TikTok's default
        "applied": True,
    }
    assert post["media"]["duration_ms"] == 4000
    assert post["media"]["fps"] == 30
    by_sound = business.operator.get("/_sandbox/business/posts", params={"music_sound_id": clip_id})
    assert [p["share_id"] for p in by_sound.json()["posts"]] == [share_id]


def test_a_sound_without_volumes_publishes_a_mute_post(business: BusinessSandbox) -> None:
    account = business.account("mute_default")
    open_id = account["open_id"]
    with client(business, account["access_token"]) as api:
        clip_id = first_clip(api, open_id, genre="POP")["trending_song_clip"]["song_clip_id"]
        answer = publish_video(
            api, open_id, f"{business.media}/good.mp4", music_sound_info={"music_sound_id": clip_id}
        )
        assert wait_final(api, open_id, answer["data"]["share_id"])["status"] == "PUBLISH_COMPLETE"
    [post] = business.posts(open_id)
    assert post["audio"] == "mute"
    assert post["sound"]["music_sound_volume"] == post["sound"]["video_original_sound_volume"] == 0


def test_refusals_are_http_200_with_a_code(business: BusinessSandbox) -> None:
    account = business.account("refusals")
    other = business.account("someone_else")
    open_id, video = account["open_id"], f"{business.media}/good.mp4"
    with client(business, account["access_token"]) as api:
        track = first_clip(api, open_id)

        def code(body: dict[str, object]) -> int:
            response = api.post("/business/video/publish/", json=body)
            assert response.status_code == 200, response.text
            assert response.json()["data"] == {}
            number: int = response.json()["code"]
            return number

        base = {"business_id": open_id, "video_url": video, "post_info": {}}
        assert code({**base, "business_id": other["open_id"]}) == 40001
        assert code({"business_id": open_id, "video_url": video}) == 40002  # post_info required
        assert code({**base, "video_url": "https://elsewhere.example/v.mp4"}) == 40002
        assert code({**base, "post_info": {"privacy_level": "SELF_ONLY"}}) == 40002
        assert code({**base, "post_info": {"caption": "x" * 2201}}) == 40002
        assert code({**base, "post_info": {"disable_comment": "no"}}) == 40002
        music = {"music_sound_id": track["commercial_music_id"]}  # a track id, not a clip id
        assert code({**base, "post_info": {"music_sound_info": music}}) == 51065
        clip = track["trending_song_clip"]["song_clip_id"]
        loud = {"music_sound_id": clip, "music_sound_volume": 101}
        assert code({**base, "post_info": {"music_sound_info": loud}}) == 40002
        backwards = {"music_sound_id": clip, "music_sound_start": 5000, "music_sound_end": 4000}
        assert code({**base, "post_info": {"music_sound_info": backwards}}) == 40002
        malformed = api.post(
            "/business/video/publish/", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert malformed.json()["code"] == 40002
    with client(business, "not-a-token") as api:
        answer = api.post("/business/video/publish/", json=base).json()
        assert answer["code"] == 40105
    assert business.posts(open_id) == []


def test_media_checks_fail_the_post_with_tiktoks_reasons(business: BusinessSandbox) -> None:
    account = business.account("media_checks")
    open_id = account["open_id"]
    with client(business, account["access_token"]) as api:
        low = publish_video(api, open_id, f"{business.media}/low_fps.mp4")["data"]["share_id"]
        gone = publish_video(api, open_id, f"{business.media}/missing.mp4")["data"]["share_id"]
        assert wait_final(api, open_id, low) == {
            "status": "FAILED",
            "reason": "frame_rate_check_failed",
            "post_ids": [],
        }
        assert wait_final(api, open_id, gone)["reason"] == "video_pull_failed"
        patched = business.operator.patch(
            "/_sandbox/config", json={"business": {"max_video_bytes": 1000}}
        )
        assert patched.status_code == 200
        try:
            big = publish_video(api, open_id, f"{business.media}/good.mp4")["data"]["share_id"]
            assert wait_final(api, open_id, big)["reason"] == "file_format_check_failed"
        finally:
            business.operator.patch("/_sandbox/config", json={"business": {}})
        [post] = [p for p in business.posts(open_id) if p["share_id"] == big]
        assert post["downloaded_bytes"] > 1000
        assert post["media"] is None


def test_draft_needs_video_upload_and_ignores_the_sound(business: BusinessSandbox) -> None:
    publish_only = business.account("publish_only", scope="user.info.basic,video.publish")
    account = business.account("drafts")
    open_id = account["open_id"]
    with client(business, publish_only["access_token"]) as api:
        refused = publish_video(
            api, publish_only["open_id"], f"{business.media}/good.mp4", upload_to_draft=True
        )
        assert refused["code"] == 40001
    with client(business, account["access_token"]) as api:
        ignored = {"music_sound_id": "not even a clip"}
        answer = publish_video(
            api,
            open_id,
            f"{business.media}/good.mp4",
            upload_to_draft=True,
            music_sound_info=ignored,
        )
        status = wait_final(api, open_id, answer["data"]["share_id"])
    assert status == {"status": "SEND_TO_USER_INBOX", "post_ids": []}
    [post] = business.posts(open_id)
    assert post["draft"]
    assert post["sound"] is None
    assert post["audio"] == "original"


def test_photos_publish_with_privacy_and_a_sound(business: BusinessSandbox) -> None:
    account = business.account("photos")
    open_id = account["open_id"]
    photos = [f"{business.media}/photo0.jpg", f"{business.media}/photo90.jpg"]
    with client(business, account["access_token"]) as api:
        clip_id = first_clip(api, open_id)["trending_song_clip"]["song_clip_id"]
        body = {
            "business_id": open_id,
            "photo_images": photos,
            "photo_cover_index": 1,
            "post_info": {"title": "Two photos", "caption": "and a track"},
        }
        assert api.post("/business/photo/publish/", json=body).json()["code"] == 40002  # privacy
        body["post_info"] |= {
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "music_sound_info": {"music_sound_id": clip_id},
        }
        answer = api.post("/business/photo/publish/", json=body).json()
        assert answer["code"] == 0
        assert answer["data"]["share_id"].startswith("p_pub_url~v1.")
        status = wait_final(api, open_id, answer["data"]["share_id"])
    assert status["status"] == "PUBLISH_COMPLETE"
    [post] = business.posts(open_id)
    assert post["media_type"] == "PHOTO"
    assert post["photo_cover_index"] == 1
    assert [photo["format"] for photo in post["photos"]] == ["jpeg", "jpeg"]
    assert post["audio"] == "music_only"
    assert post["sound"]["music_sound_id"] == clip_id


def test_video_settings_answer_like_creator_info(business: BusinessSandbox) -> None:
    account = business.account("settings")
    open_id = account["open_id"]
    patched = business.operator.patch(
        f"/_sandbox/business/accounts/{open_id}",
        json={"comment_disabled": True, "max_video_post_duration_sec": 180},
    )
    assert patched.status_code == 200
    with client(business, account["access_token"]) as api:
        answer = api.get("/business/video/settings/", params={"business_id": open_id}).json()
        assert answer["data"] == {
            "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
            "comment_disabled": True,
            "duet_disabled": False,
            "stitch_disabled": False,
            "max_video_post_duration_sec": 180,
        }
        refused = publish_video(api, open_id, f"{business.media}/good.mp4", disable_comment=False)
        assert refused["code"] == 40002
        status = api.get(
            "/business/publish/status/",
            params={"business_id": open_id, "publish_id": "v_pub_url~v1.1"},
        )
        assert status.json()["code"] == 40007


def test_trending_list_is_deterministic_and_filtered(business: BusinessSandbox) -> None:
    account = business.account("trending")
    open_id = account["open_id"]
    with client(business, account["access_token"]) as api:

        def tracks(**filters: str) -> list[dict[str, Any]]:
            answer = api.get(
                "/discovery/cml/trending_list/", params={"business_id": open_id, **filters}
            ).json()
            assert answer["code"] == 0, answer
            found: list[dict[str, Any]] = answer["data"]["list"]
            return found

        everything = tracks(date_range="90DAY")
        assert len(everything) == 24
        assert everything == tracks(date_range="90DAY")
        week = tracks()  # US, ALL, 7DAY: TikTok's defaults
        day = tracks(date_range="1DAY")
        assert 0 < len(day) < len(week) < len(everything)
        assert {t["commercial_music_id"] for t in day} <= {t["commercial_music_id"] for t in week}
        pop = tracks(genre="POP", date_range="90DAY")
        assert pop
        assert all("Pop" in t["genres"] for t in pop)
        japan = tracks(country_code="JP", date_range="90DAY")
        assert 0 < len(japan) < len(everything)
        assert all(t["trending_song_clip"] for t in everything)
        assert any(t["full_duration_song_clip"] is None for t in everything)
        for bad in ({"genre": "Folk"}, {"country_code": "us"}, {"date_range": "WEEK"}):
            answer = api.get(
                "/discovery/cml/trending_list/", params={"business_id": open_id, **bad}
            ).json()
            assert answer["code"] == 40002, bad


def test_six_posts_a_minute_and_fifteen_a_day(business: BusinessSandbox) -> None:
    """Last in the module: it moves the shared clock a day on."""
    account = business.account("limits")
    open_id, url = account["open_id"], f"{business.media}/missing.mp4"
    with client(business, account["access_token"]) as api:
        codes = [publish_video(api, open_id, url)["code"] for _ in range(7)]
        assert codes == [0] * 6 + [40100]
        business.operator.post("/_sandbox/clock/advance", json={"seconds": 61})
        codes = [publish_video(api, open_id, url)["code"] for _ in range(7)]
        assert codes == [0] * 6 + [40100]
        business.operator.post("/_sandbox/clock/advance", json={"seconds": 61})
        codes = [publish_video(api, open_id, url)["code"] for _ in range(4)]
        assert codes == [0] * 3 + [40100]  # 15 today, though this minute has room
        business.operator.post("/_sandbox/clock/advance", json={"seconds": 86400})
        refreshed = business.account("limits_later")  # the day's tokens have expired
    with client(business, refreshed["access_token"]) as api:
        assert publish_video(api, refreshed["open_id"], url)["code"] == 0
