"""Keyboard use, labels and cookies' flags: what the dashboard promises beyond its pages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi import Response
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browser import Driver, wait_for
from tests.support.dashboard import RunningDashboard
from tikpost.dashboard.sessions import start_cookie
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead
from tikpost.teams.sessions.service import Opened


def test_sign_in_by_keyboard_alone(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    driver.get(f"{dashboard.url}/sign-in")
    wait_for(driver, "#api_key")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    # The first stop is the skip link, shown when focused.
    focused = driver.switch_to.active_element
    assert focused.text == "Skip to content"
    assert focused.is_displayed()
    # Every field has a label a screen reader announces.
    for field in driver.find_elements(By.CSS_SELECTOR, "input:not([type=hidden])"):
        label = driver.find_element(By.CSS_SELECTOR, f"label[for={field.get_attribute('id')}]")
        assert label.text
    driver.find_element(By.CSS_SELECTOR, "#api_key").send_keys(team.key, Keys.ENTER)
    wait_for(driver, "#sign-out")
    # The current page is marked for assistive technology, not by colour alone.
    current = driver.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]")
    assert current.text == "Accounts"


def test_cookies_are_secure_behind_https(tmp_path: Path) -> None:
    team = TeamRead(id="team_x", name="x", created_at=datetime.now(UTC))
    opened = Opened(token="t0ken", session_id="ses_x", team=team)
    cookies: dict[str, str] = {}
    for url in ("https://tikpost.example", "http://127.0.0.1:8000"):
        settings = Settings(_env_file=None, data_dir=tmp_path, public_url=url)
        response = Response()
        start_cookie(response, opened, settings)
        session = next(
            value
            for name, value in response.raw_headers
            if name == b"set-cookie" and value.startswith(b"tikpost_session=")
        ).decode()
        cookies[url] = session
    assert "Secure" in cookies["https://tikpost.example"]
    assert "Secure" not in cookies["http://127.0.0.1:8000"]
    for cookie in cookies.values():
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
