"""What the SDK does without a server: the upload body's bytes, webhook verification against
the reference `standardwebhooks` signer, and reading error answers."""

from __future__ import annotations

import base64
import io
import json
import queue
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from python_multipart.multipart import MultipartParser
from standardwebhooks import Webhook
from tikpost_client import (
    AccountEvent,
    PostEvent,
    RateLimitError,
    ServerError,
    ValidationError,
    Webhooks,
    WebhookVerificationError,
)
from tikpost_client._base import backoff
from tikpost_client._errors import error_from_response
from tikpost_client._listen import WebhookListener
from tikpost_client._upload import Upload

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def test_upload_streams_in_bounded_pieces_as_httpx_would_encode(tmp_path: Path) -> None:
    path = tmp_path / 'clip "1".mp4'
    data = bytes(range(256)) * 1000
    path.write_bytes(data)
    sent: list[int] = []
    body = Upload(path, boundary=b"b0undary", on_progress=lambda done, _total: sent.append(done))
    pieces = list(body.iter_body(piece_size=4096))
    assert all(0 < len(piece) <= 4096 for piece in pieces)
    streamed = b"".join(pieces)
    assert len(streamed) == body.content_length() == int(body.headers()["Content-Length"])
    assert sent[-1] == len(streamed)
    with path.open("rb") as handle:
        reference = httpx.Request(
            "POST",
            "http://x/v1/media",
            files={"file": (path.name, handle, "video/mp4")},
            headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
        )
        assert streamed == reference.read()
    parts: list[bytes] = []
    parser = MultipartParser(
        b"b0undary",
        {
            "on_part_begin": lambda: parts.append(b""),
            "on_part_data": lambda buf, start, end: parts.__setitem__(
                -1, parts[-1] + buf[start:end]
            ),
        },
    )
    for piece in pieces:
        parser.write(piece)
    parser.finalize()
    assert parts == [data]


def test_a_file_object_restarts_where_it_stood() -> None:
    handle = io.BytesIO(b"skip" + b"x" * 10_000)
    handle.seek(4)
    body = Upload(handle, filename="clip.mp4")
    first = b"".join(body.iter_body(piece_size=1000))
    assert first == b"".join(body.iter_body(piece_size=1000))
    assert b"skip" not in first
    assert b"x" * 10_000 in first

    class Pipe(io.RawIOBase):
        def seekable(self) -> bool:
            return False

    with pytest.raises(ValueError, match="seekable"):
        Upload(Pipe())  # type: ignore[arg-type]


def test_a_file_that_grows_meanwhile_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"a" * 100)
    body = Upload(path).iter_body(piece_size=10)
    next(body)
    with path.open("ab") as handle:
        handle.write(b"b" * 100)
    with pytest.raises(OSError, match="grew"):
        list(body)


def signed(payload: dict[str, object], msg_id: str = "msg_1") -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload)
    now = datetime.now(UTC)
    signature = Webhook(SECRET).sign(msg_id, now, body)
    headers = {
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(int(now.timestamp())),
        "Webhook-Signature": signature,
    }
    return body.encode(), headers


def test_unwrap_verifies_what_the_reference_signer_signed() -> None:
    body, headers = signed(
        {
            "type": "account.reauth_required",
            "timestamp": "2026-01-01T00:00:00.000Z",
            "data": {"account_id": "acct_1", "reason": "revoked"},
        }
    )
    event = Webhooks().unwrap(body, headers, SECRET)
    assert isinstance(event, AccountEvent)
    assert (event.id, event.data["account_id"]) == ("msg_1", "acct_1")

    with pytest.raises(WebhookVerificationError, match="no signature"):
        Webhooks().unwrap(body.replace(b"acct_1", b"acct_2"), headers, SECRET)
    stale = {**headers, "Webhook-Timestamp": str(int(time.time()) - 3600)}
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        Webhooks().unwrap(body, stale, SECRET)
    with pytest.raises(WebhookVerificationError, match="headers"):
        Webhooks().unwrap(body, {}, SECRET)


def test_a_signed_body_that_is_no_event_is_refused() -> None:
    body, headers = signed({"type": "post.published", "data": {"id": "post_1"}})
    with pytest.raises(WebhookVerificationError) as refused:
        Webhooks().unwrap(body, headers, SECRET)
    assert refused.value.code == "bad_payload"
    assert not isinstance(refused.value, PostEvent)


def test_the_local_listener_queues_verified_events_and_refuses_forged_ones() -> None:
    body, headers = signed(
        {
            "type": "account.reauth_required",
            "timestamp": "2026-01-01T00:00:00.000Z",
            "data": {"account_id": "acct_1", "reason": "revoked"},
        }
    )
    with WebhookListener(SECRET) as hook:
        forged = httpx.post(hook.url, content=body.replace(b"acct_1", b"acct_2"), headers=headers)
        assert forged.status_code == 400
        assert httpx.post(hook.url, content=body, headers=headers).status_code == 204
        event = hook.next(timeout=5)
        assert isinstance(event, AccountEvent)
        assert event.data["account_id"] == "acct_1"  # the forged one was never queued
        with pytest.raises(queue.Empty):
            hook.next(timeout=0.1)


def answer(status: int, error: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=error, headers=headers)


def test_error_answers_become_typed_errors() -> None:
    invalid = error_from_response(
        answer(422, {"error": {"code": "title_too_long", "message": "m", "field": "title"}})
    )
    assert isinstance(invalid, ValidationError)
    assert (invalid.code, invalid.field, invalid.status, invalid.retryable) == (
        "title_too_long",
        "title",
        422,
        False,
    )
    limited = error_from_response(
        answer(429, {"error": {"code": "rate_limited", "message": "m"}}, **{"Retry-After": "7"})
    )
    assert isinstance(limited, RateLimitError)
    assert (limited.retry_after, limited.retryable) == (7.0, True)
    proxy = error_from_response(httpx.Response(502, text="<html>bad gateway</html>"))
    assert isinstance(proxy, ServerError)
    assert (proxy.code, proxy.retryable) == ("http_502", True)


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    assert backoff(0, 3.0) == 3.0
    assert backoff(0, 3600.0) == 60.0
    for attempt, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (10, 8.0)):
        delay = backoff(attempt, None)
        assert ceiling * 0.75 <= delay <= ceiling
