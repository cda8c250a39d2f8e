"""The posts list follows a post live (no reload), filters, and a post's page with its
timeline, publish_id, error and the cancel and retry buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.conftest import VideoFiles
from tests.dashboard.posts_helpers import posting
from tests.support.browser import Driver, screenshots, wait_for, wait_for_text, wait_until
from tests.support.dashboard import RunningDashboard, sign_in


def badge(driver: Driver, post_id: str) -> str:
    """Read in one script call: htmx may swap the row between a find and a read."""
    text = driver.execute_script(
        "const found = document.querySelector(arguments[0]);"
        "return found ? found.textContent.trim() : '';",
        f"#post-{post_id} .status",
    )
    return str(text)


def test_the_list_follows_a_post_to_published_without_a_reload(
    driver: Driver, dashboard: RunningDashboard, videos: VideoFiles
) -> None:
    setup = posting(dashboard, videos.good, "dash_lister")
    held = setup.post(title="live #update", review="required")
    sign_in(driver, dashboard, setup.team.key)
    driver.get(f"{dashboard.url}/posts")
    assert badge(driver, held["id"]) == "awaiting review"
    assert "@dash_lister" in driver.find_element(By.CSS_SELECTOR, f"#post-{held['id']}").text
    driver.execute_script("window.stillTheSamePage = true")
    screenshots(driver, "posts-list-awaiting")

    approved = setup.api.client.post(f"/v1/posts/{held['id']}/approve")
    assert approved.status_code == 200, approved.text
    wait_until(driver, lambda d: badge(d, held["id"]) == "published")
    assert driver.execute_script("return window.stillTheSamePage") is True
    # Everything shown is final: the partial came back without its polling trigger.
    live = driver.find_element(By.CSS_SELECTOR, "#posts-live")
    assert live.get_attribute("hx-trigger") is None
    screenshots(driver, "posts-list-published")

    driver.find_element(By.CSS_SELECTOR, f"#post-{held['id']} .post-link").click()
    wait_for_text(driver, "#post-status", "published")
    assert driver.find_element(By.CSS_SELECTOR, "#publish-id").text.startswith("v_pub_")
    timeline = driver.find_element(By.CSS_SELECTOR, "#timeline").text
    assert "Waiting for a person's review" in timeline
    assert "Published on TikTok" in timeline
    assert not driver.find_elements(By.CSS_SELECTOR, "#cancel-post")
    screenshots(driver, "post-detail-published")


def test_filters_cancel_and_retry(
    driver: Driver, dashboard: RunningDashboard, videos: VideoFiles
) -> None:
    setup = posting(dashboard, videos.good, "dash_canceller")
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    scheduled = setup.post(title="tomorrow", scheduled_at=later)
    held = setup.post(title="held back", review="required")
    sign_in(driver, dashboard, setup.team.key)
    driver.get(f"{dashboard.url}/posts")
    Select(wait_for(driver, "#filter-status")).select_by_value("scheduled")
    driver.find_element(By.CSS_SELECTOR, "#apply-filters").click()
    wait_until(driver, lambda d: "status=scheduled" in d.current_url)
    shown = [row.get_attribute("id") for row in driver.find_elements(By.CSS_SELECTOR, ".post-row")]
    assert shown == [f"post-{scheduled['id']}"]
    screenshots(driver, "posts-list-filtered")
    driver.get(f"{dashboard.url}/posts?from=2000-01-01&to=2000-01-02")
    wait_for_text(driver, "#no-posts", "No posts match these filters yet.")

    driver.get(f"{dashboard.url}/posts/{scheduled['id']}")
    wait_for_text(driver, "#post-status", "scheduled")
    assert driver.find_element(By.CSS_SELECTOR, "#publish-id").text == "not yet"
    driver.find_element(By.CSS_SELECTOR, "#cancel-post").click()
    wait_for_text(driver, "#flash", "The post is cancelled.")
    wait_for_text(driver, "#post-status", "cancelled")
    assert driver.find_element(By.CSS_SELECTOR, "#error-code").text == "cancelled"
    error = driver.find_element(By.CSS_SELECTOR, "#post-error").text
    assert "Cancelled through the dashboard before the upload started." in error
    screenshots(driver, "post-detail-cancelled")
    driver.find_element(By.CSS_SELECTOR, "#retry-post").click()
    wait_for_text(driver, "#flash", "Trying again (attempt 2).")
    wait_for_text(driver, "#post-status", "scheduled")
    assert setup.api.get_post(scheduled["id"])["status"] == "scheduled"

    # Another team's post is not found here either.
    other = dashboard.new_team()
    sign_in(driver, dashboard, other.key)
    driver.get(f"{dashboard.url}/posts/{held['id']}")
    wait_for_text(driver, "#error-code", "post_not_found")
