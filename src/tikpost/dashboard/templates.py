"""Rendering a page: the Jinja2 environment and the context every template gets.

`render(request, "page.html", {...}, signed=signed)` adds what base.html needs: the team, the
CSRF token (also for htmx, through `hx-headers` on <body>), the nav, a pending flash message,
and in sandbox mode the SANDBOX MODE banner with links to the emulator's operator views.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tikpost import __version__
from tikpost.dashboard import csrf, flash
from tikpost.state import app_state
from tikpost.teams.sessions.service import SignedIn

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
HOME = "/accounts"

templates = Jinja2Templates(directory=TEMPLATE_DIR)


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


# The pages, in the order the nav shows them.
NAV = (
    NavItem("Compose", "/compose"),
    NavItem("Posts", "/posts"),
    NavItem("Review", "/review"),
    NavItem("Calendar", "/calendar"),
    NavItem("Accounts", "/accounts"),
    NavItem("Webhooks", "/webhooks"),
    NavItem("API keys", "/keys"),
)


@dataclass(frozen=True)
class SandboxLink:
    label: str
    url: str


def sandbox_links(request: Request) -> list[SandboxLink]:
    """The emulator's operator views a demo needs; empty unless the sandbox is mounted."""
    state = app_state(request)
    if state.sandbox_config is None:
        return []
    base = f"{state.settings.tiktok_api_url}/_sandbox"
    return [SandboxLink("Sandbox creators", f"{base}/creators")]


def creator_posts_url(request: Request, open_id: str) -> str | None:
    """Where the sandbox lists what a creator has posted (None outside sandbox mode)."""
    state = app_state(request)
    if state.sandbox_config is None:
        return None
    return f"{state.settings.tiktok_api_url}/_sandbox/creators/{open_id}/posts"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    signed: SignedIn | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = app_state(request).settings
    binding, new_binding = csrf.page_binding(request)
    pending = flash.read_flash(request, settings)
    path = request.url.path
    full: dict[str, Any] = {
        "signed": signed,
        "team": signed.team if signed else None,
        "csrf_token": csrf.token_for(settings, binding),
        "csrf_field": csrf.FORM_FIELD,
        "csrf_header": csrf.HEADER,
        "nav": [(item, path == item.path or path.startswith(item.path + "/")) for item in NAV],
        "flash": pending,
        "sandbox_mode": app_state(request).sandbox_config is not None,
        "sandbox_links": sandbox_links(request),
        "static": STATIC_PATH,
        "version": __version__,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, full, status_code=status)
    # Pages may show a secret once (a new key): never cached; never framed (clickjacking).
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if new_binding:
        csrf.set_pre_sign_in_cookie(response, binding, settings)
    if pending is not None:
        response.delete_cookie(flash.COOKIE)
    return response
