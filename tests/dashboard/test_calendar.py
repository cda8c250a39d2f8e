"""The calendar in the viewer's own time zone (the browser's, told by timezone.js), a post
opened from it, and a scheduled post moved to another time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import VideoFiles
from tests.dashboard.posts_helpers import posting
from tests.support.browser import (
    Driver,
    screenshots,
    wait_for,
    wait_for_text,
    wait_for_text_containing,
    wait_until,
)
from tests.support.dashboard import RunningDashboard, sign_in

ZONE = "Pacific/Auckland"


@pytest.fixture
def in_auckland(driver: Driver) -> Iterator[Driver]:
    """The browser believes it is in New Zealand (UTC+13 in December)."""
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ZONE})
    try:
        yield driver
    finally:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


def test_a_scheduled_post_sits_on_its_local_day_and_moves(
    in_auckland: Driver, dashboard: RunningDashboard, videos: VideoFiles
) -> None:
    driver = in_auckland
    setup = posting(dashboard, videos.good, "dash_planner")
    # 12:00 UTC two days ahead is 01:00 the next day in Auckland.
    utc_day = datetime.now(UTC).date() + timedelta(days=2)
    at = datetime.combine(utc_day, time(12, 0), tzinfo=UTC)
    local_day = at.astimezone(ZoneInfo(ZONE)).date()
    assert local_day == utc_day + timedelta(days=1)
    post = setup.post(title="planned #calendar", scheduled_at=at.isoformat())
    sign_in(driver, dashboard, setup.team.key)

    driver.get(f"{dashboard.url}/calendar?day={local_day.isoformat()}")
    wait_until(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#time-zone").text == ZONE)
    day = wait_for(driver, f"#day-{local_day.isoformat()}")
    entry = day.find_element(By.CSS_SELECTOR, f"#calendar-{post['id']}")
    assert entry.find_element(By.CSS_SELECTOR, ".post-time").text == "01:00"
    assert entry.find_element(By.CSS_SELECTOR, ".status").text == "scheduled"
    screenshots(driver, "calendar-week")

    driver.find_element(By.CSS_SELECTOR, "#view-month").click()
    wait_until(driver, lambda d: "view=month" in d.current_url)
    wait_for(driver, f"#day-{local_day.isoformat()} #calendar-{post['id']}")
    heading = driver.find_element(By.CSS_SELECTOR, "#calendar-heading").text
    assert heading == local_day.strftime("%B %Y")
    screenshots(driver, "calendar-month")

    # Move it to 10:30 Auckland time, three days later.
    target_day = local_day + timedelta(days=3)
    entry = driver.find_element(By.CSS_SELECTOR, f"#calendar-{post['id']}")
    entry.find_element(By.CSS_SELECTOR, ".reschedule summary").click()
    field = entry.find_element(By.CSS_SELECTOR, "input[name=when]")
    driver.execute_script("arguments[0].value = arguments[1]", field, f"{target_day}T10:30")
    entry.find_element(By.CSS_SELECTOR, ".reschedule-submit").click()
    flash = wait_for_text_containing(driver, "#flash", "Rescheduled for ")
    assert flash.startswith("Rescheduled for "), flash
    assert f"({ZONE})" in flash
    wait_for(driver, f"#day-{target_day.isoformat()} #calendar-{post['id']}")
    moved = setup.api.get_post(post["id"])
    expected = datetime.combine(target_day, time(10, 30), tzinfo=ZoneInfo(ZONE))
    assert datetime.fromisoformat(moved["scheduled_at"]) == expected
    assert moved["status"] == "scheduled"
    assert moved["events"][-1]["message"].startswith("Rescheduled for ")

    driver.find_element(By.CSS_SELECTOR, f"#calendar-{post['id']} .post-open").click()
    wait_for_text(driver, "#post-status", "scheduled")
    assert driver.find_element(By.CSS_SELECTOR, "#time-zone").text == ZONE
    assert "10:30" in driver.find_element(By.CSS_SELECTOR, "#scheduled-at").text
