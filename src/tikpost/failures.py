"""TikTok's codes as tikpost's: one table per TikTok field, each TikTok value under one public
code, whether a synchronous call (creator info, disconnect) is refused with it or a post fails
on it (`tikpost.posts.failures` renders the latter).
"""

from __future__ import annotations

from tikpost.kit.errors import ApiError
from tikpost.tiktok import errors

# TikTok's fail_reason after processing -> (our code, what to do)
FAIL_REASONS: dict[str, tuple[str, str]] = {
    "file_format_check_failed": (
        "video_format_rejected",
        "TikTok could not read the video: send MP4, MOV or WebM with H.264, H.265, VP8 or VP9.",
    ),
    "duration_check_failed": (
        "video_duration_rejected",
        "TikTok rejected the video's length: it must be at least 3 s and at most the "
        "creator's max_video_post_duration_sec (see creator-info).",
    ),
    "frame_rate_check_failed": (
        "video_frame_rate_rejected",
        "TikTok rejected the video's frame rate: re-encode it at 23 to 60 fps.",
    ),
    "picture_size_check_failed": (
        "video_resolution_rejected",
        "TikTok rejected the video's dimensions: each side must be 360 to 4096 px.",
    ),
    "internal": (
        "tiktok_internal_error",
        "TikTok failed while processing the post; retrying it usually works.",
    ),
    "video_pull_failed": (
        "video_pull_failed",
        "TikTok could not download the video; check the URL stays reachable, then retry.",
    ),
    "publish_cancelled": ("cancelled_at_tiktok", "The publish was cancelled at TikTok."),
    "auth_removed": (
        "authorization_removed",
        "The creator removed tikpost's access during publishing: connect the account again.",
    ),
    "spam_risk_too_many_posts": (
        "daily_post_cap",
        "The creator reached TikTok's daily limit of posts made through apps; post again tomorrow.",
    ),
    "spam_risk_user_banned_from_posting": (
        "creator_banned",
        "TikTok has banned this creator from posting; nothing tikpost can do changes that.",
    ),
    "spam_risk_text": (
        "caption_rejected",
        "TikTok judged the caption as spam or risky; change the title and post again.",
    ),
    "spam_risk": ("rejected_as_spam", "TikTok judged the post as risky and refused it."),
}

# TikTok's error codes (on init, creator info, ...) -> (our code, what to do)
ERROR_CODES: dict[str, tuple[str, str]] = {
    "privacy_level_option_mismatch": (
        "privacy_not_offered",
        "The creator does not offer this privacy_level; use one of the privacy_level_options "
        "from creator-info.",
    ),
    "unaudited_client_can_only_post_to_private_accounts": (
        "unaudited_app",
        "Your TikTok app has not passed TikTok's audit, so TikTok only lets it post with "
        "privacy_level SELF_ONLY to private accounts. Make the account private and post "
        "SELF_ONLY, or have the app audited by TikTok to post publicly.",
    ),
    "spam_risk_too_many_posts": FAIL_REASONS["spam_risk_too_many_posts"],
    "spam_risk_user_banned_from_posting": FAIL_REASONS["spam_risk_user_banned_from_posting"],
    "spam_risk_too_many_pending_share": (
        "too_many_pending_drafts",
        "The creator has 5 drafts from apps waiting in their TikTok inbox this day; they must "
        "finish or delete some before more can be sent.",
    ),
    "reached_active_user_cap": (
        "app_active_user_cap",
        "Your TikTok app reached its daily quota of creators posting through it; try tomorrow "
        "or ask TikTok for a higher quota.",
    ),
    "url_ownership_unverified": (
        "url_ownership_unverified",
        "TikTok only pulls media from URL prefixes you verified in the TikTok developer portal.",
    ),
    "scope_not_authorized": (
        "missing_permission",
        "The creator did not grant the permission this post needs (video.publish for direct "
        "posts, video.upload for drafts): connect the account again and allow it.",
    ),
    "scope_permission_missed": (
        "app_missing_permission",
        "Your TikTok app is not approved for the Content Posting API scope this post needs.",
    ),
    # The API for Business's answer to a music_sound_id it cannot use (tiktok.business).
    "business_51065": (
        "sound_rejected",
        "TikTok's API for Business refused the sound: use a sound's `id` from "
        "GET /v1/accounts/{id}/sounds (a clip of a trending track, not the track's id).",
    ),
}


def api_error_from_tiktok(exc: errors.TikTokError) -> ApiError:
    """A synchronous call's refusal: an account-level one from `ERROR_CODES` is the client's to
    act on (409); a throttle is a 429; anything else is TikTok failing us (502)."""
    said = f"TikTok said {exc.code}" + (f": {exc.message}" if exc.message else "")
    if isinstance(exc, errors.RateLimitExceeded):
        headers = {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else None
        return ApiError(429, "tiktok_rate_limited", f"{said}; try again in a minute", None, headers)
    if exc.code in ERROR_CODES:
        code, message = ERROR_CODES[exc.code]
        return ApiError(409, code, f"{message} ({said})")
    if isinstance(exc, errors.TikTokTransportError) or exc.retryable:
        return ApiError(502, "tiktok_unavailable", f"{said}; try again later")
    return ApiError(502, "tiktok_error", said)
