"""A person sets an account's default privacy on the accounts page, choosing among exactly the
creator's options; a post that names none and finds no default waits in the review queue,
saying why, with no Approve button until a privacy is chosen."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.conftest import VideoFiles
from tests.dashboard.posts_helpers import posting
from tests.support.browser import Driver, screenshots, wait_for, wait_for_text
from tests.support.dashboard import RunningDashboard, sign_in


def test_default_privacy_on_the_accounts_page(
    driver: Driver, dashboard: RunningDashboard, videos: VideoFiles
) -> None:
    setup = posting(dashboard, videos.good, "dash_defaults")
    account_id = setup.account["id"]
    sign_in(driver, dashboard, setup.team.key)
    driver.get(f"{dashboard.url}/accounts")
    select = Select(wait_for(driver, f"#default-privacy-{account_id}"))
    # Exactly what the (private) sandbox creator offers, and "No default", preselected.
    assert [option.text for option in select.options] == [
        "No default",
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert select.first_selected_option.text == "No default"
    screenshots(driver, "accounts-default-privacy")
    select.select_by_visible_text("SELF_ONLY")
    driver.find_element(By.CSS_SELECTOR, ".save-default-privacy").click()
    wait_for_text(driver, "#flash", "@dash_defaults: default privacy is SELF_ONLY.")
    chosen = Select(driver.find_element(By.ID, f"default-privacy-{account_id}"))
    assert chosen.first_selected_option.text == "SELF_ONLY"
    account = setup.api.client.get(f"/v1/accounts/{account_id}").json()
    assert account["default_privacy_level"] == "SELF_ONLY"

    Select(driver.find_element(By.ID, f"default-privacy-{account_id}")).select_by_visible_text(
        "No default"
    )
    driver.find_element(By.CSS_SELECTOR, ".save-default-privacy").click()
    wait_for_text(driver, "#flash", "@dash_defaults: default privacy is no default.")

    # No default now: a post naming no privacy waits for a person, who sees why.
    body = {"account_id": account_id, "video": setup.video["id"], "title": "which audience?"}
    held = setup.api.post(**body)
    assert held["review_reason"] == "privacy_level_required"
    driver.get(f"{dashboard.url}/review")
    item = wait_for(driver, f"#review-{held['id']}")
    assert "Choose who can see it." in item.find_element(By.CSS_SELECTOR, ".review-reason").text
    assert "not chosen yet" in item.find_element(By.CSS_SELECTOR, ".review-choices").text
    assert not item.find_elements(By.CSS_SELECTOR, ".approve")
    assert item.find_element(By.CSS_SELECTOR, ".open-composer")
    screenshots(driver, "review-privacy-required")
