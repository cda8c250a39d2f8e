"""CSRF tokens: every state-changing dashboard request proves it came from our own page.

The token is an HMAC of the cookie that binds the browser: the session cookie once signed in,
before that a random pre-sign-in cookie (so the sign-in form is covered too). Nothing is
stored: a page renders the token, the request sends it back as the `csrf_token` form field or
the `X-CSRF-Token` header (htmx sends it from `hx-headers` on <body>), and a request whose
token does not match its cookie is refused with 403. A cross-site page can make the browser
send our cookies but can read neither them nor our pages, so it cannot forge the token.
"""

from __future__ import annotations

import hmac

from fastapi import Request, Response

from tikpost.deps import SettingsDep
from tikpost.kit.crypto import Signer, random_token
from tikpost.settings import Settings

SESSION_COOKIE = "tikpost_session"
PRE_SIGN_IN_COOKIE = "tikpost_presign"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRefusedError(Exception):
    """A state-changing request without the token of its own session (rendered as 403)."""


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), "dashboard-csrf")


def _binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_SIGN_IN_COOKIE)


def token_for(settings: Settings, binding: str) -> str:
    return _signer(settings).signature(binding)


def secure_cookies(settings: Settings) -> bool:
    """Cookies say `Secure` when the service is reached over https (TIKPOST_PUBLIC_URL)."""
    return settings.public_url.startswith("https://")


def page_binding(request: Request) -> tuple[str, bool]:
    """What a page's token is bound to, and whether it is new: a cookie-less browser gets a
    pre-sign-in cookie, so even the sign-in form has something to be bound to."""
    binding = _binding(request)
    if binding is not None:
        return binding, False
    return random_token(24), True


def set_pre_sign_in_cookie(response: Response, binding: str, settings: Settings) -> None:
    response.set_cookie(
        PRE_SIGN_IN_COOKIE, binding, httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


async def check_csrf(request: Request, settings: SettingsDep) -> None:
    """The dashboard router's own dependency: runs before every dashboard route.

    Also marks the request as the dashboard's, so errors render as pages (see errors.py).
    """
    request.state.dashboard = True
    if request.method in _SAFE_METHODS:
        return
    binding = _binding(request)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(FORM_FIELD)
        sent = value if isinstance(value, str) else None
    if binding is None or sent is None:
        raise CsrfRefusedError
    expected = token_for(settings, binding)
    if not hmac.compare_digest(expected.encode(), sent.encode()):
        raise CsrfRefusedError
