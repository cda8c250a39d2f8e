"""Secrets never reach a log line; JSON lines carry the post and account being worked on."""

from __future__ import annotations

import json
import logging

import pytest

from tikpost.kit.logs import JsonFormatter, install_redaction, log_context


@pytest.fixture(autouse=True)
def redaction() -> None:
    install_redaction()


@pytest.mark.parametrize(
    ("message", "args", "secret"),
    [
        ("token %s", ("act.9f8e7d6c5b4a3f2e1d0c",), "act.9f8e7d6c5b4a3f2e1d0c"),
        ("refresh %s", ("rft.abcdefghijklmnop",), "rft.abcdefghijklmnop"),
        ("key tp_AbCdEfGhIjKlMnOpQrStUvWx used", (), "tp_AbCdEfGhIjKlMnOpQrStUvWx"),
        ("%s", ("GET /v1/oauth/tiktok/callback?code=S3cr3tC0de&state=abc.def",), "S3cr3tC0de"),
        ("PUT %s", ("http://tiktok/video/?upload_id=1&upload_token=Xza123",), "Xza123"),
        ("headers %s", ({"Authorization": "Bearer whatever-token"},), "whatever-token"),
        ("secret %s", ("whsec_QUJDREVGR0hJSktMTU5PUFFS",), "whsec_QUJDREVGR0hJSktMTU5PUFFS"),
    ],
)
def test_secrets_are_redacted(
    caplog: pytest.LogCaptureFixture, message: str, args: tuple[object, ...], secret: str
) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("tikpost.test").info(message, *args)
    assert secret not in caplog.text
    assert "[redacted]" in caplog.text


def test_numbers_keep_their_format(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("tikpost.test").info("%s - %d bytes", "upload", 42)
    assert "upload - 42 bytes" in caplog.text


def test_json_lines_carry_post_and_account(caplog: pytest.LogCaptureFixture) -> None:
    token = log_context.set({"post_id": "post_1", "account_id": "acct_1"})
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("tikpost.test").info("uploading with %s", "act.0123456789abcdef")
    finally:
        log_context.reset(token)
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["post_id"] == "post_1"
    assert line["account_id"] == "acct_1"
    assert line["message"] == "uploading with [redacted]"
    assert line["level"] == "INFO"
