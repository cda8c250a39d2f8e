"""TikTok's request rules for init calls, as pure checks that raise TikTok's errors."""

from __future__ import annotations

import re
from typing import Any

from tikpost.sandbox.config import ChunkRules
from tikpost.sandbox.errors import ApiError
from tikpost.sandbox.guard import invalid_params
from tikpost.sandbox.state import Creator, SandboxState

VIDEO_TITLE_MAX = 2200
PHOTO_TITLE_MAX = 90
PHOTO_DESCRIPTION_MAX = 4000
DAY = 86400.0


def utf16_length(text: str) -> int:
    """TikTok counts caption length in UTF-16 code units: an emoji outside the BMP counts two."""
    return len(text.encode("utf-16-le")) // 2


def check_text(state: SandboxState, info: dict[str, Any], name: str, limit: int) -> None:
    value = info.get(name)
    if value is None:
        return
    if not isinstance(value, str):
        raise invalid_params(state, f"post_info.{name} must be a string.")
    if utf16_length(value) > limit:
        raise invalid_params(state, f"post_info.{name} exceeds {limit} characters.")


def check_booleans(state: SandboxState, info: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in info and not isinstance(info[name], bool):
            raise invalid_params(state, f"post_info.{name} must be a boolean.")


def post_info_of(state: SandboxState, body: dict[str, Any], required: bool) -> dict[str, Any]:
    info = body.get("post_info")
    if info is None and not required:
        return {}
    if not isinstance(info, dict):
        raise invalid_params(state, "post_info is required and must be an object.")
    return info


def check_privacy(state: SandboxState, creator: Creator, info: dict[str, Any]) -> str:
    privacy = info.get("privacy_level")
    if not isinstance(privacy, str) or privacy not in creator.privacy_level_options:
        raise ApiError(
            403,
            "privacy_level_option_mismatch",
            "The privacy_level is missing or not among the creator's privacy_level_options.",
        )
    if info.get("brand_content_toggle") is True and privacy == "SELF_ONLY":
        raise invalid_params(state, "Branded content visibility cannot be set to private.")
    return privacy


def check_can_post(state: SandboxState, creator: Creator) -> None:
    """Account-level gates that both direct and inbox posting share."""
    if creator.banned:
        raise ApiError(
            403,
            "spam_risk_user_banned_from_posting",
            "The user is banned from making new posts.",
        )


def check_direct_post(state: SandboxState, creator: Creator, privacy: str) -> None:
    """The gates TikTok puts on Direct Post: audit status, active users and the daily cap."""
    check_can_post(state, creator)
    config = state.config
    if not config.audited and (creator.is_private is False or privacy != "SELF_ONLY"):
        raise ApiError(
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post to private accounts with privacy_level SELF_ONLY.",
        )
    if active_user_cap_reached(state, creator):
        raise ApiError(
            403,
            "reached_active_user_cap",
            "The daily quota of active publishing users for this client has been reached.",
        )
    if daily_posts(state, creator) >= config.daily_post_cap:
        raise ApiError(
            403,
            "spam_risk_too_many_posts",
            "The user has reached the daily cap of posts made through the API.",
        )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if re.fullmatch("[0-9]{1,9}", part))


def check_app_version(state: SandboxState, creator: Creator) -> None:
    """Photo drafts open in TikTok's editor, which only newer app versions have."""
    if _version(creator.app_version) < _version(state.config.min_app_version_for_photo_drafts):
        raise ApiError(
            400,
            "app_version_check_failed",
            "The creator's TikTok app is too old to receive photo drafts (needs 31.8 or later).",
        )


def check_pending_inbox(state: SandboxState, creator: Creator) -> None:
    check_can_post(state, creator)
    since = state.clock.now() - DAY
    pending = [
        post
        for post in state.posts_of(creator.open_id)
        if post.created_at > since and post.is_pending_inbox
    ]
    if len(pending) >= state.config.pending_inbox_cap:
        raise ApiError(
            403,
            "spam_risk_too_many_pending_share",
            "The user has too many pending shares in the last 24 hours.",
        )


def daily_posts(state: SandboxState, creator: Creator) -> int:
    since = state.clock.now() - DAY
    return sum(
        1
        for post in state.posts_of(creator.open_id)
        if post.post_mode == "DIRECT_POST" and post.created_at > since
    )


def active_user_cap_reached(state: SandboxState, creator: Creator) -> bool:
    """An unaudited app may have only a few distinct creators posting in any 24 hours."""
    if state.config.audited:
        return False
    since = state.clock.now() - DAY
    active = {open_id for open_id, at in state.active_posters.items() if at > since}
    return creator.open_id not in active and len(active) >= state.config.unaudited_active_user_cap


def mark_active(state: SandboxState, creator: Creator) -> None:
    state.active_posters[creator.open_id] = state.clock.now()


def check_chunks(state: SandboxState, source: dict[str, Any]) -> tuple[int, int, int]:
    """TikTok's media-transfer rules: floor count, min/max chunk, a final chunk that absorbs."""
    rules: ChunkRules = state.config.chunk_rules
    values = [source.get(name) for name in ("video_size", "chunk_size", "total_chunk_count")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        raise invalid_params(
            state, "video_size, chunk_size and total_chunk_count must be positive integers."
        )
    video_size, chunk_size, count = (int(v) for v in values)  # type: ignore[arg-type]
    if video_size > rules.max_video_size:
        raise invalid_params(state, "The video size is too large.")
    if video_size < rules.min_chunk_size:
        if chunk_size != video_size or count != 1:
            raise invalid_params(
                state,
                "The chunk size is invalid: a video under the minimum chunk size is one chunk.",
            )
        return video_size, chunk_size, count
    if not rules.min_chunk_size <= chunk_size <= rules.max_chunk_size or chunk_size > video_size:
        raise invalid_params(state, "The chunk size is invalid")
    if count != video_size // chunk_size:
        raise invalid_params(state, "The total chunk count is invalid")
    if count == 1 and chunk_size != video_size:
        # One chunk means the whole file (clients report TikTok rejecting anything else).
        raise invalid_params(state, "The chunk size is invalid: a single chunk is the whole file.")
    if count == 1 and video_size > rules.max_chunk_size:
        raise invalid_params(state, "The chunk size is invalid: files over 64 MB need chunks.")
    if count > rules.max_chunk_count:
        raise invalid_params(state, "The total chunk count is invalid")
    final = video_size - chunk_size * (count - 1)
    if final > rules.max_final_chunk_size:
        raise invalid_params(state, "The chunk size is invalid: the final chunk is too large.")
    return video_size, chunk_size, count


def check_url_ownership(state: SandboxState, url: Any) -> str:
    """Only URLs under a verified prefix may be pulled; https unless the operator verified http."""
    if not isinstance(url, str) or not url:
        raise invalid_params(state, "The media URL is missing.")
    for prefix in state.config.verified_url_prefixes:
        if url.startswith(prefix):
            return url
    raise ApiError(
        403,
        "url_ownership_unverified",
        "The domain or URL prefix of the media URL has not been verified by the client.",
    )
