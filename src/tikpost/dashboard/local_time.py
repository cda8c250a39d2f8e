"""The viewer's time zone: pages show times as the person lives them, stored times stay UTC.

The browser knows its zone (`Intl`); static/timezone.js keeps it in a cookie, and a page may
also be given one as `?tz=` (a link to share, a test). An unknown name falls back to UTC, and
the page says which zone it shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request

COOKIE = "tikpost_tz"
MAX_NAME = 64


def zone_name(request: Request) -> str:
    """The zone asked for (query, then cookie) if it is one, else UTC."""
    # The script stores the name URL-encoded ("Europe%2FParis"): cookies take no "/" bare.
    stored = unquote(request.cookies.get(COOKIE) or "")
    for candidate in (request.query_params.get("tz"), stored):
        if candidate and len(candidate) <= MAX_NAME and _zone(candidate) is not None:
            return candidate
    return "UTC"


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str) -> tzinfo:
    return _zone(name) or UTC


def local(moment: datetime | None, name: str, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """`moment` as the viewer's wall clock reads it ("" for none)."""
    if moment is None:
        return ""
    return moment.astimezone(zone(name)).strftime(pattern)


def local_input(moment: datetime | None, name: str) -> str:
    """The value of an <input type="datetime-local"> showing `moment`."""
    return "" if moment is None else moment.astimezone(zone(name)).strftime("%Y-%m-%dT%H:%M")


def start_of(day: date, name: str) -> datetime:
    """Midnight of `day` in the viewer's zone, as a UTC instant."""
    return datetime.combine(day, time(), tzinfo=zone(name)).astimezone(UTC)


def today(name: str) -> date:
    return datetime.now(zone(name)).date()


def parse_local(value: str, name: str) -> datetime | None:
    """A datetime-local input's value, read in the viewer's zone, as UTC; None if not one."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=zone(name)).astimezone(UTC)
