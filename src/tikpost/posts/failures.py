"""Why a post failed, in words a person can act on, under codes a program can branch on.

The codes come from the one TikTok table in `tikpost.failures`. `Failure` and
`PublishFailedError` stay in this module: DBOS pickles them into step results by their module
path, and a recovered workflow must find them there to replay its steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from tikpost.failures import ERROR_CODES, FAIL_REASONS
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
