"""Strict parsers for what arrives from outside: numbers in headers, text in JSON, times.

Python's own parsers are generous in ways that turn valid-looking input into 500s: `int()`
takes "١٢٣" and "1_000" but refuses past 4300 digits, `str.isdigit()` passes "²" which `int()`
then refuses, a JSON `"\\ud800"` escape decodes to a string no database or UTF-8 encoder takes,
and an aware datetime at the edge of the calendar overflows when moved to UTC. Everything
parsed from a request goes through here, so each of those is a clean "no" (None or a
ValueError that pydantic turns into a 422 naming the field), never an exception further in.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

# 18 digits always fit a signed 64-bit column and never come near int()'s digit limit.
MAX_DIGITS = 18
INT32_MAX = 2**31 - 1
_DIGITS = {size: re.compile(f"[0-9]{{1,{size}}}") for size in range(1, MAX_DIGITS + 1)}


def parse_uint(text: str | bytes | None, max_digits: int = MAX_DIGITS) -> int | None:
    """A non-negative integer written in 1 to `max_digits` ASCII digits, else None.

    No sign, no spaces, no underscores, no other scripts' digits: what HTTP headers and
    query strings mean by a number (RFC 9110's `1*DIGIT`), with a length that keeps it small.
    """
    if text is None:
        return None
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            return None
    pattern = _DIGITS[max(1, min(max_digits, MAX_DIGITS))]
    return int(text) if pattern.fullmatch(text) else None


def parse_seconds(text: str | None, limit: float) -> float | None:
    """A finite, non-negative number of seconds up to `limit` (a Retry-After), else None."""
    if text is None or len(text) > 32:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return min(value, limit)


def encodable(text: str) -> bool:
    """Whether `text` survives UTF-8: a lone surrogate (a JSON `\\ud800`) does not."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(value: str) -> str:
    if not encodable(value):
        raise ValueError("must be valid Unicode text (it holds a lone UTF-16 surrogate)")
    return value


def check_strings(value: Any) -> None:
    """ValueError if any string in `value` (a parsed JSON document) is not valid Unicode."""
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_strings(key)
            check_strings(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_strings(item)


def to_utc(value: datetime) -> datetime:
    """`value` in UTC, or ValueError for a time the calendar cannot hold once converted."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the range of dates this server can hold in UTC") from None


class RequestModel(BaseModel):
    """The base of every request body: unknown keys refused, every string valid Unicode.

    The text check runs on every field (and inside lists), so a body field added later cannot
    forget it.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        check_strings(value)
        return value
