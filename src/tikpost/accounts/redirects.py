"""Where a connect started by another app sends the creator's browser afterwards.

A SaaS embedding tikpost starts the connect for its own user and wants the browser back on its
own page, told the account id or what went wrong. Only origins the operator listed
(TIKPOST_CONNECT_REDIRECT_ORIGINS) are accepted, compared exactly (scheme, host, port), so the
callback can never be made to bounce a browser to an arbitrary site.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tikpost.kit.errors import ApiError

MAX_URI = 2000


def _origin(scheme: str, netloc: str) -> str:
    return f"{scheme.lower()}://{netloc.lower()}"


def allowed_redirect(uri: str, allowed_origins: Sequence[str], field: str) -> str:
    """`uri` if it is an absolute http(s) URL on a listed origin; a 422 naming `field` if not."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        parts = None
    origins = {origin.rstrip("/").lower() for origin in allowed_origins}
    if (
        parts is None
        or len(uri) > MAX_URI
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.fragment
        or _origin(parts.scheme, parts.netloc) not in origins
    ):
        listed = ", ".join(sorted(origins)) or "none are configured"
        raise ApiError(
            422,
            "redirect_uri_not_allowed",
            f"{field} must be an http(s) URL, without a fragment, on an origin listed in "
            f"TIKPOST_CONNECT_REDIRECT_ORIGINS ({listed})",
            field,
        )
    return uri


def with_outcome(uri: str, **outcome: str) -> str:
    """`uri` with the outcome added to its query (its own parameters kept)."""
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in outcome]
    return urlunsplit(parts._replace(query=urlencode([*query, *outcome.items()])))
