"""The Accounts API's reads: publish status, video settings, and the CML trending list."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from tikpost.sandbox.business import catalogue
from tikpost.sandbox.business.envelope import (
    INVALID_PARAMS,
    NO_PERMISSION,
    NOT_FOUND,
    BusinessError,
    ok,
)
from tikpost.sandbox.business.guard import authenticate, enter

router = APIRouter(prefix="/open_api/v1.3")


@router.get("/business/publish/status/")
async def publish_status(request: Request) -> JSONResponse:
    state = await enter(request, "business/status")
    params = request.query_params
    token, _ = authenticate(request, state, params.get("business_id"))
    post = state.business.posts.get(params.get("publish_id", ""))
    if post is None:
        raise BusinessError(NOT_FOUND, "The publish_id does not exist.")
    if post.open_id != token.open_id:
        raise BusinessError(NO_PERMISSION, "The publish_id belongs to another account.")
    data: dict[str, Any] = {"status": post.status, "post_ids": post.post_ids}
    if post.reason:
        data["reason"] = post.reason
    return ok(data)


PROFILE_FIELDS = ("username", "display_name", "profile_image")


@router.get("/business/get/")
async def business_profile(request: Request) -> JSONResponse:
    """The account's profile, only the `fields` asked for (a JSON list, as TikTok takes it)."""
    state = await enter(request, "business/profile")
    params = request.query_params
    _, account = authenticate(request, state, params.get("business_id"), "user.info.basic")
    try:
        fields = json.loads(params.get("fields", '["username"]'))
    except ValueError:
        raise BusinessError(INVALID_PARAMS, "fields must be a JSON list.") from None
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise BusinessError(INVALID_PARAMS, "fields must be a JSON list of strings.")
    unknown = [f for f in fields if f not in PROFILE_FIELDS]
    if unknown:
        raise BusinessError(INVALID_PARAMS, f"fields: unknown field {unknown[0]}.")
    profile = {
        "username": account.username,
        "display_name": account.display_name,
        "profile_image": f"https://p16-sign.tiktokcdn.com/sandbox/{account.open_id}.jpeg",
    }
    return ok({name: profile[name] for name in fields})


@router.get("/business/video/settings/")
async def video_settings(request: Request) -> JSONResponse:
    """What creator_info tells a Content Posting client: options, toggles, longest video."""
    state = await enter(request, "business/settings")
    _, account = authenticate(
        request, state, request.query_params.get("business_id"), "video.publish"
    )
    return ok(
        {
            "privacy_level_options": account.privacy_level_options,
            "comment_disabled": account.comment_disabled,
            "duet_disabled": account.duet_disabled,
            "stitch_disabled": account.stitch_disabled,
            "max_video_post_duration_sec": account.max_video_post_duration_sec,
        }
    )


@router.get("/discovery/cml/trending_list/")
async def trending_list(request: Request) -> JSONResponse:
    """Up to 100 tracks, no search and no paging (TikTok documents neither)."""
    state = await enter(request, "business/trending")
    params = request.query_params
    authenticate(request, state, params.get("business_id"))
    country = params.get("country_code", "US")
    genre = params.get("genre", "ALL")
    date_range = params.get("date_range", "7DAY")
    if not re.fullmatch("[A-Z]{2}", country):
        raise BusinessError(INVALID_PARAMS, "country_code must be an ISO 3166-1 alpha-2 code.")
    if genre != "ALL" and genre not in catalogue.GENRES:
        raise BusinessError(
            INVALID_PARAMS, f"genre must be ALL or one of {list(catalogue.GENRES)}."
        )
    if date_range not in catalogue.DATE_RANGES:
        raise BusinessError(
            INVALID_PARAMS, f"date_range must be one of {list(catalogue.DATE_RANGES)}."
        )
    found = catalogue.trending(country, genre, date_range)[:100]
    return ok({"list": [track.view() for track in found]})
