"""API keys (create shown once, revoke; revoking the session's own key ends the session) and
webhook endpoints (add with the secret shown once, delete; deliveries with their attempts)."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By

from tests.conftest import VideoFiles
from tests.support.browser import (
    Driver,
    screenshots,
    wait_for,
    wait_for_text,
    wait_for_text_containing,
)
from tests.support.dashboard import RunningDashboard, sign_in


def test_create_and_revoke_a_key(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    driver.get(f"{dashboard.url}/keys")
    wait_for(driver, "#create-key").click()
    new_key = wait_for(driver, "#new-key-value").text
    assert new_key.startswith("tp_")
    rows = driver.find_elements(By.CSS_SELECTOR, "#keys tbody tr")
    assert len(rows) == 2
    new_row = rows[1].get_attribute("id")
    screenshots(driver, "keys-created")
    # The new key works on the API, and is never shown again.
    api = dashboard.api(new_key)
    assert api.client.get("/v1/team").json()["name"] == team.name
    driver.get(f"{dashboard.url}/keys")
    wait_for(driver, "#keys")
    assert new_key not in driver.page_source

    driver.find_element(By.CSS_SELECTOR, f"#{new_row} button").click()
    wait_for_text_containing(driver, "#flash", "is revoked.")
    row = driver.find_element(By.CSS_SELECTOR, f"#{new_row}")
    assert row.find_element(By.CSS_SELECTOR, ".badge").text == "revoked"
    assert api.client.get("/v1/team").status_code == 401
    screenshots(driver, "keys-revoked")


def test_revoking_the_sessions_own_key_ends_it(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    driver.get(f"{dashboard.url}/keys")
    own = wait_for(driver, "#keys tbody tr")
    assert "(this session)" in own.text
    own.find_element(By.CSS_SELECTOR, "button").click()
    wait_for_text_containing(driver, "#flash", "you are signed out")
    driver.get(f"{dashboard.url}/keys")
    wait_for(driver, "#api_key")


def test_a_key_revoked_elsewhere_ends_the_session(
    driver: Driver, dashboard: RunningDashboard
) -> None:
    """`tikpost keys revoke` (or another browser) revokes it: this session ends too."""
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    listing = dashboard.cli("keys", "list")
    key_id = next(line.split()[1] for line in listing.splitlines() if team.key[:11] in line)
    dashboard.cli("keys", "revoke", key_id)
    driver.get(f"{dashboard.url}/accounts")
    wait_for(driver, "#api_key")


def test_another_teams_key_cannot_be_revoked(driver: Driver, dashboard: RunningDashboard) -> None:
    owner = dashboard.new_team("owner")
    listing = dashboard.cli("keys", "list")
    key_id = next(line.split()[1] for line in listing.splitlines() if owner.key[:11] in line)
    stranger = dashboard.new_team("stranger")
    sign_in(driver, dashboard, stranger.key)
    driver.get(f"{dashboard.url}/keys")
    wait_for(driver, "#keys")
    assert owner.key[:11] not in driver.page_source
    # Post the stranger's own form at the owner's key: found nowhere, so nothing revoked.
    driver.execute_script(
        "document.querySelector('#keys form').action = arguments[0];", f"/keys/{key_id}/revoke"
    )
    driver.find_element(By.CSS_SELECTOR, "#keys form button").click()
    wait_for_text(driver, "#error-code", "api_key_not_found")
    assert dashboard.api(owner.key).client.get("/v1/team").status_code == 200


def test_webhook_endpoint_add_deliveries_delete(
    driver: Driver, dashboard: RunningDashboard, videos: VideoFiles
) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    driver.get(f"{dashboard.url}/webhooks")
    assert wait_for(driver, "#no-endpoints")
    wait_for(driver, "#add-endpoint-toggle").click()
    # A receiver that answers 405 to a POST: deliveries fail visibly, with their attempts.
    receiver = f"{dashboard.url}/healthz"
    wait_for(driver, "#endpoint-url").send_keys(receiver)
    driver.find_element(By.CSS_SELECTOR, "input[value='post.published']").click()
    driver.find_element(By.CSS_SELECTOR, "#add-endpoint-submit").click()
    secret = wait_for(driver, "#new-endpoint-secret").text
    assert secret.startswith("whsec_")
    assert driver.find_element(By.CSS_SELECTOR, ".endpoint-url").text == receiver
    screenshots(driver, "webhooks-added")
    driver.get(f"{dashboard.url}/webhooks")
    wait_for(driver, ".endpoint")
    assert secret not in driver.page_source

    api = dashboard.api(team.key)
    account = api.connect_account("dash_hooked")
    media = api.upload(videos.good)
    post = api.post(account_id=account["id"], video=media["id"], privacy_level="SELF_ONLY")
    assert api.wait_final(post["id"])["status"] == "published"
    deadline = time.monotonic() + 30
    while not api.client.get("/v1/webhook-deliveries").json()["items"][0]["attempt_count"]:
        assert time.monotonic() < deadline, "the delivery was never attempted"
        time.sleep(0.1)
    driver.get(f"{dashboard.url}/webhooks")
    row = wait_for(driver, "#deliveries tbody tr")
    assert "post.published" in row.text
    screenshots(driver, "webhooks-deliveries")
    row.find_element(By.CSS_SELECTOR, "a").click()
    attempt = wait_for(driver, "#attempts tbody tr")
    assert "405" in attempt.text
    screenshots(driver, "webhook-delivery")

    driver.get(f"{dashboard.url}/webhooks")
    wait_for(driver, ".delete-endpoint").click()
    wait_for_text_containing(driver, "#flash", "is deleted.")
    assert wait_for(driver, "#no-endpoints")
    assert api.client.get("/v1/webhook-endpoints").json()["items"] == []


def test_a_bad_webhook_url_is_explained(driver: Driver, dashboard: RunningDashboard) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    driver.get(f"{dashboard.url}/webhooks")
    wait_for(driver, "#add-endpoint-toggle").click()
    field = wait_for(driver, "#endpoint-url")
    # The browser's own type=url check is bypassed, as a script could: the server decides.
    driver.execute_script("arguments[0].type = 'text';", field)
    field.send_keys("ftp://example.com/x")
    driver.find_element(By.CSS_SELECTOR, "#add-endpoint-submit").click()
    wait_for_text_containing(driver, "#endpoint-error", "http")
    assert driver.find_element(By.CSS_SELECTOR, "#endpoint-url").get_attribute("value") == (
        "ftp://example.com/x"
    )
    screenshots(driver, "webhooks-error")
