"""A real headless Chromium for the dashboard's tests, driven by selenium.

One browser per test session (per xdist worker): starting Chromium costs a second or two, so
tests share it, and `driver` gives each test a clean one (no cookies, desktop size, blank
page). Debian's `chromium` and `chromium-driver` packages provide the binaries (.ci/run
installs them).

`screenshot(driver, name)` writes a full-page PNG to $TIKPOST_SCREENSHOTS, else to
<tmp>/tikpost-screenshots: never into the repository. `screenshots(driver, name)` takes the
page at desktop and at 375 px wide (`name-desktop.png`, `name-mobile.png`).
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESKTOP = (1280, 900)
MOBILE_WIDTH = 375
MOBILE_HEIGHT = 812
WAIT_SEC = 15

Driver = webdriver.Chrome


def screenshot_dir() -> Path:
    configured = os.environ.get("TIKPOST_SCREENSHOTS")
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "tikpost-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _options() -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(argument)
    return options


@pytest.fixture(scope="session")
def browser() -> Iterator[Driver]:
    """The worker's one Chromium; tests take `driver`, which resets it first."""
    chrome = webdriver.Chrome(options=_options(), service=Service(executable_path=CHROMEDRIVER))
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def desktop(driver: Driver) -> None:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.set_window_size(*DESKTOP)


def mobile(driver: Driver) -> None:
    """375 CSS px wide, as a phone: the viewport itself, not just a narrow window."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": MOBILE_WIDTH, "height": MOBILE_HEIGHT, "deviceScaleFactor": 1, "mobile": True},
    )


@pytest.fixture
def driver(browser: Driver) -> Driver:
    """The shared browser, clean: blank page, no cookies (any origin), desktop size."""
    browser.get("about:blank")
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    desktop(browser)
    return browser


def screenshot(driver: Driver, name: str) -> Path:
    """The whole page (not just the viewport) as `<dir>/<name>.png`."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path = screenshot_dir() / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def screenshots(driver: Driver, name: str) -> list[Path]:
    """The page at desktop size and at 375 px wide; leaves the browser at desktop size."""
    taken = [screenshot(driver, f"{name}-desktop")]
    mobile(driver)
    try:
        taken.append(screenshot(driver, f"{name}-mobile"))
        width = driver.execute_script("return document.documentElement.scrollWidth")
        # Nothing may stick out sideways on a phone.
        assert width <= MOBILE_WIDTH, f"{name}: page is {width}px wide at {MOBILE_WIDTH}px"
    finally:
        desktop(driver)
    return taken


def wait_for(driver: Driver, css: str) -> WebElement:
    """The element once it is visible (pages load and htmx swaps asynchronously)."""
    element: WebElement = WebDriverWait(driver, WAIT_SEC).until(
        expected_conditions.visibility_of_element_located(("css selector", css))
    )
    return element


def wait_until(driver: Driver, condition: Callable[[Driver], object]) -> None:
    WebDriverWait(driver, WAIT_SEC).until(condition)


def wait_for_text(driver: Driver, css: str, expected: str) -> str:
    """Wait until the element at `css` reads exactly `expected`.

    A form post navigates after `click()` has returned, and htmx swaps polled panels: the
    element found first may be the old page's (`#flash` from the last action) or may go stale
    before its text is read. So this looks the element up afresh on every try.
    """
    return _wait_for_text(driver, css, lambda text: text == expected, repr(expected))


def wait_for_text_containing(driver: Driver, css: str, fragment: str) -> str:
    """As `wait_for_text`, for a text that only has to contain `fragment`."""
    return _wait_for_text(driver, css, lambda text: fragment in text, f"containing {fragment!r}")


def _wait_for_text(driver: Driver, css: str, matches: Callable[[str], bool], wanted: str) -> str:
    seen: list[str] = []

    def current_text(browser: Driver) -> str | None:
        try:
            element = browser.find_element("css selector", css)
            text = element.text if element.is_displayed() else None
        except (NoSuchElementException, StaleElementReferenceException):
            return None
        except WebDriverException as error:
            # Chromium's answer when the node went with the old document mid-navigation.
            if "does not belong to the document" in str(error):
                return None
            raise
        if text is None:
            return None
        seen.append(text)
        return text if matches(text) else None

    try:
        found = WebDriverWait(driver, WAIT_SEC).until(current_text)
    except TimeoutException:
        last = repr(seen[-1]) if seen else "nothing visible"
        raise AssertionError(f"{css}: wanted {wanted}, last saw {last}") from None
    assert found is not None  # until() returns only a truthy answer
    return found
