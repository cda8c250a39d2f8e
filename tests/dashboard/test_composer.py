"""The composer in a real Chromium against a real server and its sandbox: TikTok's Direct Post
rules R1-R5 (tiktok-direct-post-ux.md) on the page, with TikTok's exact strings (pinned in
composer_helpers), and a video and a carousel published and followed to `published` without a
reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.dashboard.composer_helpers import (
    BRANDED,
    MUSIC,
    NEED_CHOICE,
    NOT_PRIVATE,
    PAID,
    PROMOTIONAL,
    attr,
    choose_privacy,
    css,
    open_composer,
    options,
    patch_creator,
    post_status,
    publish_and_wait,
    shown,
)
from tests.support.browser import Driver, screenshots, wait_for, wait_until
from tests.support.dashboard import RunningDashboard, sign_in
from tests.support.videos import make_video
from tikpost.sandbox.samples import make_jpeg


def test_a_video_is_composed_and_published(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    made = open_composer(driver, dashboard, "video_maker")
    # R1: the creator who receives the post, by nickname.
    assert css(driver, "#creator-nickname").text == "Video Maker"
    # R2: nothing chosen. No privacy, publish disabled, every interaction unticked.
    assert css(driver, "#privacy-button").text == "Select who can view"
    assert driver.find_elements("css selector", "[role=option][aria-selected=true]") == []
    assert options(driver) == [
        "Followers",
        "Friends",
        "Only me",
    ]  # exactly the private creator's options
    assert not css(driver, "#publish").is_enabled()
    for box in ("#allow-comment", "#allow-duet", "#allow-stitch", "#disclose", "#is-aigc"):
        assert not css(driver, box).is_selected(), box
    # A private sandbox creator has duets and stitches off: greyed out, comment available.
    assert css(driver, "#allow-comment").is_enabled()
    assert not css(driver, "#allow-duet").is_enabled()
    assert not css(driver, "#allow-stitch").is_enabled()
    assert css(driver, "#declaration-music").text == MUSIC
    assert not shown(driver, "#disclosure-prompt")
    screenshots(driver, "composer-empty")

    css(driver, "#video-file").send_keys(str(make_video(tmp_path / "clip.mp4", seconds=4)))
    wait_until(driver, lambda d: css(d, "#upload-progress-text").text == "100%")
    # R5: the preview plays the uploaded bytes, served by tikpost's own signed link.
    preview = wait_for(driver, "#preview-video")
    assert "/v1/media/" in attr(preview, "src")
    wait_until(driver, lambda d: d.execute_script("return arguments[0].readyState", preview) >= 1)
    assert not css(driver, "#publish").is_enabled()  # privacy still unchosen
    assert css(driver, "#publish").get_attribute("title") == "Choose who can view this post first."

    # ChromeDriver types only the BMP: the emoji goes in as a paste would.
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
        css(driver, "#title"),
        "hello 👋 #tikpost",
    )
    assert css(driver, "#title-count").text == "17 / 2200"  # the emoji counts two
    # The privacy listbox by keyboard: open, down to "Only me", choose.
    css(driver, "#privacy-button").send_keys(Keys.ARROW_DOWN)
    listbox = wait_for(driver, "#privacy-list")
    listbox.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert attr(listbox, "aria-activedescendant") == "privacy-SELF_ONLY"
    listbox.send_keys(Keys.ENTER)
    assert not shown(driver, "#privacy-list")
    assert css(driver, "#privacy-button").text == "Only me"
    assert attr(css(driver, "#privacy-SELF_ONLY"), "aria-selected") == "true"
    css(driver, "#allow-comment").click()
    screenshots(driver, "composer-video-ready")
    publish_and_wait(driver)
    screenshots(driver, "composer-video-published")

    [post] = dashboard.api(made["team"].key).client.get("/v1/posts").json()["items"]
    assert (post["title"], post["privacy_level"], post["disable_comment"]) == (
        "hello 👋 #tikpost",
        "SELF_ONLY",
        False,
    )
    assert (post["disable_duet"], post["disable_stitch"]) == (True, True)
    assert post["consent"] == "dashboard"
    assert post["consent_by"].startswith("ses_")


def test_a_video_draft_goes_to_the_inbox_with_nothing_to_choose(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    """Drafts: the creator finishes them in the TikTok app, which asks for caption and privacy."""
    open_composer(driver, dashboard, "drafter")
    css(driver, "#mode-draft").click()
    for hidden in ("#privacy-button", "#title", "#allow-comment", "#disclose", "#is-aigc"):
        assert not shown(driver, hidden), hidden
    css(driver, "#video-file").send_keys(str(make_video(tmp_path / "draft.mp4", seconds=4)))
    wait_for(driver, "#preview-video")
    assert css(driver, "#publish").text == "Send to inbox"
    publish_and_wait(driver, "in_inbox")


def test_disclosure_prompts_declaration_and_branded_never_private(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    open_composer(driver, dashboard, "brand_person")
    css(driver, "#video-file").send_keys(str(make_video(tmp_path / "ad.mp4", seconds=4)))
    wait_for(driver, "#preview-video")
    choose_privacy(driver, "Followers")
    wait_until(driver, lambda d: css(d, "#publish").is_enabled())

    # R3: the toggle on, nothing ticked: publish disabled, with TikTok's hover text.
    assert not shown(driver, "#brand-organic")
    css(driver, "#disclose").click()
    assert not css(driver, "#brand-organic").is_selected()
    assert not css(driver, "#brand-content").is_selected()
    assert not css(driver, "#publish").is_enabled()
    assert css(driver, "#publish").get_attribute("title") == NEED_CHOICE
    assert css(driver, "#publish-wrap").get_attribute("title") == NEED_CHOICE
    assert not shown(driver, "#disclosure-prompt")
    screenshots(driver, "composer-disclosure-undecided")

    css(driver, "#brand-organic").click()
    assert css(driver, "#disclosure-prompt").text == PROMOTIONAL
    assert css(driver, "#publish").is_enabled()
    assert css(driver, "#declaration-music").text == MUSIC  # R4: "Your brand" alone
    assert not shown(driver, "#declaration-branded")

    css(driver, "#brand-content").click()
    assert css(driver, "#disclosure-prompt").text == PAID  # both ticked: paid partnership
    assert css(driver, "#declaration-branded").text == BRANDED
    assert not shown(driver, "#declaration-music")
    # Branded first: "Only me" is disabled, and says why on hover.
    only_me = css(driver, "#privacy-SELF_ONLY")
    assert only_me.get_attribute("aria-disabled") == "true"
    assert only_me.get_attribute("title") == NOT_PRIVATE
    choose_privacy(driver, "Only me")
    assert css(driver, "#privacy-button").text == "Followers"
    css(driver, "#privacy-list").send_keys(Keys.ESCAPE)
    screenshots(driver, "composer-branded")

    # "Only me" first: "Branded content" is disabled and the person is told why.
    css(driver, "#brand-content").click()
    assert css(driver, "#disclosure-prompt").text == PROMOTIONAL
    choose_privacy(driver, "Only me")
    assert not css(driver, "#brand-content").is_enabled()
    assert css(driver, "#brand-content").find_element("xpath", "..").get_attribute("title") == (
        NOT_PRIVATE
    )
    assert css(driver, "#branded-private-note").text.startswith(NOT_PRIVATE)
    # The toggle off again: no prompt, the plain declaration.
    css(driver, "#disclose").click()
    assert not shown(driver, "#disclosure-prompt")
    assert css(driver, "#declaration-music").text == MUSIC


def test_a_carousel_is_ordered_covered_and_published(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    made = open_composer(driver, dashboard, "photo_person")
    css(driver, "#kind-photo").click()
    # R2: photo posts offer only Allow Comment.
    assert shown(driver, "#allow-comment")
    assert not shown(driver, "#allow-duet")
    assert not shown(driver, "#allow-stitch")
    assert not shown(driver, "#is-aigc")
    assert shown(driver, "#auto-add-music")
    paths = []
    for index in range(3):
        path = tmp_path / f"slide{index}.jpg"
        path.write_bytes(make_jpeg(720, 960, index * 80))
        paths.append(str(path))
    css(driver, "#photo-files").send_keys("\n".join(paths))
    wait_until(driver, lambda d: len(d.find_elements("css selector", "#preview-photos li")) == 3)
    ids = [
        li.get_attribute("data-id") for li in driver.find_elements("css selector", "#photo-list li")
    ]

    # Keyboard: the third photo up, twice; then a drag puts the first one last.
    move_up = css(driver, "#photo-list li:nth-child(3) [data-move='-1']")
    move_up.click()
    css(driver, "#photo-list li:nth-child(2) [data-move='-1']").send_keys(Keys.ENTER)
    order = [ids[2], ids[0], ids[1]]
    items = driver.find_elements("css selector", "#photo-list li")
    assert [li.get_attribute("data-id") for li in items] == order
    first = css(driver, "#photo-list li:nth-child(1) img")
    last = css(driver, "#photo-list li:nth-child(3) img")
    ActionChains(driver).click_and_hold(first).move_to_element(last).move_by_offset(
        0, 20
    ).release().perform()
    order = [ids[0], ids[1], ids[2]]
    wait_until(
        driver,
        lambda d: (
            [
                li.get_attribute("data-id")
                for li in d.find_elements("css selector", "#photo-list li")
            ]
            == order
        ),
    )
    # The cover: the second photo; the preview shows the order and marks the cover.
    css(driver, "#photo-list li:nth-child(2) input[name=cover]").click()
    preview = driver.find_elements("css selector", "#preview-photos li")
    assert ["is-cover" in attr(li, "class") for li in preview] == [False, True, False]
    assert css(driver, "#preview-photos li.is-cover .cover-badge").text == "Cover"

    css(driver, "#title").send_keys("three")
    assert css(driver, "#title-count").text == "5 / 90"
    css(driver, "#description").send_keys("a carousel #photos")
    assert css(driver, "#description-count").text == "18 / 4000"
    choose_privacy(driver, "Only me")
    css(driver, "#auto-add-music").click()
    screenshots(driver, "composer-carousel")
    publish_and_wait(driver)
    screenshots(driver, "composer-carousel-published")

    [post] = dashboard.api(made["team"].key).client.get("/v1/posts").json()["items"]
    assert (post["media_type"], post["photos"], post["photo_cover_index"]) == ("photo", order, 1)
    assert (post["title"], post["description"], post["auto_add_music"]) == (
        "three",
        "a carousel #photos",
        True,
    )


def test_what_the_creator_disabled_is_greyed_out_fresh(
    driver: Driver, dashboard: RunningDashboard
) -> None:
    open_composer(driver, dashboard, "public_person", public="1")
    assert css(driver, "#allow-duet").is_enabled()
    assert options(driver) == ["Everyone", "Friends", "Only me"]
    # R1: read afresh on every open, not from a cache.
    patch_creator(dashboard, "public_person", duet_disabled=True)
    driver.refresh()
    wait_for(driver, "#composer")
    assert not css(driver, "#allow-duet").is_enabled()
    assert not css(driver, "#allow-duet").is_selected()
    assert css(driver, "#allow-stitch").is_enabled()
    assert css(driver, "#allow-comment").is_enabled()
    screenshots(driver, "composer-duet-disabled")


def test_a_creator_who_cannot_post_now_is_told_to_try_later(
    driver: Driver, dashboard: RunningDashboard
) -> None:
    open_composer(driver, dashboard, "banned_person")
    patch_creator(dashboard, "banned_person", banned=True)
    driver.refresh()
    notice = wait_for(driver, "#cannot-post")
    assert "cannot post right now" in notice.text
    assert "try again later" in notice.text
    assert driver.find_elements("css selector", "#composer") == []
    screenshots(driver, "composer-cannot-post")


def test_a_video_too_long_is_refused_before_its_upload_ends(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    made = open_composer(driver, dashboard, "short_form")
    patch_creator(dashboard, "short_form", max_video_post_duration_sec=3)
    driver.refresh()
    wait_for(driver, "#composer")
    css(driver, "#video-file").send_keys(str(make_video(tmp_path / "long.mp4", seconds=4)))
    error = wait_for(driver, "#media-error")
    assert "at most 3 s" in error.text
    assert not shown(driver, "#preview-video")
    assert not css(driver, "#publish").is_enabled()
    screenshots(driver, "composer-too-long")
    # Refused before any byte was sent: nothing was stored, nothing posted.
    client = dashboard.api(made["team"].key).client
    assert client.get("/v1/media").json()["items"] == []
    assert client.get("/v1/posts").json()["items"] == []


def test_the_schedule_is_in_the_persons_time_zone(
    driver: Driver, dashboard: RunningDashboard
) -> None:
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    try:
        open_composer(driver, dashboard, "planner")
        css(driver, "#when-later").click()
        assert css(driver, "#time-zone").text == "Asia/Tokyo"
        field = css(driver, "#schedule-at")
        driver.execute_script(
            "arguments[0].value = '2030-01-01T09:30';"
            "arguments[0].dispatchEvent(new Event('input'))",
            field,
        )
        assert css(driver, "#schedule-utc").text == "Posts at 2030-01-01T00:30:00Z (UTC)"
        assert css(driver, "#publish").text == "Schedule"
        screenshots(driver, "composer-schedule")
    finally:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_post_awaiting_review_is_opened_in_the_composer(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path, action: str
) -> None:
    team = dashboard.new_team()
    api = dashboard.api(team.key)
    account = api.connect_account(f"reviewed_{action}")
    media = api.upload(make_video(tmp_path / "held.mp4", seconds=4))
    held = api.post(
        account_id=account["id"],
        video=media["id"],
        title="from the pipeline",
        privacy_level="FOLLOWER_OF_CREATOR",
        review="required",
    )
    assert held["status"] == "awaiting_review"
    sign_in(driver, dashboard, team.key)
    driver.get(f"{dashboard.url}/compose?post={held['id']}")
    wait_for(driver, "#composer")
    # The caller's choices, privacy included, each still the person's to change.
    assert css(driver, "#title").get_attribute("value") == "from the pipeline"
    assert css(driver, "#privacy-button").text == "Followers"
    assert "/v1/media/" in attr(wait_for(driver, "#preview-video"), "src")
    screenshots(driver, f"composer-review-{action}")
    if action == "approve":
        choose_privacy(driver, "Only me")
        assert css(driver, "#publish").text == "Approve"
        publish_and_wait(driver)
        post = api.get_post(held["id"])
        assert (post["privacy_level"], post["consent"]) == ("SELF_ONLY", "dashboard")
    else:
        css(driver, "#reject-reason").send_keys("off brand")
        css(driver, "#reject").click()
        wait_until(driver, lambda d: post_status(d) == "cancelled")
        assert api.get_post(held["id"])["review_note"] == "off brand"
