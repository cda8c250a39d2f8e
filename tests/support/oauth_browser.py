"""Drive TikTok's consent page like a browser: GET the authorize URL, submit, follow back."""

from __future__ import annotations

import re
from typing import Any

import httpx


def consent_form(page: str) -> dict[str, Any]:
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', page))
    ticked = re.findall(r'name="granted_scope" value="([^"]*)" checked', page)
    return {**hidden, "granted_scope": ticked}


def authorize(
    authorize_url: str,
    *,
    decision: str = "approve",
    username: str = "",
    creator: str = "",
    **fields: str,
) -> httpx.Response:
    """Returns the response of the callback the consent page redirects to."""
    with httpx.Client(timeout=30) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200, page.text
        form = {**consent_form(page.text), "decision": decision}
        form.update(username=username, creator=creator, **fields)
        redirect = browser.post(str(page.url), data=form)
        assert redirect.status_code == 302, redirect.text
        return browser.get(redirect.headers["location"])
