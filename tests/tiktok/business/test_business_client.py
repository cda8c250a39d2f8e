"""tikpost's Business API client against the sandbox over real HTTP: tokens, a video with a
sound at the volumes given, photos, settings, the trending list, and every refusal as the
`tikpost.tiktok.errors` class a caller already handles."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import ValidationError

from tests.sandbox.business.helpers import BusinessSandbox
from tikpost.sandbox.business.config import (
    DEFAULT_BUSINESS_CLIENT_ID,
    DEFAULT_BUSINESS_CLIENT_SECRET,
    DEFAULT_BUSINESS_REDIRECT_URI,
)
from tikpost.tiktok import errors
from tikpost.tiktok.business import (
    BusinessAccountClient,
    BusinessPhotoPostInfo,
    BusinessPostInfo,
    BusinessPublishStatus,
    MusicSoundInfo,
    PhotoSound,
    TikTokBusinessApp,
)


def app_for(business: BusinessSandbox, http: httpx.AsyncClient | None = None) -> TikTokBusinessApp:
    return TikTokBusinessApp(
        client_id=DEFAULT_BUSINESS_CLIENT_ID,
        client_secret=DEFAULT_BUSINESS_CLIENT_SECRET,
        redirect_uri=DEFAULT_BUSINESS_REDIRECT_URI,
        api_url=business.url,
        http=http,
    )


async def final_status(client: BusinessAccountClient, share_id: str) -> BusinessPublishStatus:
    """Poll as the service would, fast: the sandbox's processing delay is 50 ms."""
    async with asyncio.timeout(30):
        while not (status := await client.publish_status(share_id)).is_final:
            await asyncio.sleep(0.05)
    return status


async def test_code_exchange_refresh_and_their_errors(business: BusinessSandbox) -> None:
    account = business.account("client_tokens")
    async with httpx.AsyncClient() as http:
        oauth = app_for(business, http).oauth_client()
        tokens = await oauth.exchange_code(account["auth_code"], DEFAULT_BUSINESS_REDIRECT_URI)
        assert tokens.open_id == account["open_id"]
        assert "video.publish" in tokens.scope
        with pytest.raises(errors.InvalidGrant) as used:
            await oauth.exchange_code(account["auth_code"], DEFAULT_BUSINESS_REDIRECT_URI)
        assert used.value.http_status == 200
        assert "[40110]" in used.value.message
        refreshed = await oauth.refresh(tokens.refresh_token)
        assert refreshed.refresh_token != tokens.refresh_token
        with pytest.raises(errors.InvalidGrant):
            await oauth.refresh(tokens.refresh_token)
    wrong = TikTokBusinessApp("nope", "nope", DEFAULT_BUSINESS_REDIRECT_URI, api_url=business.url)
    async with wrong.oauth_client() as oauth:
        with pytest.raises(errors.InvalidClient):
            await oauth.refresh(refreshed.refresh_token)


async def test_a_video_publishes_with_the_sound_and_volumes_given(
    business: BusinessSandbox,
) -> None:
    account = business.account("client_sound")
    app = app_for(business)
    async with app.account_client(account["access_token"], account["open_id"]) as client:
        settings = await client.video_settings()
        assert settings.max_video_post_duration_sec == 600
        [track, *_] = await client.trending_sounds(genre="POP", date_range="30DAY")
        clip = track.clips[0]
        info = BusinessPostInfo(
            caption="With a trending sound",
            disable_duet=True,
            music_sound_info=MusicSoundInfo(
                music_sound_id=clip.song_clip_id,
                music_sound_volume=60,
                video_original_sound_volume=40,
                music_sound_end=3000,
            ),
        )
        share_id = await client.publish_video(f"{business.media}/good.mp4", info)
        status = await final_status(client, share_id)
    assert status.is_complete
    assert status.post_ids
    [post] = business.posts(account["open_id"])
    assert post["post_info"]["is_brand_organic"] is False  # sent explicitly
    assert post["audio"] == "mixed"
    assert post["sound"]["music_sound_id"] == clip.song_clip_id
    assert (post["sound"]["music_sound_volume"], post["sound"]["video_original_sound_volume"]) == (
        60,
        40,
    )
    assert post["sound"]["music_sound_end"] == 3000


async def test_photos_publish_with_privacy_and_a_clip(business: BusinessSandbox) -> None:
    account = business.account("client_photos")
    async with app_for(business).account_client(
        account["access_token"], account["open_id"]
    ) as client:
        [track, *_] = await client.trending_sounds()
        info = BusinessPhotoPostInfo(
            title="Carousel",
            privacy_level="PUBLIC_TO_EVERYONE",
            music_sound_info=PhotoSound(music_sound_id=track.clips[-1].song_clip_id),
        )
        photos = [f"{business.media}/photo0.jpg", f"{business.media}/photo90.jpg"]
        share_id = await client.publish_photos(photos, info, cover_index=1)
        assert (await final_status(client, share_id)).is_complete
        with pytest.raises(ValueError, match="cover_index"):
            await client.publish_photos(photos, info, cover_index=2)


async def test_refusals_raise_the_classes_callers_already_handle(
    business: BusinessSandbox,
) -> None:
    account = business.account("client_refusals")
    other = business.account("client_other")
    open_id, video = account["open_id"], f"{business.media}/good.mp4"
    app = app_for(business)
    async with app.account_client("not-a-token", open_id) as client:
        with pytest.raises(errors.AccessTokenInvalid) as bad_token:
            await client.video_settings()
        assert bad_token.value.http_status == 200
        assert not bad_token.value.retryable
    async with app.account_client(account["access_token"], other["open_id"]) as client:
        with pytest.raises(errors.ScopeNotAuthorized):
            await client.trending_sounds()
    async with app.account_client(account["access_token"], open_id) as client:
        with pytest.raises(errors.InvalidParams):
            await client.publish_video("https://unverified.example/v.mp4", BusinessPostInfo())
        with pytest.raises(errors.InvalidParams):
            await client.trending_sounds(genre="polka")
        [track, *_] = await client.trending_sounds()
        by_track = MusicSoundInfo(
            music_sound_id=track.commercial_music_id,
            music_sound_volume=50,
            video_original_sound_volume=50,
        )
        with pytest.raises(errors.TikTokError) as wrong_id:
            await client.publish_video(video, BusinessPostInfo(music_sound_info=by_track))
        assert wrong_id.value.code == "business_51065"
        assert not wrong_id.value.retryable
        with pytest.raises(errors.InvalidPublishId):
            await client.publish_status("v_pub_url~v1.404")
        for _ in range(6):
            await client.publish_video(f"{business.media}/missing.mp4", BusinessPostInfo())
        with pytest.raises(errors.RateLimitExceeded) as throttled:
            await client.publish_video(video, BusinessPostInfo())
        assert throttled.value.retryable


def test_the_models_make_the_silent_defaults_explicit() -> None:
    with pytest.raises(ValidationError):
        MusicSoundInfo(music_sound_id="7300")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        MusicSoundInfo(
            music_sound_id="7300",
            music_sound_volume=50,
            video_original_sound_volume=101,
        )
    with pytest.raises(ValidationError, match="after music_sound_start"):
        MusicSoundInfo(
            music_sound_id="7300",
            music_sound_volume=50,
            video_original_sound_volume=0,
            music_sound_start=2000,
            music_sound_end=2000,
        )
    sound = MusicSoundInfo(
        music_sound_id="7300", music_sound_volume=0, video_original_sound_volume=0
    )
    with pytest.raises(ValidationError, match="draft"):
        BusinessPostInfo(upload_to_draft=True, music_sound_info=sound)
    body = BusinessPostInfo(music_sound_info=sound).to_api()
    assert body == {
        "is_brand_organic": False,
        "is_branded_content": False,
        "music_sound_info": {
            "music_sound_id": "7300",
            "music_sound_volume": 0,
            "video_original_sound_volume": 0,
        },
    }


async def test_an_injected_outage_is_a_retryable_internal_error(business: BusinessSandbox) -> None:
    account = business.account("client_outage")
    fault = {"endpoint": "business/publish", "error_rate": 1.0, "status": 503}
    business.operator.post("/_sandbox/faults", json=fault).raise_for_status()
    try:
        async with app_for(business).account_client(
            account["access_token"], account["open_id"]
        ) as client:
            with pytest.raises(errors.InternalError) as outage:
                await client.publish_video(f"{business.media}/good.mp4", BusinessPostInfo())
            assert outage.value.http_status == 503
            assert outage.value.retryable
            assert (await client.video_settings()).max_video_post_duration_sec == 600
    finally:
        business.operator.delete("/_sandbox/faults").raise_for_status()
    assert business.posts(account["open_id"]) == []
