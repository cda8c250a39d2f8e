"""The review queue: a person sees what the caller chose, approves one post (it goes on to
TikTok, with the session as its consent) and rejects another with a reason."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.conftest import VideoFiles
from tests.dashboard.posts_helpers import posting
from tests.support.browser import Driver, screenshots, wait_for, wait_for_text
from tests.support.dashboard import RunningDashboard, sign_in


def test_approve_and_reject_in_the_review_queue(
    driver: Driver, dashboard: RunningDashboard, videos: VideoFiles
) -> None:
    setup = posting(dashboard, videos.good, "dash_reviewer")
    sign_in(driver, dashboard, setup.team.key)
    driver.get(f"{dashboard.url}/review")
    wait_for_text(driver, "#no-reviews", "Nothing waits for review.")
    good = setup.post(title="agent wrote this #ok", review="required", disable_duet=True)
    bad = setup.post(title="agent wrote that", review="required", is_aigc=True)
    driver.get(f"{dashboard.url}/review")
    item = wait_for(driver, f"#review-{good['id']}")
    choices = item.find_element(By.CSS_SELECTOR, ".review-choices").text
    assert "SELF_ONLY" in choices
    # Duets were switched off by the caller (stitches may be too: the creator's own setting).
    assert "comments" in choices
    assert "duets" not in choices
    assert "AI-generated" in driver.find_element(By.CSS_SELECTOR, f"#review-{bad['id']}").text
    composer = item.find_element(By.CSS_SELECTOR, ".open-composer").get_attribute("href")
    assert composer == f"{dashboard.url}/compose?post={good['id']}"
    screenshots(driver, "review-queue")

    item.find_element(By.CSS_SELECTOR, ".approve").click()
    wait_for_text(driver, "#flash", "Approved: the post is queued.")
    assert not driver.find_elements(By.CSS_SELECTOR, f"#review-{good['id']}")
    final = setup.api.wait_final(good["id"])
    assert final["status"] == "published", final["events"]
    assert final["consent"] == "dashboard"
    assert final["consent_by"].startswith("ses_")

    rejected = driver.find_element(By.CSS_SELECTOR, f"#review-{bad['id']}")
    rejected.find_element(By.CSS_SELECTOR, ".reject summary").click()
    rejected.find_element(By.CSS_SELECTOR, "textarea[name=reason]").send_keys("not our voice")
    screenshots(driver, "review-reject-open")
    rejected.find_element(By.CSS_SELECTOR, ".reject-submit").click()
    wait_for_text(driver, "#flash", "Rejected: the post is cancelled.")
    assert wait_for(driver, "#no-reviews")
    body = setup.api.get_post(bad["id"])
    assert body["status"] == "cancelled"
    assert body["review_note"] == "not our voice"
    assert body["error"]["code"] == "review_rejected"
    screenshots(driver, "review-queue-empty")
