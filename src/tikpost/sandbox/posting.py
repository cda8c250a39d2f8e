"""TikTok's Content Posting endpoints: creator info, the three inits, status fetch, cancel."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from tikpost.sandbox import processing, rules
from tikpost.sandbox.errors import ApiError, api_response, envelope
from tikpost.sandbox.guard import (
    authenticate,
    enforce_rate_limit,
    inject_fault,
    invalid_params,
    json_body,
    state_of,
)
from tikpost.sandbox.state import Creator, Post, SandboxState, Token, Upload
from tikpost.sandbox.upload import UPLOAD_PATH

router = APIRouter(prefix="/v2/post/publish")

VIDEO_BOOLEANS = (
    "disable_duet",
    "disable_stitch",
    "disable_comment",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
)
PHOTO_BOOLEANS = (
    "disable_comment",
    "brand_content_toggle",
    "brand_organic_toggle",
    "auto_add_music",
)


async def _enter(
    request: Request, endpoint: str, limit: int, *scopes: str
) -> tuple[SandboxState, Token, Creator]:
    state = state_of(request)
    await inject_fault(state, endpoint)
    token, creator = authenticate(request, state, *scopes)
    enforce_rate_limit(state, token, endpoint, limit)
    return state, token, creator


@router.post("/creator_info/query/")
async def creator_info(request: Request) -> JSONResponse:
    state, _, creator = await _enter(
        request, "creator_info", state_of(request).config.rate_limits.creator_info, "video.publish"
    )
    status = state.config.creator_info_error_status
    try:
        rules.check_can_post(state, creator)
        if rules.daily_posts(state, creator) >= state.config.daily_post_cap:
            raise ApiError(
                status, "spam_risk_too_many_posts", "The user has reached the daily cap."
            )
        if rules.active_user_cap_reached(state, creator):
            raise ApiError(
                status, "reached_active_user_cap", "The client's daily quota is reached."
            )
    except ApiError as exc:
        # TikTok answers these with HTTP 200 on purpose; only error.code tells the caller.
        return JSONResponse(envelope({}, exc.code, exc.message), status_code=status)
    return api_response(
        {
            "creator_avatar_url": creator.avatar_url,
            "creator_username": creator.username,
            "creator_nickname": creator.nickname,
            "privacy_level_options": creator.privacy_level_options,
            "comment_disabled": creator.comment_disabled,
            "duet_disabled": creator.duet_disabled or creator.is_private,
            "stitch_disabled": creator.stitch_disabled or creator.is_private,
            "max_video_post_duration_sec": creator.max_video_post_duration_sec,
        }
    )


@router.post("/video/init/")
async def direct_video_init(request: Request) -> JSONResponse:
    limit = state_of(request).config.rate_limits.video_init
    state, token, creator = await _enter(request, "video/init", limit, "video.publish")
    body = await json_body(request, state)
    info = rules.post_info_of(state, body, required=True)
    rules.check_text(state, info, "title", rules.VIDEO_TITLE_MAX)
    rules.check_booleans(state, info, VIDEO_BOOLEANS)
    _check_cover_timestamp(state, info)
    source = _source_info(state, body)
    privacy = rules.check_privacy(state, creator, info)
    rules.check_direct_post(state, creator, privacy)
    return _start_video(request, state, token, creator, "DIRECT_POST", source, info)


@router.post("/inbox/video/init/")
async def inbox_video_init(request: Request) -> JSONResponse:
    limit = state_of(request).config.rate_limits.inbox_video_init
    state, token, creator = await _enter(request, "inbox/video/init", limit, "video.upload")
    body = await json_body(request, state)
    source = _source_info(state, body)
    rules.check_pending_inbox(state, creator)
    return _start_video(request, state, token, creator, "MEDIA_UPLOAD", source, {})


@router.post("/content/init/")
async def content_init(request: Request) -> JSONResponse:
    state = state_of(request)
    await inject_fault(state, "content/init")
    token, creator = authenticate(request, state, "video.publish", "video.upload")
    enforce_rate_limit(state, token, "content/init", state.config.rate_limits.content_init)
    body = await json_body(request, state)
    mode = body.get("post_mode")
    authenticate(request, state, "video.upload" if mode == "MEDIA_UPLOAD" else "video.publish")
    if body.get("media_type") != "PHOTO":
        raise invalid_params(state, "media_type must be PHOTO.")
    if mode not in ("DIRECT_POST", "MEDIA_UPLOAD"):
        raise invalid_params(state, "post_mode must be DIRECT_POST or MEDIA_UPLOAD.")
    info = rules.post_info_of(state, body, required=mode == "DIRECT_POST")
    rules.check_text(state, info, "title", rules.PHOTO_TITLE_MAX)
    rules.check_text(state, info, "description", rules.PHOTO_DESCRIPTION_MAX)
    rules.check_booleans(state, info, PHOTO_BOOLEANS)
    urls, cover = _photo_source(state, body)
    if mode == "DIRECT_POST":
        privacy = rules.check_privacy(state, creator, info)
        rules.check_direct_post(state, creator, privacy)
        rules.mark_active(state, creator)
    else:
        rules.check_app_version(state, creator)
        rules.check_pending_inbox(state, creator)
    kind = "p_pub_url" if mode == "DIRECT_POST" else "p_inbox_url"
    post = _new_post(state, token, creator, kind, "PHOTO", mode, "PULL_FROM_URL", info)
    post.photo_urls, post.photo_cover_index = urls, cover
    post.status, post.downloaded_bytes = "PROCESSING_DOWNLOAD", 0
    processing.start_photo_pull(state, post)
    return api_response({"publish_id": post.publish_id})


@router.post("/status/fetch/")
async def status_fetch(request: Request) -> JSONResponse:
    limit = state_of(request).config.rate_limits.status_fetch
    state, token, _ = await _enter(request, "status/fetch", limit, "video.publish", "video.upload")
    post = _owned_post(state, token, await json_body(request, state))
    data: dict[str, Any] = {
        "status": post.status,
        "publicaly_available_post_id": post.public_post_ids,
    }
    if post.fail_reason:
        data["fail_reason"] = post.fail_reason
    if post.source == "FILE_UPLOAD":
        data["uploaded_bytes"] = post.uploaded_bytes or 0
    else:
        data["downloaded_bytes"] = post.downloaded_bytes or 0
    return api_response(data)


@router.post("/cancel/")
async def cancel(request: Request) -> JSONResponse:
    limit = state_of(request).config.rate_limits.cancel
    state, token, _ = await _enter(request, "cancel", limit, "video.publish", "video.upload")
    post = _owned_post(state, token, await json_body(request, state))
    if post.source != "PULL_FROM_URL" or post.status != "PROCESSING_DOWNLOAD":
        raise ApiError(
            400, "publish_not_cancellable", "The publish task can no longer be cancelled."
        )
    if post.task is not None:
        post.task.cancel()
    processing.fail(state, post, "publish_cancelled")
    return api_response({})


def _owned_post(state: SandboxState, token: Token, body: dict[str, Any]) -> Post:
    publish_id = body.get("publish_id")
    post = state.posts.get(publish_id) if isinstance(publish_id, str) else None
    if post is None:
        raise ApiError(400, "invalid_publish_id", "The publish_id does not exist.")
    if post.open_id != token.open_id:
        raise ApiError(
            400,
            "token_not_authorized_for_specified_publish_id",
            "The access token is not authorized for the specified publish_id.",
        )
    return post


def _check_cover_timestamp(state: SandboxState, info: dict[str, Any]) -> None:
    value = info.get("video_cover_timestamp_ms")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise invalid_params(state, "post_info.video_cover_timestamp_ms must be an integer.")


def _source_info(state: SandboxState, body: dict[str, Any]) -> dict[str, Any]:
    source = body.get("source_info")
    if not isinstance(source, dict):
        raise invalid_params(state, "source_info is required.")
    kind = source.get("source")
    if kind == "FILE_UPLOAD":
        rules.check_chunks(state, source)
    elif kind == "PULL_FROM_URL":
        rules.check_url_ownership(state, source.get("video_url"))
    else:
        raise invalid_params(state, "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
    return source


def _photo_source(state: SandboxState, body: dict[str, Any]) -> tuple[list[str], int]:
    source = body.get("source_info")
    if not isinstance(source, dict) or source.get("source") != "PULL_FROM_URL":
        raise invalid_params(state, "source_info.source must be PULL_FROM_URL for photos.")
    urls = source.get("photo_images")
    limit = state.config.media_rules.max_photos
    if not isinstance(urls, list) or not 1 <= len(urls) <= limit:
        raise invalid_params(state, f"photo_images must list 1 to {limit} URLs.")
    cover = source.get("photo_cover_index")
    if not isinstance(cover, int) or isinstance(cover, bool) or not 0 <= cover < len(urls):
        raise invalid_params(state, "photo_cover_index must index photo_images.")
    return [rules.check_url_ownership(state, url) for url in urls], cover


def _new_post(
    state: SandboxState,
    token: Token,
    creator: Creator,
    kind: str,
    media_type: Any,
    post_mode: Any,
    source: Any,
    info: dict[str, Any],
) -> Post:
    separator = "-1." if kind == "v_pub_file" else "."
    publish_id = f"{kind}~v2{separator}{state.next_number()}"
    now = state.clock.now()
    post = Post(
        publish_id=publish_id,
        open_id=creator.open_id,
        access_token=token.value,
        media_type=media_type,
        post_mode=post_mode,
        source=source,
        post_info=info,
        created_at=now,
        updated_at=now,
        status="PROCESSING_UPLOAD",
    )
    state.posts[publish_id] = post
    return post


def _start_video(
    request: Request,
    state: SandboxState,
    token: Token,
    creator: Creator,
    post_mode: str,
    source: dict[str, Any],
    info: dict[str, Any],
) -> JSONResponse:
    direct = post_mode == "DIRECT_POST"
    if direct:
        rules.mark_active(state, creator)
    if source["source"] == "PULL_FROM_URL":
        kind = "v_pub_url" if direct else "v_inbox_url"
        post = _new_post(state, token, creator, kind, "VIDEO", post_mode, "PULL_FROM_URL", info)
        post.video_url, post.status, post.downloaded_bytes = (
            source["video_url"],
            "PROCESSING_DOWNLOAD",
            0,
        )
        processing.start_video_pull(state, post)
        return api_response({"publish_id": post.publish_id})
    kind = "v_pub_file" if direct else "v_inbox_file"
    post = _new_post(state, token, creator, kind, "VIDEO", post_mode, "FILE_UPLOAD", info)
    upload = Upload(
        upload_id=str(state.next_number()),
        upload_token=state.token_string("", 24),
        publish_id=post.publish_id,
        video_size=source["video_size"],
        chunk_size=source["chunk_size"],
        total_chunk_count=source["total_chunk_count"],
        expires_at=state.clock.now() + state.config.upload_url_ttl_sec,
        path=state.media_dir() / f"{post.publish_id.replace('~', '_')}.upload",
    )
    upload.path.touch()
    state.uploads[upload.upload_id] = upload
    post.upload_id, post.uploaded_bytes = upload.upload_id, 0
    # Built from root_path, which carries the mount prefix when the sandbox is mounted inside
    # the service (url_for and base_url would consult the outer app instead).
    query = urlencode({"upload_id": upload.upload_id, "upload_token": upload.upload_token})
    root = request.scope.get("root_path", "")
    upload_url = f"{request.url.scheme}://{request.url.netloc}{root}{UPLOAD_PATH}?{query}"
    return api_response({"publish_id": post.publish_id, "upload_url": upload_url})
