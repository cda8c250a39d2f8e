"""Decoding TikTok's answers: transport failures, bodies that are not JSON, data that does not fit.

Beside `tiktok.errors` (the error classes and TikTok's code tables), which it builds on; the
clients (`oauth`, `posting`, `upload`) use both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from tikpost.kit.parse import parse_seconds
from tikpost.tiktok.errors import TikTokError, TikTokTransportError

# Failures before a byte of the request left: TikTok cannot have acted on it.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@contextmanager
def transport_errors(endpoint: str | None = None) -> Iterator[None]:
    """Turn httpx's connect/read/timeout failures into one retryable `TikTokTransportError`,
    and name `endpoint` on every TikTokError raised inside."""
    try:
        yield
    except TikTokError as exc:
        exc.endpoint = exc.endpoint or endpoint
        raise
    except httpx.TransportError as exc:
        error = TikTokTransportError(
            "transport_error",
            f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
            endpoint=endpoint,
        )
        error.may_have_arrived = not isinstance(exc, _NEVER_SENT)
        raise error from exc


def retry_after_of(response: httpx.Response) -> float | None:
    """TikTok does not document Retry-After; honour it if a proxy or TikTok ever sends one
    (capped at a day; "inf", "nan" or a date is ignored)."""
    return parse_seconds(response.headers.get("retry-after"), limit=86400.0)


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None: proxies answer 502/504 with HTML, never crash on it."""
    if not response.content:
        return {}
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def undecodable(response: httpx.Response) -> TikTokError:
    """A body that is not a JSON object: keep a snippet, retry only if HTTP says transient."""
    status = response.status_code
    snippet = response.text[:200].strip()
    return TikTokError(
        f"http_{status}",
        snippet or response.reason_phrase,
        http_status=status,
        retryable=status >= 500 or status == 429,
        retry_after=retry_after_of(response),
    )


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_model(model: type[ModelT], data: Any, response: httpx.Response) -> ModelT:
    """Validate TikTok's data, so a changed or truncated answer is a TikTokError, not a crash."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise TikTokError(
            "invalid_response",
            f"{model.__name__}: {exc.error_count()} invalid field(s): {exc.errors()[0]['loc']}",
            http_status=response.status_code,
        ) from exc
