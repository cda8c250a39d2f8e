"""One exception per class of failure, each carrying what the server said and whether a retry
can help, so callers branch on a type (or `.code`) instead of parsing responses."""

from __future__ import annotations

import email.utils
import time

import httpx


class TikpostError(Exception):
    """Every error the SDK raises. `status` is None when no HTTP answer came back."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "error",
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.status = status

    def __str__(self) -> str:
        status = f"{self.status} " if self.status is not None else ""
        return f"{status}{self.code}: {self.message}"


class APIConnectionError(TikpostError):
    """The service could not be reached, or the connection broke before an answer came."""

    retryable = True


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class APIStatusError(TikpostError):
    """The service answered with an error status; `response` is its answer."""

    def __init__(
        self, message: str, *, response: httpx.Response, code: str, field: str | None = None
    ) -> None:
        super().__init__(message, code=code, field=field, status=response.status_code)
        self.response = response
        self.retry_after = retry_after(response)
        self.retryable = response.status_code in (408, 429) or response.status_code >= 500


class BadRequestError(APIStatusError):
    """400: the request could not be read (JSON that does not parse, a malformed form)."""


class AuthenticationError(APIStatusError):
    """401: no API key, or one that is wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (another team's object, a dashboard-only action)."""


class NotFoundError(APIStatusError):
    """404: no such object in this team."""


class ConflictError(APIStatusError):
    """409: the object is not in a state that allows this (cancel after upload started, ...)."""


class ValidationError(APIStatusError):
    """413, 415, 422: the server read the request and refused it; `.field` names the culprit."""


class RateLimitError(APIStatusError):
    """429: too many requests; `.retry_after` is how long the server asked to wait."""


class ServerError(APIStatusError):
    """5xx (and 408): the service failed or is unavailable for now; retrying may help."""


class WebhookVerificationError(TikpostError):
    """A webhook delivery whose signature, timestamp or body does not check out."""


class WaitTimeoutError(TikpostError):
    """`posts.wait` ran out of time before the post reached a final state."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: ServerError,
    409: ConflictError,
    413: ValidationError,
    415: ValidationError,
    422: ValidationError,
    429: RateLimitError,
}


def error_from_response(response: httpx.Response) -> APIStatusError:
    """The exception for an error answer, read from tikpost's `{"error": {...}}` shape (or, from
    a proxy in between that does not speak it, from the status and the start of the text)."""
    code, message, field = f"http_{response.status_code}", response.text[:500], None
    try:
        error = response.json()["error"]
        code, message, field = str(error["code"]), str(error["message"]), error.get("field")
    except (ValueError, KeyError, TypeError):
        pass
    kind = _BY_STATUS.get(response.status_code)
    if kind is None:
        kind = ServerError if response.status_code >= 500 else APIStatusError
    return kind(message, response=response, code=code, field=field)


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds, as delta-seconds or an HTTP date; None when absent or garbled."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(seconds, 0.0) if seconds == seconds else None
