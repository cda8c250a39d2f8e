"""Accounts API calls for one business account: publish (video or photos), status, settings,
and the Commercial Music Library's trending list.

One client per token and `business_id`, as the Content Posting client is one per token: a
refreshed token is an explicit new client. Nothing here retries: a publish that may have
reached TikTok must not be sent again blindly, and that is the caller's decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from tikpost.tiktok.base import EventHooks, HttpClientOwner
from tikpost.tiktok.business.envelope import decode
from tikpost.tiktok.business.models import (
    BusinessPhotoPostInfo,
    BusinessPostInfo,
    BusinessProfile,
    BusinessPublishStatus,
    TrendingTrack,
    VideoSettings,
)
from tikpost.tiktok.business.oauth import API_PREFIX
from tikpost.tiktok.errors import TikTokError
from tikpost.tiktok.responses import parse_model, transport_errors

VIDEO_PUBLISH_PATH = f"{API_PREFIX}/business/video/publish/"
PHOTO_PUBLISH_PATH = f"{API_PREFIX}/business/photo/publish/"
STATUS_PATH = f"{API_PREFIX}/business/publish/status/"
SETTINGS_PATH = f"{API_PREFIX}/business/video/settings/"
PROFILE_PATH = f"{API_PREFIX}/business/get/"
PROFILE_FIELDS = '["username","display_name","profile_image"]'
TRENDING_PATH = f"{API_PREFIX}/discovery/cml/trending_list/"
MAX_PHOTOS = 35


class BusinessAccountClient(HttpClientOwner):
    """Every error, HTTP 200 answers with a non-zero `code` included, raises a
    `errors.TikTokError` subclass (see `tiktok.business.envelope`)."""

    def __init__(
        self,
        api_url: str,
        access_token: str,
        business_id: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        event_hooks: EventHooks | None = None,
    ) -> None:
        super().__init__(api_url, http, timeout, event_hooks)
        self._headers = {"Access-Token": access_token}
        self.business_id = business_id

    async def _get(
        self, path: str, params: dict[str, str]
    ) -> tuple[dict[str, Any], httpx.Response]:
        with transport_errors(path):
            response = await self._http.get(
                self._api_url + path,
                params={"business_id": self.business_id, **params},
                headers=self._headers,
                timeout=self._timeout,
            )
            return decode(response), response

    async def _post(self, path: str, body: dict[str, Any]) -> str:
        content = json.dumps({"business_id": self.business_id, **body}).encode()
        headers = {**self._headers, "Content-Type": "application/json"}
        with transport_errors(path):
            response = await self._http.post(
                self._api_url + path, content=content, headers=headers, timeout=self._timeout
            )
            share_id = decode(response).get("share_id")
            if not isinstance(share_id, str) or not share_id:
                raise TikTokError("invalid_response", "No share_id in the answer.", http_status=200)
            return share_id

    async def profile(self) -> BusinessProfile:
        """The account's username and display name (`fields` is a JSON list, as TikTok's)."""
        return parse_model(
            BusinessProfile, *await self._get(PROFILE_PATH, {"fields": PROFILE_FIELDS})
        )

    async def video_settings(self) -> VideoSettings:
        """Privacy options, the toggles the account turned off, and its longest video."""
        return parse_model(VideoSettings, *await self._get(SETTINGS_PATH, {}))

    async def trending_sounds(
        self, *, country_code: str = "US", genre: str = "ALL", date_range: str = "7DAY"
    ) -> list[TrendingTrack]:
        """Up to 100 trending tracks; TikTok offers no search or paging, only these filters."""
        params = {"country_code": country_code, "genre": genre, "date_range": date_range}
        data, response = await self._get(TRENDING_PATH, params)
        found = data.get("list") or []
        if not isinstance(found, list):
            raise TikTokError("invalid_response", "list is not a list.", http_status=200)
        return [parse_model(TrendingTrack, item, response) for item in found]

    async def publish_video(
        self,
        video_url: str,
        post_info: BusinessPostInfo,
        *,
        custom_thumbnail_url: str | None = None,
    ) -> str:
        """TikTok pulls `video_url` (a verified URL property); returns the `share_id`, which
        is the publish_id to poll. Publishes once per call: never resend on a doubt."""
        body: dict[str, Any] = {"video_url": video_url, "post_info": post_info.to_api()}
        if custom_thumbnail_url is not None:
            body["custom_thumbnail_url"] = custom_thumbnail_url
        return await self._post(VIDEO_PUBLISH_PATH, body)

    async def publish_photos(
        self,
        photo_urls: Sequence[str],
        post_info: BusinessPhotoPostInfo,
        *,
        cover_index: int = 0,
    ) -> str:
        if not 1 <= len(photo_urls) <= MAX_PHOTOS:
            raise ValueError(f"give 1 to {MAX_PHOTOS} photo URLs")
        if not 0 <= cover_index < len(photo_urls):
            raise ValueError(f"cover_index {cover_index} outside 0..{len(photo_urls) - 1}")
        body = {
            "photo_images": list(photo_urls),
            "photo_cover_index": cover_index,
            "post_info": post_info.to_api(),
        }
        return await self._post(PHOTO_PUBLISH_PATH, body)

    async def publish_status(self, publish_id: str) -> BusinessPublishStatus:
        """Where a share_id stands; poll until `is_final`."""
        data, response = await self._get(STATUS_PATH, {"publish_id": publish_id})
        return parse_model(BusinessPublishStatus, data, response)
