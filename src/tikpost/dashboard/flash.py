"""One-shot messages across a redirect ("Key revoked."), in a short signed cookie.

Signed so that nobody can plant text on our page by setting a cookie; read once, then cleared.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response

from tikpost.dashboard.csrf import secure_cookies
from tikpost.kit.crypto import Signer
from tikpost.settings import Settings

COOKIE = "tikpost_flash"
Kind = Literal["success", "error"]


@dataclass(frozen=True)
class Flash:
    message: str
    kind: Kind = "success"


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), "dashboard-flash")


def set_flash(response: Response, settings: Settings, message: str, kind: Kind = "success") -> None:
    encoded = base64.urlsafe_b64encode(json.dumps({"m": message, "k": kind}).encode()).decode()
    value = _signer(settings).sign(encoded.rstrip("="))
    response.set_cookie(
        COOKIE, value, max_age=60, httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


def read_flash(request: Request, settings: Settings) -> Flash | None:
    raw = request.cookies.get(COOKIE)
    payload = _signer(settings).unsign(raw) if raw else None
    if payload is None:
        return None
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return Flash(str(data["m"]), "error" if data.get("k") == "error" else "success")
