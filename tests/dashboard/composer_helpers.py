"""What the composer's browser tests share: TikTok's strings, and driving the page."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.browser import Driver, wait_for, wait_for_text, wait_until
from tests.support.dashboard import RunningDashboard, sign_in

MUSIC = "By posting, you agree to TikTok's Music Usage Confirmation"
BRANDED = "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation"
PROMOTIONAL = "Your photo/video will be labeled as 'Promotional content'"
PAID = "Your photo/video will be labeled as 'Paid partnership'"
NEED_CHOICE = "You need to indicate if your content promotes yourself, a third party, or both."
NOT_PRIVATE = "Branded content visibility cannot be set to private."
PROCESSING = "Your content may take a few minutes to process and appear on your profile."


def css(driver: Driver, selector: str) -> Any:
    return driver.find_element("css selector", selector)


def attr(element: Any, name: str) -> str:
    """An attribute's value, "" when absent."""
    return str(element.get_attribute(name) or "")


def shown(driver: Driver, selector: str) -> bool:
    return bool(css(driver, selector).is_displayed())


def creator_api(dashboard: RunningDashboard) -> httpx.Client:
    return httpx.Client(base_url=f"{dashboard.url}/sandbox/_sandbox", timeout=30)


def patch_creator(dashboard: RunningDashboard, username: str, **fields: Any) -> None:
    with creator_api(dashboard) as op:
        creators = op.get("/creators").json()["creators"]
        open_id = next(c["open_id"] for c in creators if c["username"] == username)
        op.patch(f"/creators/{open_id}", json=fields).raise_for_status()


def open_composer(
    driver: Driver, dashboard: RunningDashboard, username: str, **consent: str
) -> dict[str, Any]:
    """A new team with one connected sandbox creator, signed in, on the composer."""
    team = dashboard.new_team()
    account = dashboard.api(team.key).connect_account(username, **consent)
    sign_in(driver, dashboard, team.key)
    driver.get(f"{dashboard.url}/compose")
    wait_for(driver, "#composer")
    return {"team": team, "account": account}


def options(driver: Driver) -> list[str]:
    """The privacy listbox's labels (read while it is closed)."""
    found = driver.find_elements("css selector", "#privacy-list [role=option]")
    return [attr(o, "textContent").strip() for o in found]


def choose_privacy(driver: Driver, label: str) -> None:
    css(driver, "#privacy-button").click()
    option = next(
        o
        for o in driver.find_elements("css selector", "#privacy-list [role=option]")
        if o.text == label
    )
    option.click()


def post_status(driver: Driver) -> object:
    """The status shown, read in one step: htmx replaces the element as it polls."""
    return driver.execute_script(
        "var e = document.getElementById('post-status'); return e && e.dataset.status"
    )


def publish_and_wait(driver: Driver, final: str = "published") -> None:
    """Press publish; the notice appears, then htmx polls until the post is `final`."""
    wait_until(driver, lambda d: css(d, "#publish").is_enabled())
    css(driver, "#publish").click()
    wait_for_text(driver, "#processing-notice", PROCESSING)
    url = driver.current_url
    wait_until(driver, lambda d: post_status(d) == final)
    assert driver.current_url == url  # no reload: the status came in by polling
