"""The accounts page: connect through TikTok's (the sandbox's) consent page and land back here,
reconnect, disconnect with a confirmation, and another team's account is not found."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.support.browser import (
    Driver,
    screenshots,
    wait_for,
    wait_for_text,
    wait_for_text_containing,
)
from tests.support.dashboard import RunningDashboard, sign_in


def consent(driver: Driver, *, username: str = "", creator: str = "") -> None:
    """On the sandbox's consent page: pick (or name) a creator and authorize."""
    wait_for(driver, "button[value=approve]")
    assert "/sandbox/v2/auth/authorize/" in driver.current_url
    if creator:
        Select(driver.find_element(By.NAME, "creator")).select_by_visible_text(creator)
    else:
        driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()


def test_connect_reconnect_disconnect(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    screenshots(driver, "accounts-none")
    wait_for(driver, "#connect-account").click()
    consent(driver, username="dash_alice")

    # Back in the dashboard, not on a bare "you can close this window" page.
    message = wait_for(driver, "#flash")
    assert message.text == "@dash_alice is connected."
    assert driver.current_url.startswith(f"{dashboard.url}/accounts?connected=")
    card = driver.find_element(By.CSS_SELECTOR, "article.account")
    assert card.find_element(By.CSS_SELECTOR, "h2").text == "@dash_alice"
    assert card.find_element(By.CSS_SELECTOR, ".status").text == "ready"
    assert card.find_element(By.CSS_SELECTOR, ".sandbox-posts").get_attribute("href")
    screenshots(driver, "accounts-connected")

    card.find_element(By.CSS_SELECTOR, ".reconnect").click()
    consent(driver, creator="dash_alice")
    wait_for_text(driver, "#flash", "@dash_alice is reconnected.")
    assert len(driver.find_elements(By.CSS_SELECTOR, "article.account")) == 1

    driver.find_element(By.CSS_SELECTOR, ".disconnect").click()
    wait_for_text_containing(driver, "h1", "Disconnect @dash_alice?")
    screenshots(driver, "account-disconnect-confirm")
    driver.find_element(By.CSS_SELECTOR, "#confirm-disconnect").click()
    wait_for_text(driver, "#flash", "@dash_alice is disconnected.")
    card = driver.find_element(By.CSS_SELECTOR, "article.account")
    assert card.find_element(By.CSS_SELECTOR, ".status").text == "revoked"
    assert "Reconnect" in card.find_element(By.CSS_SELECTOR, ".what-to-do").text
    assert "disconnected" in card.find_element(By.CSS_SELECTOR, ".reason").text
    assert not card.find_elements(By.CSS_SELECTOR, ".disconnect")
    screenshots(driver, "accounts-revoked")
    # The API sees the same account, revoked: one rule, one state.
    api = dashboard.api(team.key)
    assert [a["status"] for a in api.client.get("/v1/accounts").json()["items"]] == ["revoked"]


def test_a_denied_connect_comes_back_with_the_reason(
    driver: Driver, dashboard: RunningDashboard
) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    wait_for(driver, "#connect-account").click()
    wait_for(driver, "button[value=deny]").click()
    message = wait_for(driver, "#flash")
    assert "permission was not granted" in message.text
    assert not driver.find_elements(By.CSS_SELECTOR, "article.account")


def test_an_api_connect_keeps_its_own_page(dashboard: RunningDashboard) -> None:
    """A connect started through the API (no dashboard) still ends on the callback's page."""
    team = dashboard.new_team()
    account = dashboard.api(team.key).connect_account("dash_api_only")
    assert account["status"] == "ready"


def test_another_teams_account_is_not_found(driver: Driver, dashboard: RunningDashboard) -> None:
    owner = dashboard.new_team("owner")
    account = dashboard.api(owner.key).connect_account("dash_owned")
    stranger = dashboard.new_team("stranger")
    sign_in(driver, dashboard, stranger.key)
    assert not driver.find_elements(By.CSS_SELECTOR, "article.account")
    driver.get(f"{dashboard.url}/accounts/{account['id']}/disconnect")
    wait_for_text(driver, "h1", "Not found")
    assert driver.find_element(By.CSS_SELECTOR, "#error-code").text == "account_not_found"
    assert driver.find_element(By.CSS_SELECTOR, "#sign-out")  # still signed in, nav kept
    screenshots(driver, "not-found")
