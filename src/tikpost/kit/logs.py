"""Logging that never carries a secret, optionally as JSON lines.

Every record is redacted when it is created, before any handler (a file, the console, pytest's
capture) sees it: TikTok access and refresh tokens (`act.…`, `rft.…`), our API keys (`tp_…`),
webhook secrets (`whsec_…`), and the values of secret-bearing query parameters (OAuth `code`
and `state`, upload tokens, link signatures) that uvicorn's and httpx's request lines include.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = [
    re.compile(r"\b(act|rft)\.[A-Za-z0-9._~*!-]{8,}"),
    re.compile(r"\btp_[A-Za-z0-9_-]{16,}"),
    re.compile(r"\bwhsec_[A-Za-z0-9+/=]{16,}"),
    re.compile(
        r"(?<=[?&])(code|state|upload_token|token|access_token|refresh_token|client_secret|sig)"
        r"=[^&\s\"']+"
    ),
    re.compile(r"(?i)(authorization|x-api-key)(['\"]?\s*[:=]\s*['\"]?)(bearer\s+)?[^\s'\",}]+"),
    re.compile(r"(?i)\bbearer\s+[^\s'\",}]+"),
]
# Set by whoever works on a post (the publish workflow): added to every log line meanwhile.
log_context: ContextVar[dict[str, str] | None] = ContextVar("tikpost_log_context", default=None)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        if pattern.groups >= 2 and pattern.pattern.startswith("(?i)"):
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        elif pattern.pattern.startswith("(?<="):
            text = pattern.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


_base_factory = logging.getLogRecordFactory()


def _redact_value(value: Any) -> Any:
    """Numbers stay numbers (for `%d`); anything else is logged as text, so redact that text
    (httpx logs `httpx.URL` objects, whose query may hold an upload token)."""
    if value is None or isinstance(value, int | float):
        return value
    return redact(str(value))


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Redact the message and each argument, keeping their shapes: some formatters (uvicorn's
    access log) read `record.args` as the tuple they logged."""
    record = _base_factory(*args, **kwargs)
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_value(value) for value in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _redact_value(value) for key, value in record.args.items()}
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    context = log_context.get()
    if context:
        record.__dict__.update(context)
    return record


def install_redaction() -> None:
    """Redact every log record of this process (idempotent)."""
    if logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the post/account ids of the work in progress."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("post_id", "account_id"):
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry)


def configure(json_lines: bool) -> None:
    """The CLI's logging: redacted always, JSON lines on request (`TIKPOST_LOG_FORMAT=json`)."""
    install_redaction()
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else logging.Formatter("%(levelname)s:     %(name)s: %(message)s")
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # DBOS gives its logger a console handler of its own format unless it already has one.
    dbos = logging.getLogger("dbos")
    dbos.handlers = [handler]
    dbos.propagate = False
