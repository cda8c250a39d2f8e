"""Why a post failed, in words a person can act on, under codes a program can branch on."""

from __future__ import annotations

from dataclasses import dataclass

from tikpost.tiktok import errors


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    fail_reason: str | None = None
    retryable: bool = False


class PublishFailedError(Exception):
    """Ends the workflow with this failure recorded on the post."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.code)
        self.failure = failure

    def __reduce__(self) -> tuple[type[PublishFailedError], tuple[Failure]]:
        # DBOS pickles a step's exception and unpickles it when a recovered workflow replays
        # the step; the default would call __init__ with the code string instead.
        return type(self), (self.failure,)


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

# TikTok's error codes on init -> (our code, what to do)
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
}


def from_fail_reason(reason: str) -> Failure:
    code, message = FAIL_REASONS.get(
        reason, ("tiktok_failed", f"TikTok failed the post ({reason}).")
    )
    return Failure(code, message, reason, retryable=reason in {"internal", "video_pull_failed"})


def from_error(exc: errors.TikTokError) -> Failure:
    if exc.code in ERROR_CODES:
        code, message = ERROR_CODES[exc.code]
        return Failure(code, message, None)
    if exc.retryable:
        return Failure(
            "tiktok_unavailable",
            f"TikTok kept failing ({exc.code}: {exc.message}); retry the post later.",
            retryable=True,
        )
    return Failure("tiktok_error", f"TikTok refused the post ({exc.code}: {exc.message}).")


def describe(exc: errors.TikTokError) -> str:
    """What went wrong in a few words, e.g. "HTTP 500 internal_error from /v2/post/...".
    Never the response body: a proxy's HTML page is no message for a person."""
    where = f" from {exc.endpoint}" if exc.endpoint else ""
    if exc.http_status is None:
        return f"{exc.message or exc.code}{where.replace(' from ', ' calling ')}"
    return f"HTTP {exc.http_status} {exc.code}{where}"


def outlasted(reason: str, budget_sec: float) -> Failure:
    """TikTok stayed unavailable for the whole of TIKPOST_TIKTOK_OUTAGE_BUDGET_SEC."""
    return Failure(
        "tiktok_unavailable",
        f"TikTok stayed unavailable for {_duration(budget_sec)} ({reason}); nothing was "
        "published. Retry the post once TikTok is back.",
        retryable=True,
    )


def outcome_unknown(exc: errors.TikTokError) -> Failure:
    """A pull init (video URL, photos) sent but not answered: TikTok may publish it."""
    return Failure(
        "pull_outcome_unknown",
        f"TikTok did not answer the request to pull the media ({describe(exc)}); it may have "
        "accepted it. Check the creator's profile before retrying, to avoid a duplicate.",
    )


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"
