"""Sending a `Call` with retries: one shared httpx pool per client, sync and async alike.

Retried: connection errors, 408, 429 and 5xx, up to `max_retries` times, after the server's
Retry-After or a jittered backoff. A POST is retried only with its Idempotency-Key (minted per
call unless given); an upload's body is rebuilt from the file's start for every attempt.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from tikpost_client._base import Call, Options, backoff
from tikpost_client._errors import (
    APIConnectionError,
    APITimeoutError,
    TikpostError,
    error_from_response,
)

T = TypeVar("T")


def _request(
    client: httpx.Client | httpx.AsyncClient, call: Call[Any], content: Any
) -> httpx.Request:
    return client.build_request(
        call.method,
        call.path,
        params=call.params,
        json=call.json,
        content=content,
        headers=call.headers(),
        timeout=call.timeout or httpx.USE_CLIENT_DEFAULT,
    )


def _connection_error(exc: httpx.TransportError, url: str) -> APIConnectionError:
    kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    return kind(f"cannot reach tikpost at {url}: {exc}", code="connection_error")


def _outcome(call: Call[T], response: httpx.Response) -> T:
    if response.is_success:
        return call.parse(response)
    raise error_from_response(response)


class SyncTransport:
    """The sync client's sender; `sleep` is the wait between attempts."""

    def __init__(
        self,
        options: Options,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self.http = http_client or httpx.Client(timeout=options.timeout)
        self.http.base_url = httpx.URL(options.base_url)
        self.http.headers.update(options.headers())
        self._sleep = sleep

    def send(self, call: Call[T]) -> T:
        call = call.with_key()
        attempt = 0
        while True:
            content = call.upload.iter_body() if call.upload else None
            try:
                response = self.http.send(_request(self.http, call, content))
            except httpx.TransportError as exc:
                error: TikpostError = _connection_error(exc, self.options.base_url)
                retry_after = None
            else:
                try:
                    return _outcome(call, response)
                except TikpostError as failed:
                    error, retry_after = failed, getattr(failed, "retry_after", None)
            if not (error.retryable and call.may_retry() and attempt < self.options.max_retries):
                raise error
            self._sleep(backoff(attempt, retry_after))
            attempt += 1

    def close(self) -> None:
        self.http.close()


class AsyncTransport:
    """`SyncTransport` for asyncio."""

    def __init__(self, options: Options, http_client: httpx.AsyncClient | None = None) -> None:
        self.options = options
        self.http = http_client or httpx.AsyncClient(timeout=options.timeout)
        self.http.base_url = httpx.URL(options.base_url)
        self.http.headers.update(options.headers())

    async def send(self, call: Call[T]) -> T:
        call = call.with_key()
        attempt = 0
        while True:
            content = call.upload.aiter_body() if call.upload else None
            try:
                response = await self.http.send(_request(self.http, call, content))
            except httpx.TransportError as exc:
                error: TikpostError = _connection_error(exc, self.options.base_url)
                retry_after = None
            else:
                try:
                    return _outcome(call, response)
                except TikpostError as failed:
                    error, retry_after = failed, getattr(failed, "retry_after", None)
            if not (error.retryable and call.may_retry() and attempt < self.options.max_retries):
                raise error
            await asyncio.sleep(backoff(attempt, retry_after))
            attempt += 1

    async def close(self) -> None:
        await self.http.aclose()
