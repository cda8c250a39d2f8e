"""TikTok's webhook signature: `TikTok-Signature: t=<unix time>,s=<hex HMAC-SHA256>`.

The signed payload is `"<t>.<raw body>"` and the key is the app's client secret (TikTok's
webhook verification guide). Old timestamps are refused so a captured event cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from tikpost.kit.parse import parse_uint

DEFAULT_TOLERANCE_SEC = 300


def sign(client_secret: str, raw_body: bytes, timestamp: int) -> str:
    mac = hmac.new(client_secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256)
    return f"t={timestamp},s={mac.hexdigest()}"


def verify_signature(
    header: str | None,
    raw_body: bytes,
    client_secret: str,
    *,
    tolerance_sec: int = DEFAULT_TOLERANCE_SEC,
    now: float | None = None,
) -> bool:
    """True only for a well-formed header whose signature matches and whose time is recent."""
    if not header:
        return False
    parts: dict[str, str] = {}
    for piece in header.split(","):
        key, _, value = piece.strip().partition("=")
        parts[key] = value
    # Anyone can reach the receiver: a timestamp of thousands of digits, or of other scripts'
    # digits, is just a header that does not verify.
    stamp, signature = parse_uint(parts.get("t")), parts.get("s", "")
    if stamp is None or not signature:
        return False
    if abs((now if now is not None else time.time()) - stamp) > tolerance_sec:
        return False
    expected = sign(client_secret, raw_body, stamp).rpartition("s=")[2]
    return hmac.compare_digest(expected.encode(), signature.lower().encode())
