# Class names mirror TikTok's error codes (InvalidGrant for invalid_grant), so no "Error" suffix.
# ruff: noqa: N818
"""TikTok's failures as typed exceptions.

TikTok reports failure in three shapes: the v2 envelope (`{"data", "error": {code, message,
log_id}}`, sometimes with HTTP 200), the OAuth body (`{"error", "error_description", "log_id"}`),
and bare HTTP statuses on upload PUTs. Callers should never parse any of them: they catch a class,
and read `retryable` to decide between backing off and giving up. Codes TikTok adds later still
arrive as a plain `TikTokError`, so an unknown code never crashes the caller.
"""

from __future__ import annotations

from typing import Any, ClassVar


class TikTokError(Exception):
    """Any failure reported by (or on the way to) TikTok.

    `retryable` defaults per class so call sites can write one `except TikTokError` and still tell
    a throttle or outage (retry later) from a rule violation (retrying cannot help).
    """

    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        code: str,
        message: str = "",
        *,
        log_id: str | None = None,
        http_status: int | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.log_id = log_id
        self.http_status = http_status
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        # The path called, for messages such as "HTTP 500 from /v2/post/publish/video/init/".
        self.endpoint = endpoint

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, log_id={self.log_id!r})"
        )


class TikTokTransportError(TikTokError):
    """The request never got an answer (connect failure, reset, timeout): always worth a retry,
    but only a connect failure proves TikTok never saw it; after a reset or a read timeout the
    request may have been acted on (`may_have_arrived`), which matters for an init that
    publishes by itself."""

    default_retryable = True
    may_have_arrived = True


# --- v2 API (content posting, user info) --------------------------------------------------------


class AccessTokenInvalid(TikTokError):
    """The token is expired, revoked or unknown: refresh it, then retry once."""


class ScopeNotAuthorized(TikTokError):
    """The creator did not grant the scope this call needs: only a new consent fixes it."""


class ScopePermissionMissed(TikTokError):
    """The app itself lacks the scope in TikTok's developer portal."""


class RateLimitExceeded(TikTokError):
    """Per-token, per-endpoint throttle; `retry_after` carries TikTok's hint when it sends one."""

    default_retryable = True


class InternalError(TikTokError):
    """TikTok failed on its side; the request itself may be fine."""

    default_retryable = True


class InvalidFileUpload(TikTokError):
    """The file or chunk description is not one TikTok accepts."""


class InvalidParams(TikTokError):
    """The request is malformed; TikTok spells it `invalid_params` or `invalid_param` by page."""


class SpamRiskTooManyPosts(TikTokError):
    """The creator reached the daily API post cap shared by every app."""


class SpamRiskUserBannedFromPosting(TikTokError):
    """The creator may not post at all right now."""


class SpamRiskTooManyPendingShare(TikTokError):
    """Five inbox drafts are waiting for the creator within 24 h."""


class ReachedActiveUserCap(TikTokError):
    """The app reached its daily quota of distinct posting creators."""


class UnauditedClientCanOnlyPostToPrivateAccounts(TikTokError):
    """An unaudited app may only post to private accounts, whatever the post's privacy."""


class UrlOwnershipUnverified(TikTokError):
    """PULL_FROM_URL media is not under a domain or prefix verified for this app."""


class PrivacyLevelOptionMismatch(TikTokError):
    """`privacy_level` is missing or not one of the creator's current options."""


class AppVersionCheckFailed(TikTokError):
    """The creator's TikTok app is too old for inbox photo uploads."""


class InvalidPublishId(TikTokError):
    """No publish task has this id."""


class TokenNotAuthorizedForSpecifiedPublishId(TikTokError):
    """The publish id belongs to another creator or app."""


class PublishNotCancellable(TikTokError):
    """The task is already final or too far along to stop."""


POSTING_ERRORS: dict[str, type[TikTokError]] = {
    "access_token_invalid": AccessTokenInvalid,
    "scope_not_authorized": ScopeNotAuthorized,
    "scope_permission_missed": ScopePermissionMissed,
    "rate_limit_exceeded": RateLimitExceeded,
    "internal_error": InternalError,
    "invalid_file_upload": InvalidFileUpload,
    "invalid_params": InvalidParams,
    "invalid_param": InvalidParams,
    "spam_risk_too_many_posts": SpamRiskTooManyPosts,
    "spam_risk_user_banned_from_posting": SpamRiskUserBannedFromPosting,
    "spam_risk_too_many_pending_share": SpamRiskTooManyPendingShare,
    "reached_active_user_cap": ReachedActiveUserCap,
    "unaudited_client_can_only_post_to_private_accounts": (
        UnauditedClientCanOnlyPostToPrivateAccounts
    ),
    "url_ownership_unverified": UrlOwnershipUnverified,
    "privacy_level_option_mismatch": PrivacyLevelOptionMismatch,
    "app_version_check_failed": AppVersionCheckFailed,
    "invalid_publish_id": InvalidPublishId,
    "token_not_authorized_for_specified_publish_id": TokenNotAuthorizedForSpecifiedPublishId,
    "publish_not_cancellable": PublishNotCancellable,
}


def _status_retryable(http_status: int | None) -> bool | None:
    """Unknown codes take their retry hint from HTTP: 5xx and 429 are transient by definition."""
    if http_status is not None and (http_status >= 500 or http_status == 429):
        return True
    return None


def posting_error(
    code: str,
    message: str = "",
    *,
    log_id: str | None = None,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> TikTokError:
    """Build the exception for a v2 envelope error code, falling back to `TikTokError`."""
    cls = POSTING_ERRORS.get(code)
    if cls is None:
        return TikTokError(
            code,
            message,
            log_id=log_id,
            http_status=http_status,
            retryable=_status_retryable(http_status) or False,
            retry_after=retry_after,
        )
    return cls(code, message, log_id=log_id, http_status=http_status, retry_after=retry_after)


# --- OAuth (token, revoke) ----------------------------------------------------------------------


class OAuthError(TikTokError):
    """A token or revoke failure; `code` is the OAuth `error` string, `message` its description."""


class InvalidGrant(OAuthError):
    """The code or refresh token is used, expired or revoked: the creator must connect again."""


class InvalidClient(OAuthError):
    """The client key or secret is wrong."""


class InvalidRequest(OAuthError):
    """A parameter is missing or malformed, e.g. the redirect URI differs from the authorize one."""


class InvalidScope(OAuthError):
    """A requested scope is unknown or not enabled for the app."""


class UnauthorizedClient(OAuthError):
    """The app may not use this grant type."""


class UnsupportedGrantType(OAuthError):
    """The grant type is not one TikTok knows."""


class UnsupportedResponseType(OAuthError):
    """Only `response_type=code` exists."""


class AccessDenied(OAuthError):
    """The creator refused consent."""


class ServerError(OAuthError):
    """TikTok's authorization server failed."""

    default_retryable = True


class TemporarilyUnavailable(OAuthError):
    """TikTok's authorization server is overloaded or in maintenance."""

    default_retryable = True


OAUTH_ERRORS: dict[str, type[OAuthError]] = {
    "invalid_grant": InvalidGrant,
    "invalid_client": InvalidClient,
    "invalid_request": InvalidRequest,
    "invalid_scope": InvalidScope,
    "unauthorized_client": UnauthorizedClient,
    "unsupported_grant_type": UnsupportedGrantType,
    "unsupported_response_type": UnsupportedResponseType,
    "access_denied": AccessDenied,
    "server_error": ServerError,
    "temporarily_unavailable": TemporarilyUnavailable,
}


def oauth_error(
    code: str,
    message: str = "",
    *,
    log_id: str | None = None,
    http_status: int | None = None,
) -> OAuthError:
    """Build the exception for an OAuth `error` string, falling back to `OAuthError`."""
    cls = OAUTH_ERRORS.get(code)
    if cls is None:
        return OAuthError(
            code,
            message,
            log_id=log_id,
            http_status=http_status,
            retryable=_status_retryable(http_status) or False,
        )
    return cls(code, message, log_id=log_id, http_status=http_status)


# --- upload PUTs (bare HTTP statuses) -----------------------------------------------------------


class UploadError(TikTokError):
    """A chunk PUT failed; TikTok answers these with a status code, not an error body."""


class UploadUrlExpired(UploadError):
    """403: the upload URL outlived its hour; init again for a new one."""


class UploadNotFound(UploadError):
    """404: no upload task behind this URL."""


class UploadRangeMismatch(UploadError):
    """416: Content-Range disagrees with what TikTok already holds; ask status where it stands."""


class UploadRejected(UploadError):
    """400: headers malformed or Content-Length differs from the body."""


class UploadServerError(UploadError):
    """5xx: TikTok asks for this chunk again."""

    default_retryable = True


class UnexpectedUploadStatus(UploadError):
    """TikTok answered a status the transfer guide does not list (201 before the last chunk)."""


UPLOAD_ERRORS: dict[int, tuple[type[UploadError], str]] = {
    400: (UploadRejected, "upload_rejected"),
    403: (UploadUrlExpired, "upload_url_expired"),
    404: (UploadNotFound, "upload_not_found"),
    416: (UploadRangeMismatch, "upload_range_mismatch"),
}


def upload_error(http_status: int, message: str = "", **extra: Any) -> UploadError:
    """Map a chunk PUT's status to its exception."""
    if http_status >= 500:
        return UploadServerError("upload_server_error", message, http_status=http_status, **extra)
    cls, code = UPLOAD_ERRORS.get(http_status, (UnexpectedUploadStatus, "unexpected_upload_status"))
    # 408: the server gave up waiting for our body (a stall on our side or on the way); the
    # chunk was not kept, so sending it again is right.
    retryable = True if http_status in (408, 429) else None
    return cls(code, message, http_status=http_status, retryable=retryable, **extra)
