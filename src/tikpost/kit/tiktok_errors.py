"""How a TikTok failure reaches our API clients: a stable code, the right status, TikTok's words."""

from __future__ import annotations

from tikpost.kit.errors import ApiError
from tikpost.tiktok import errors

# TikTok's account-level refusals are the client's business to act on, not our failure.
_CONFLICTS = frozenset(
    {
        "spam_risk_too_many_posts",
        "spam_risk_user_banned_from_posting",
        "spam_risk_too_many_pending_share",
        "reached_active_user_cap",
        "unaudited_client_can_only_post_to_private_accounts",
        "privacy_level_option_mismatch",
        "url_ownership_unverified",
    }
)


def api_error_from_tiktok(exc: errors.TikTokError) -> ApiError:
    """Translate, keeping TikTok's code in ours where a client can act on it."""
    said = f"TikTok said {exc.code}" + (f": {exc.message}" if exc.message else "")
    if isinstance(exc, errors.RateLimitExceeded):
        headers = {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else None
        return ApiError(429, "tiktok_rate_limited", f"{said}; try again in a minute", None, headers)
    if exc.code in _CONFLICTS:
        return ApiError(409, f"tiktok_{exc.code}", said)
    if isinstance(exc, errors.ScopeNotAuthorized):
        return ApiError(
            409,
            "tiktok_scope_not_authorized",
            f"{said}; connect the account again and grant every permission asked",
        )
    if isinstance(exc, errors.TikTokTransportError) or exc.retryable:
        return ApiError(502, "tiktok_unavailable", f"{said}; try again later")
    return ApiError(502, "tiktok_error", said)
