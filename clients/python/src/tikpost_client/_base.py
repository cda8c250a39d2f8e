"""What the sync and async clients share: their settings, one request as data (`Call`), and
the retry policy, so the two differ only in how they wait and send."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from tikpost_client._errors import TikpostError
from tikpost_client._upload import Upload

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
M = TypeVar("M", bound=BaseModel)

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = httpx.Timeout(60.0)
# Probing a large video can take a while after its last byte arrives.
UPLOAD_TIMEOUT = httpx.Timeout(60.0, read=600.0)
DEFAULT_MAX_RETRIES = 2
# Backoff: 0.5 s, 1 s, 2 s, ... up to 8 s, each jittered down by up to a quarter.
BACKOFF_START = 0.5
BACKOFF_CAP = 8.0
# A Retry-After longer than this is the server asking for more patience than a call should have.
RETRY_AFTER_CAP = 60.0
# Only these methods are safe to repeat as they are; a POST gets an Idempotency-Key first.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"})


@dataclass(frozen=True)
class Options:
    """A client's settings, resolved once: arguments first, then TIKPOST_* variables."""

    api_key: str
    base_url: str
    max_retries: int
    timeout: httpx.Timeout

    @classmethod
    def resolve(
        cls,
        api_key: str | None,
        base_url: str | None,
        max_retries: int,
        timeout: float | httpx.Timeout | None,
    ) -> Options:
        key = api_key or os.environ.get("TIKPOST_API_KEY")
        if not key:
            raise TikpostError(
                "no API key: pass api_key= or set TIKPOST_API_KEY (`tikpost keys create`)",
                code="missing_api_key",
            )
        url = base_url or os.environ.get("TIKPOST_URL") or DEFAULT_URL
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        chosen = timeout if isinstance(timeout, httpx.Timeout) else None
        if chosen is None:
            chosen = DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout)
        return cls(key, url.rstrip("/"), max_retries, chosen)

    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key, "Accept": "application/json"}


@dataclass(frozen=True)
class Call(Generic[T_co]):
    """One logical API call: everything needed to (re)build its request, and read its answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T_co]
    params: Mapping[str, Any] | None = None
    json: Any = None
    upload: Upload | None = None
    idempotency_key: str | None = None
    timeout: httpx.Timeout | None = None

    def with_key(self) -> Call[T_co]:
        """This call with the Idempotency-Key every attempt of it sends (a POST's or DELETE's is
        minted here once, so a retried create can never make two posts, and a retried change
        whose answer was lost is answered as made, not refused with a 409)."""
        if self.method not in ("POST", "DELETE") or self.idempotency_key:
            return self
        return replace(self, idempotency_key=f"sdk_{uuid.uuid4().hex}")

    def may_retry(self) -> bool:
        return self.method in IDEMPOTENT or bool(self.idempotency_key)

    def headers(self) -> dict[str, str]:
        headers = self.upload.headers() if self.upload else {}
        if self.idempotency_key:
            headers["Idempotency-Key"] = self.idempotency_key
        return headers


def model(kind: type[M]) -> Callable[[httpx.Response], M]:
    """The answer read as `kind` (a generated model of the server's schema)."""
    return lambda response: kind.model_validate_json(response.content)


def nothing(_response: httpx.Response) -> None:
    """For 204 answers."""


def query(**params: Any) -> dict[str, Any]:
    """Query parameters without the ones not given (None), so the server's defaults apply."""
    return {name: value for name, value in params.items() if value is not None}


def seg(value: str) -> str:
    """An id as one path segment, whatever it holds (an id with a `/` cannot reach another
    route)."""
    return quote(value, safe="")


def backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds before retry number `attempt` (0 first): the server's Retry-After when it gave
    one, else exponential with jitter, so many clients that failed together do not return
    together."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP)
    delay = min(BACKOFF_START * 2.0**attempt, BACKOFF_CAP)
    return delay * (1 - random.random() / 4)
