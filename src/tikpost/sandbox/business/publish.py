"""`/business/video/publish/` and `/business/photo/publish/`: TikTok pulls from a verified URL.

Both answer a `share_id` at once; the pull, the media checks and the outcome follow, polled at
`/business/publish/status/`. Six publish calls a minute and fifteen a day per account.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Literal

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from tikpost.sandbox import rules
from tikpost.sandbox.business import processing, sound
from tikpost.sandbox.business.envelope import INVALID_PARAMS, RATE_LIMITED, BusinessError, ok
from tikpost.sandbox.business.guard import authenticate, check_v2, enter, json_object
from tikpost.sandbox.business.state import BusinessAccount, BusinessPost
from tikpost.sandbox.state import SandboxState

router = APIRouter(prefix="/open_api/v1.3/business")

VIDEO_BOOLEANS = (
    "is_brand_organic",
    "is_branded_content",
    "disable_comment",
    "disable_duet",
    "disable_stitch",
    "is_ai_generated",
    "upload_to_draft",
    "is_ads_only",
)
PHOTO_BOOLEANS = (
    "is_brand_organic",
    "is_branded_content",
    "disable_comment",
    "auto_add_music",
    "is_draft",
)
INTERACTIONS = {
    "disable_comment": "comment_disabled",
    "disable_duet": "duet_disabled",
    "disable_stitch": "stitch_disabled",
}


def _post_info(body: dict[str, Any]) -> dict[str, Any]:
    info = body.get("post_info")
    if not isinstance(info, dict):
        raise BusinessError(INVALID_PARAMS, "post_info: Missing data for required field.")
    return info


def _check_interactions(account: BusinessAccount, info: dict[str, Any]) -> None:
    """What the account turned off (video settings) may only stay off."""
    for field, setting in INTERACTIONS.items():
        if getattr(account, setting) and info.get(field) is False:
            raise BusinessError(
                INVALID_PARAMS, f"post_info.{field} must be true: the account has {setting}."
            )


def _check_limits(state: SandboxState, account: BusinessAccount) -> None:
    config, now = state.config.business, state.clock.now()
    window = state.business.publish_windows.setdefault(account.open_id, deque())
    while window and window[0] <= now - 60:
        window.popleft()
    if len(window) >= config.posts_per_minute:
        raise BusinessError(
            RATE_LIMITED, f"Too many requests: {config.posts_per_minute} posts a minute."
        )
    today = [p for p in state.business.posts_of(account.open_id) if p.created_at > now - rules.DAY]
    if len(today) >= config.posts_per_day:
        raise BusinessError(
            RATE_LIMITED, f"Too many requests: {config.posts_per_day} posts a day per account."
        )
    window.append(now)


def _new_post(
    state: SandboxState,
    account: BusinessAccount,
    media_type: Literal["VIDEO", "PHOTO"],
    info: dict[str, Any],
    draft: bool,
) -> BusinessPost:
    kind = "v_pub_url" if media_type == "VIDEO" else "p_pub_url"
    now = state.clock.now()
    post = BusinessPost(
        share_id=f"{kind}~v1.{state.next_number()}",
        open_id=account.open_id,
        media_type=media_type,
        post_info=info,
        created_at=now,
        updated_at=now,
        draft=draft,
    )
    state.business.posts[post.share_id] = post
    return post


@router.post("/video/publish/")
async def publish_video(request: Request) -> JSONResponse:
    state = await enter(request, "business/publish")
    body = await json_object(request)
    info = _post_info(body)
    draft = info.get("upload_to_draft") is True
    scope = "video.upload" if draft else "video.publish"
    _, account = authenticate(request, state, body.get("business_id"), scope)
    check_v2(rules.check_booleans, state, info, VIDEO_BOOLEANS)
    check_v2(rules.check_text, state, info, "caption", state.config.business.caption_max)
    if "privacy_level" in info:
        raise BusinessError(
            INVALID_PARAMS, "post_info.privacy_level is not a video field: videos are public."
        )
    offset = info.get("thumbnail_offset")
    if offset is not None and (
        not isinstance(offset, int) or isinstance(offset, bool) or offset < 0
    ):
        raise BusinessError(INVALID_PARAMS, "post_info.thumbnail_offset must be an integer ≥ 0.")
    # A draft ignores every other post_info field, its sound included.
    chosen = None
    if not draft:
        _check_interactions(account, info)
        if "music_sound_info" in info:
            chosen = sound.parse(info["music_sound_info"], with_volumes=True)
    url = check_v2(rules.check_url_ownership, state, body.get("video_url"))
    if body.get("custom_thumbnail_url") is not None:
        check_v2(rules.check_url_ownership, state, body["custom_thumbnail_url"])
    _check_limits(state, account)
    post = _new_post(state, account, "VIDEO", info, draft)
    post.video_url, post.sound = url, chosen
    processing.start(state, post, account.max_video_post_duration_sec)
    return ok({"share_id": post.share_id})


def _photo_source(state: SandboxState, body: dict[str, Any]) -> tuple[list[str], int]:
    urls = body.get("photo_images")
    limit = state.config.media_rules.max_photos
    if not isinstance(urls, list) or not 1 <= len(urls) <= limit:
        raise BusinessError(INVALID_PARAMS, f"photo_images must list 1 to {limit} URLs.")
    cover = body.get("photo_cover_index", 0)
    if not isinstance(cover, int) or isinstance(cover, bool) or not 0 <= cover < len(urls):
        raise BusinessError(INVALID_PARAMS, "photo_cover_index must index photo_images.")
    return [check_v2(rules.check_url_ownership, state, url) for url in urls], cover


@router.post("/photo/publish/")
async def publish_photos(request: Request) -> JSONResponse:
    """Photos, unlike videos, take a privacy_level among the account's options."""
    state = await enter(request, "business/publish")
    body = await json_object(request)
    info = _post_info(body)
    draft = info.get("is_draft") is True
    scope = "video.upload" if draft else "video.publish"
    _, account = authenticate(request, state, body.get("business_id"), scope)
    config = state.config.business
    check_v2(rules.check_booleans, state, info, PHOTO_BOOLEANS)
    check_v2(rules.check_text, state, info, "title", config.photo_title_max)
    check_v2(rules.check_text, state, info, "caption", config.photo_caption_max)
    chosen = None
    if not draft:
        if info.get("privacy_level") not in account.privacy_level_options:
            raise BusinessError(
                INVALID_PARAMS, "post_info.privacy_level must be one of the account's options."
            )
        _check_interactions(account, info)
        if "music_sound_info" in info:
            chosen = sound.parse(info["music_sound_info"], with_volumes=False)
    urls, cover = _photo_source(state, body)
    _check_limits(state, account)
    post = _new_post(state, account, "PHOTO", info, draft)
    post.photo_urls, post.photo_cover_index, post.sound = urls, cover, chosen
    processing.start(state, post, account.max_video_post_duration_sec)
    return ok({"share_id": post.share_id})
