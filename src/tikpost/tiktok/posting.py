"""Content Posting API calls made with one creator's access token.

One client per token keeps credentials out of call signatures and makes a refreshed token an
explicit new client, so a stale token can never be reused by accident.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import httpx

from tikpost.tiktok.base import EventHooks, HttpClientOwner
from tikpost.tiktok.errors import TikTokError, posting_error
from tikpost.tiktok.models import (
    CreatorInfo,
    InitResult,
    PhotoPostInfo,
    PostInfo,
    PublishStatus,
    UserInfo,
)
from tikpost.tiktok.responses import (
    json_object,
    parse_model,
    retry_after_of,
    transport_errors,
    undecodable,
)
from tikpost.tiktok.upload import ChunkPlan, plan_chunks

__all__ = ["DEFAULT_USER_FIELDS", "MAX_PHOTOS", "TikTokPostingClient", "decode_envelope"]

DEFAULT_USER_FIELDS = ("open_id", "union_id", "avatar_url", "display_name", "username")
MAX_PHOTOS = 35

USER_INFO_PATH = "/v2/user/info/"
CREATOR_INFO_PATH = "/v2/post/publish/creator_info/query/"
VIDEO_INIT_PATH = "/v2/post/publish/video/init/"
INBOX_VIDEO_INIT_PATH = "/v2/post/publish/inbox/video/init/"
CONTENT_INIT_PATH = "/v2/post/publish/content/init/"
STATUS_PATH = "/v2/post/publish/status/fetch/"
CANCEL_PATH = "/v2/post/publish/cancel/"

Mode = Literal["direct", "inbox"]


def decode_envelope(response: httpx.Response) -> dict[str, Any]:
    """Return `data` of a v2 envelope, raising for any `error.code` other than `ok`.

    HTTP 200 does not mean success: creator_info answers spam-risk codes with 200 on purpose.
    """
    body = json_object(response)
    if body is None:
        raise undecodable(response)
    error = body.get("error")
    data = body.get("data")
    data = data if isinstance(data, dict) else {}
    if isinstance(error, dict):
        code = str(error.get("code") or "ok")
        message = str(error.get("message") or "")
        log_id = error.get("log_id")
        log_id = str(log_id) if log_id else None
    elif isinstance(error, str) and error:
        # An OAuth-shaped body from a v2 endpoint: still a failure, keep its words.
        code, message = error, str(body.get("error_description") or "")
        log_id = str(body["log_id"]) if body.get("log_id") else None
    else:
        code, message, log_id = "ok", "", None
    if code != "ok":
        raise posting_error(
            code,
            message,
            log_id=log_id,
            http_status=response.status_code,
            retry_after=retry_after_of(response),
        )
    if not response.is_success:
        raise TikTokError(
            f"http_{response.status_code}",
            message or response.reason_phrase,
            log_id=log_id,
            http_status=response.status_code,
            retryable=response.status_code >= 500 or response.status_code == 429,
            retry_after=retry_after_of(response),
        )
    return data


class TikTokPostingClient(HttpClientOwner):
    """Creator info, init (video and photos), status and cancel for one access token.

    Every error, including HTTP 200 answers whose `error.code` is not `ok`, raises a
    `errors.TikTokError` subclass; nothing here retries, because whether a retry is safe (an init
    may already have created a post) is the caller's decision.
    """

    def __init__(
        self,
        api_url: str,
        access_token: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        event_hooks: EventHooks | None = None,
    ) -> None:
        super().__init__(api_url, http, timeout, event_hooks)
        self._headers = {"Authorization": f"Bearer {access_token}"}

    async def _post(
        self, path: str, body: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], httpx.Response]:
        # Serialised by hand so Content-Type carries the charset TikTok documents; no body at all
        # (not `{}`) where TikTok documents none, as for creator_info.
        content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {**self._headers, "Content-Type": "application/json; charset=UTF-8"}
        with transport_errors(path):
            response = await self._http.post(
                self._api_url + path, content=content, headers=headers, timeout=self._timeout
            )
            return decode_envelope(response), response

    async def user_info(self, fields: Sequence[str] = DEFAULT_USER_FIELDS) -> UserInfo:
        """The creator's profile; fields beyond the granted scopes are simply absent."""
        with transport_errors():
            response = await self._http.get(
                self._api_url + USER_INFO_PATH,
                params={"fields": ",".join(fields)},
                headers=self._headers,
                timeout=self._timeout,
            )
        data = decode_envelope(response)
        return parse_model(UserInfo, data.get("user", data), response)

    async def creator_info(self) -> CreatorInfo:
        """Whether and how the creator can post now (privacy options, toggles, max duration)."""
        return parse_model(CreatorInfo, *await self._post(CREATOR_INFO_PATH))

    async def init_video(
        self,
        *,
        mode: Mode,
        post_info: PostInfo | None,
        video_size: int | None = None,
        chunk_plan: ChunkPlan | None = None,
        video_url: str | None = None,
    ) -> InitResult:
        """Start a video post: FILE_UPLOAD when a size or plan is given, else PULL_FROM_URL.

        `direct` publishes with `post_info`; `inbox` sends a draft to the creator's inbox and
        sends no `post_info`, which TikTok's inbox endpoint does not document. A bare
        `video_size` is planned with `plan_chunks` defaults; the plan used is on the result.
        """
        if mode not in ("direct", "inbox"):
            raise ValueError(f"mode must be 'direct' or 'inbox', not {mode!r}")
        if video_url is not None and (chunk_plan is not None or video_size is not None):
            raise ValueError(
                "give video_url (PULL_FROM_URL) or a size/plan (FILE_UPLOAD), not both"
            )
        if chunk_plan is None and video_size is not None:
            chunk_plan = plan_chunks(video_size)
        if chunk_plan is not None and video_size not in (None, chunk_plan.video_size):
            raise ValueError("video_size disagrees with chunk_plan.video_size")

        source_info: dict[str, Any]
        if chunk_plan is not None:
            source_info = {
                "source": "FILE_UPLOAD",
                "video_size": chunk_plan.video_size,
                "chunk_size": chunk_plan.chunk_size,
                "total_chunk_count": chunk_plan.total_chunk_count,
            }
        elif video_url is not None:
            source_info = {"source": "PULL_FROM_URL", "video_url": video_url}
        else:
            raise ValueError("give video_url, video_size or chunk_plan")

        body: dict[str, Any] = {"source_info": source_info}
        if mode == "direct":
            if post_info is None:
                raise ValueError("a direct post needs post_info (privacy_level at least)")
            body["post_info"] = post_info.to_api()
            path = VIDEO_INIT_PATH
        else:
            path = INBOX_VIDEO_INIT_PATH
        data, response = await self._post(path, body)
        return parse_model(InitResult, {**data, "chunk_plan": chunk_plan}, response)

    async def init_photos(
        self,
        *,
        mode: Mode,
        post_info: PhotoPostInfo,
        photo_urls: Sequence[str],
        cover_index: int = 0,
    ) -> InitResult:
        """Start a photo carousel; TikTok pulls every image from a verified URL."""
        if mode not in ("direct", "inbox"):
            raise ValueError(f"mode must be 'direct' or 'inbox', not {mode!r}")
        if not photo_urls:
            raise ValueError("at least one photo URL is required")
        if not 0 <= cover_index < len(photo_urls):
            raise ValueError(f"cover_index {cover_index} outside 0..{len(photo_urls) - 1}")
        body = {
            "media_type": "PHOTO",
            "post_mode": "DIRECT_POST" if mode == "direct" else "MEDIA_UPLOAD",
            "post_info": post_info.to_api(),
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_images": list(photo_urls),
                "photo_cover_index": cover_index,
            },
        }
        return parse_model(InitResult, *await self._post(CONTENT_INIT_PATH, body))

    async def fetch_status(self, publish_id: str) -> PublishStatus:
        """Where a publish task stands; poll with backoff (30 requests/minute per token)."""
        return parse_model(
            PublishStatus, *await self._post(STATUS_PATH, {"publish_id": publish_id})
        )

    async def cancel(self, publish_id: str) -> None:
        """Best-effort stop of an ongoing PULL_FROM_URL download."""
        await self._post(CANCEL_PATH, {"publish_id": publish_id})
