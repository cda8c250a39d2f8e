"""Business accounts in the dashboard, in a real Chromium against a real server and its
sandbox: connected through the second button and the Business API app's consent page, and a
video composed with a trending sound at the volumes chosen, published through the Business
API, as the sandbox's operator view of what it published shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from tests.dashboard.composer_helpers import (
    MUSIC,
    attr,
    choose_privacy,
    creator_api,
    css,
    options,
    publish_and_wait,
    shown,
)
from tests.support.browser import Driver, screenshots, wait_for, wait_for_text
from tests.support.dashboard import RunningDashboard, browserless_session, sign_in
from tests.support.videos import make_video

PUBLIC_NOTICE = "Videos posted through TikTok's API for Business are public."


def business_consent(driver: Driver, *, username: str = "", existing: str = "") -> None:
    """On the sandbox's consent page for the Business API app: name a new account, or pick
    an existing one, and authorize."""
    wait_for(driver, "button[value=approve]")
    assert "/sandbox/v2/auth/authorize/" in driver.current_url
    assert "TikTok API for Business" in css(driver, "h1").text
    if existing:
        Select(driver.find_element(By.NAME, "account")).select_by_visible_text(existing)
    else:
        driver.find_element(By.NAME, "username").send_keys(username)
    css(driver, "button[value=approve]").click()


def sound_list(driver: Driver, q: str, genre: str = "ALL") -> list[Any]:
    """The clips listed once htmx has swapped in the answer for this search."""
    selector = f'#sound-list[data-q="{q}"][data-genre="{genre}"]'
    wait_for(driver, selector)
    found: list[Any] = driver.find_elements(By.CSS_SELECTOR, f"{selector} input[name=sound]")
    return found


def published_by_business_api(dashboard: RunningDashboard, open_id: str) -> list[dict[str, Any]]:
    with creator_api(dashboard) as op:
        response = op.get(f"/business/accounts/{open_id}/posts")
        response.raise_for_status()
        posts: list[dict[str, Any]] = response.json()["posts"]
        return posts


def test_a_business_video_is_published_with_the_sound_and_volumes_chosen(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    team = dashboard.new_team()
    sign_in(driver, dashboard, team.key)
    assert "public videos only" in css(driver, "#connect-help").text
    wait_for(driver, "#connect-business-account").click()
    business_consent(driver, username="dash_brand")
    wait_for_text(driver, "#flash", "@dash_brand is connected.")
    card = css(driver, "article.account")
    assert card.find_element(By.CSS_SELECTOR, ".api-badge").text == "Business"
    assert "API for Business" in card.find_element(By.CSS_SELECTOR, ".posting-api").text
    # Its videos are always public, so it has no default privacy to choose.
    assert card.find_elements(By.CSS_SELECTOR, "select[name=default_privacy_level]") == []
    assert "always public" in card.find_element(By.CSS_SELECTOR, ".default-privacy-current").text
    [account] = dashboard.api(team.key).client.get("/v1/accounts").json()["items"]
    assert account["api"] == "business"
    screenshots(driver, "accounts-business")

    driver.get(f"{dashboard.url}/compose")
    wait_for(driver, "#composer")
    # Public only, and said so; no photos; the other rules as for any account.
    assert css(driver, "#business-public-note").text == PUBLIC_NOTICE
    assert options(driver) == ["Everyone"]
    assert css(driver, "#privacy-button").text == "Select who can view"
    assert not driver.find_elements(By.CSS_SELECTOR, "#kind-photo")
    assert shown(driver, "#business-no-photos")
    assert css(driver, "#declaration-music").text == MUSIC
    assert not css(driver, "#allow-comment").is_selected()

    # The picker: "No sound" first, the trending list loaded, volumes hidden until a sound.
    assert css(driver, "#sound-none").is_selected()
    listed = sound_list(driver, "")
    assert listed
    assert css(driver, "#sound-summary").text == f"{len(listed)} sounds found."
    assert not shown(driver, "#sound-volumes")
    first = listed[0]
    assert attr(first, "data-length").count(":") == 1  # m:ss

    # A search by keyboard: Enter searches at once and does not submit the composer.
    wanted = attr(first, "data-name").split()[0]
    css(driver, "#sound-q").send_keys(wanted, Keys.ENTER)
    found = sound_list(driver, wanted)
    assert found
    names = [attr(radio, "data-name") for radio in found]
    assert all(wanted.casefold() in name.casefold() for name in names), names
    assert css(driver, "#publish-result").text == ""
    Select(css(driver, "#sound-genre")).select_by_value("POP")
    pop = sound_list(driver, wanted, "POP")
    assert len(pop) <= len(found)
    Select(css(driver, "#sound-genre")).select_by_value("ALL")
    found = sound_list(driver, wanted)

    pick = found[0]
    sound_id, label = attr(pick, "value"), attr(pick, "data-name")
    # By keyboard: the clips are one radio group with "No sound".
    css(driver, "#sound-none").send_keys(Keys.ARROW_DOWN)
    assert pick.is_selected()
    assert css(driver, "#sound-chosen").text.startswith(f"Chosen sound: {label}")
    assert shown(driver, "#sound-volumes")
    assert css(driver, "#sound-volume-value").text == "50"
    assert css(driver, "#original-volume-value").text == "50"
    assert "0 mutes" in css(driver, "#volume-hint").text
    css(driver, "#sound-volume").send_keys(*[Keys.ARROW_RIGHT] * 20)
    css(driver, "#original-volume").send_keys(*[Keys.ARROW_LEFT] * 30)
    assert css(driver, "#sound-volume-value").text == "70"
    assert css(driver, "#original-volume-value").text == "20"
    # The choice outlives a new search that no longer lists it, and comes back with it.
    css(driver, "#sound-q").send_keys(Keys.CONTROL, "a")
    css(driver, "#sound-q").send_keys("no such song at all", Keys.ENTER)
    assert sound_list(driver, "no such song at all") == []
    assert shown(driver, "#no-sounds")
    assert css(driver, "#sound-chosen").text.startswith(f"Chosen sound: {label}")
    css(driver, "#sound-q").send_keys(Keys.CONTROL, "a")
    css(driver, "#sound-q").send_keys(wanted, Keys.ENTER)
    again = [r for r in sound_list(driver, wanted) if attr(r, "value") == sound_id]
    [listed_again] = again
    assert listed_again.is_selected()

    css(driver, "#video-file").send_keys(str(make_video(tmp_path / "brand.mp4", seconds=4)))
    wait_for(driver, "#preview-video")
    css(driver, "#title").send_keys("Launch #sound")
    assert not css(driver, "#publish").is_enabled()  # privacy chosen by hand, as for anyone
    choose_privacy(driver, "Everyone")
    screenshots(driver, "composer-business-sound-picker")
    publish_and_wait(driver)

    [post] = dashboard.api(team.key).client.get("/v1/posts").json()["items"]
    assert (post["api"], post["privacy_level"]) == ("business", "PUBLIC_TO_EVERYONE")
    assert post["sound"]["id"] == sound_id
    assert (post["sound"]["volume"], post["sound"]["original_volume"]) == (70, 20)
    [published] = published_by_business_api(dashboard, account["open_id"])
    assert published["post_info"]["caption"] == "Launch #sound"
    heard = published["sound"]
    assert heard["music_sound_id"] == sound_id
    assert (heard["music_sound_volume"], heard["video_original_sound_volume"]) == (70, 20)


def test_no_sound_sends_none_and_reconnect_stays_with_the_business_app(
    driver: Driver, dashboard: RunningDashboard, tmp_path: Path
) -> None:
    team = dashboard.new_team()
    account = dashboard.api(team.key).connect_business("dash_quiet_brand")
    sign_in(driver, dashboard, team.key)
    css(driver, ".reconnect").click()
    business_consent(driver, existing="dash_quiet_brand")
    wait_for_text(driver, "#flash", "@dash_quiet_brand is reconnected.")
    assert len(driver.find_elements(By.CSS_SELECTOR, "article.account")) == 1

    driver.get(f"{dashboard.url}/compose")
    wait_for(driver, "#composer")
    sound_list(driver, "")
    # A draft takes no sound: the picker goes with the privacy choice.
    css(driver, "#mode-draft").click()
    assert not shown(driver, "#sound-picker")
    css(driver, "#mode-direct").click()
    assert shown(driver, "#sound-picker")
    css(driver, "#video-file").send_keys(str(make_video(tmp_path / "quiet.mp4", seconds=4)))
    wait_for(driver, "#preview-video")
    choose_privacy(driver, "Everyone")
    publish_and_wait(driver)
    [post] = dashboard.api(team.key).client.get("/v1/posts").json()["items"]
    assert post["sound"] is None
    [published] = published_by_business_api(dashboard, account["open_id"])
    assert published["sound"] is None


def test_a_held_business_post_shows_its_sound_for_review(
    dashboard: RunningDashboard, tmp_path: Path
) -> None:
    team = dashboard.new_team()
    api = dashboard.api(team.key)
    account = api.connect_business("dash_held_brand")
    media = api.upload(make_video(tmp_path / "held.mp4", seconds=4))
    sound = {"id": "7300000000000003003", "volume": 65, "original_volume": 0}
    held = api.post(account_id=account["id"], video=media["id"], sound=sound, review="required")
    assert held["status"] == "awaiting_review"
    client, _csrf = browserless_session(dashboard, team.key)
    try:
        page = client.get("/compose", params={"post": held["id"]})
        assert page.status_code == 200, page.text
        assert "clip 7300000000000003003, sound volume 65, original sound volume 0" in page.text
        assert 'id="sound-picker"' not in page.text  # the held sound is not changed here
        assert "API for Business are public." in page.text  # (the apostrophe comes escaped)
    finally:
        client.close()


def test_the_sound_list_is_for_the_teams_own_business_accounts(
    dashboard: RunningDashboard,
) -> None:
    owner = dashboard.new_team("owner")
    theirs = dashboard.api(owner.key).connect_business("dash_their_brand")
    team = dashboard.new_team()
    creator = dashboard.api(team.key).connect_account("dash_plain_creator")
    client, _csrf = browserless_session(dashboard, team.key)
    try:
        other = client.get("/compose/sounds", params={"account": theirs["id"]})
        assert other.status_code == 404, other.text
        plain = client.get("/compose/sounds", params={"account": creator["id"], "q": "x"})
        assert plain.status_code == 200, plain.text
        assert 'id="sound-error"' in plain.text
        assert "business account" in plain.text
        composer = client.get("/compose", params={"account": creator["id"]})
        assert 'id="sound-picker"' not in composer.text
        assert 'id="kind-photo"' in composer.text
    finally:
        client.close()
