"""Signing in and out of the dashboard, and what a session survives (and what it does not)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from typer.testing import CliRunner

from tests.support.browser import Driver, screenshots, wait_for, wait_for_text_containing
from tests.support.dashboard import RunningDashboard, sign_in
from tikpost.cli import app as cli_app


def test_sign_in_with_a_key_and_out(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    driver.get(f"{dashboard.url}/accounts")
    # Not signed in: sent to the sign-in page, which remembers where the browser was going.
    wait_for(driver, "#api_key")
    assert driver.current_url.endswith("/sign-in?next=/accounts")
    wait_for_text_containing(driver, "#sandbox-banner", "SANDBOX MODE")
    screenshots(driver, "sign-in")

    sign_in(driver, dashboard, team.key)
    assert driver.current_url == f"{dashboard.url}/accounts"
    assert team.name in driver.find_element("css selector", ".team-name").text
    assert "SANDBOX MODE" in driver.find_element("css selector", "#sandbox-banner").text
    # The browser holds an opaque session, never the key; the cookie is out of scripts' reach.
    cookies = {c["name"]: c for c in driver.get_cookies()}
    session = cookies["tikpost_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert team.key not in session["value"]
    assert driver.execute_script("return document.cookie") == ""
    screenshots(driver, "accounts-empty")

    driver.find_element("css selector", "#sign-out").click()
    wait_for(driver, "#api_key")
    driver.get(f"{dashboard.url}/accounts")
    wait_for(driver, "#api_key")
    # The old cookie is dead on the server too, not just forgotten by the browser.
    with httpx.Client(base_url=dashboard.url) as client:
        client.cookies.set("tikpost_session", session["value"])
        assert client.get("/accounts").headers["location"].startswith("/sign-in")


def test_a_wrong_key_is_refused(driver: Driver, dashboard: RunningDashboard) -> None:
    driver.get(f"{dashboard.url}/sign-in")
    wait_for(driver, "#api_key").send_keys("tp_not-a-key")
    driver.find_element("css selector", "#sign-in-submit").click()
    wait_for_text_containing(driver, "#sign-in-error", "not valid")
    screenshots(driver, "sign-in-refused")


def test_sign_in_link_works_once(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    link = dashboard.sign_in_link(team.name)
    assert link.startswith(f"{dashboard.url}/sign-in/")
    driver.get(link)
    wait_for(driver, "#sign-out")
    assert team.name in driver.find_element("css selector", ".team-name").text

    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get(link)
    wait_for_text_containing(driver, "#sign-in-error", "already used")


def test_an_expired_sign_in_link_is_refused(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    link = dashboard.sign_in_link(team.name)
    dashboard.expire_all_links()
    driver.get(link)
    wait_for_text_containing(driver, "#sign-in-error", "expired")


def test_an_idle_session_is_over(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    dashboard.idle_all_sessions(timedelta(hours=dashboard.settings.dashboard_idle_hours))
    driver.get(f"{dashboard.url}/keys")
    wait_for(driver, "#api_key")
    assert "/sign-in" in driver.current_url


def test_state_changes_need_the_csrf_token(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    cookie = driver.get_cookie("tikpost_session")
    assert cookie is not None
    with httpx.Client(base_url=dashboard.url) as client:
        client.cookies.set("tikpost_session", cookie["value"])
        # Signed in, but no token, or a wrong one: refused before anything happens.
        assert client.post("/keys").status_code == 403
        assert client.post("/keys", data={"csrf_token": "forged"}).status_code == 403
        assert client.post("/keys", headers={"X-CSRF-Token": "forged"}).status_code == 403
        page = client.get("/keys")
        assert page.status_code == 200
        assert page.text.count('<tr id="key-') == 1  # nothing was created
    # The browser's own form carries the token and works.
    driver.get(f"{dashboard.url}/keys")
    wait_for(driver, "#create-key").click()
    assert wait_for(driver, "#new-key-value").text.startswith("tp_")
    # A page from elsewhere cannot post with the browser's cookie either: no token to send.
    with httpx.Client(base_url=dashboard.url) as client:
        assert client.post("/sign-in", data={"api_key": team.key}).status_code == 403


def test_no_link_for_a_team_that_does_not_exist(dashboard: RunningDashboard) -> None:
    env = {
        "TIKPOST_DATA_DIR": str(dashboard.settings.data_dir),
        "TIKPOST_DATABASE_URL": dashboard.settings.database_url,
    }
    result = CliRunner().invoke(cli_app, ["dashboard-link", "--team", "nobody"], env=env)
    assert result.exit_code == 1
    assert "no team named 'nobody'" in result.stderr
    assert result.stdout == ""
