"""`tikpost post` and `tikpost posts …` against the service with its embedded sandbox."""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tikpost_client import MediaRead
from typer.testing import CliRunner, Result

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.photo_helpers import make_jpeg, make_zip, pulled_match_sent
from tests.service.publishing_helpers import connect_account, operator, sandbox_posts
from tests.support.media_server import media_origin
from tests.support.oauth_browser import authorize
from tikpost.cli import app as cli_app
from tikpost.cli import post as post_cli
from tikpost.cli import posts as posts_cli

PostCli = Callable[..., Result]


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


@pytest.fixture
def tikpost(svc: RunningService, api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> PostCli:
    """`tikpost(*args)` runs the CLI as team acme, with @poster connected."""
    monkeypatch.setattr(posts_cli, "POLL_SECONDS", 0.1)
    connect_account(api, "poster")
    env = {"TIKPOST_API_KEY": str(api.headers["X-API-Key"]), "TIKPOST_URL": svc.url}

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli_app, list(args), env=env)

    return run


def post_id(result: Result) -> str:
    found = re.search(r"\bpost_[0-9a-z]{26}\b", result.stdout)
    assert found, result.output
    return found.group(0)


@SQLITE_ONLY
def test_post_and_wait_until_published(
    tikpost: PostCli, api: httpx.Client, videos: VideoFiles
) -> None:
    result = tikpost(
        "post", str(videos.good), "--account", "@poster", "--privacy", "SELF_ONLY",
        "--title", "hi", "--no-duet", "--wait",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    created = post_id(result)
    assert "uploading" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith(f"published {created}")
    post = api.get(f"/v1/posts/{created}").json()
    assert post["status"] == "published"
    assert (post["title"], post["disable_duet"], post["disable_comment"]) == ("hi", True, False)
    [media] = api.get("/v1/media").json()["items"]
    assert media["size_bytes"] == videos.good.stat().st_size
    assert media["filename"] == "good.mp4"

    listed = tikpost("posts", "list", "--account", "poster", "--status", "published")
    assert listed.exit_code == 0, listed.output
    assert created in listed.stdout
    assert "@poster" in listed.stdout
    assert post["publish_id"] in listed.stdout

    shown = tikpost("posts", "show", created)
    assert shown.exit_code == 0, shown.output
    assert "timeline" in shown.stdout
    for event in post["events"]:
        assert event["message"] in shown.stdout
    assert "duet off" in shown.stdout

    accounts = tikpost("accounts", "list")
    assert accounts.exit_code == 0, accounts.output
    assert "@poster" in accounts.stdout
    assert "ready" in accounts.stdout
    connect = tikpost("accounts", "connect", "--no-browser")
    assert connect.exit_code == 0, connect.output
    link = connect.stdout.strip().splitlines()[-1]
    assert link.startswith("http")
    assert "state=" in link


def test_an_unreachable_server_exits_2() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {"TIKPOST_API_KEY": "tp_any", "TIKPOST_URL": url}
    result = CliRunner().invoke(cli_app, ["posts", "list"], env=env)
    assert result.exit_code == 2
    assert f"cannot reach tikpost at {url}" in result.stderr


@SQLITE_ONLY
def test_draft_ends_in_inbox(tikpost: PostCli, api: httpx.Client, videos: VideoFiles) -> None:
    account_id = api.get("/v1/accounts").json()["items"][0]["id"]
    result = tikpost("post", str(videos.good), "--account", account_id, "--draft", "--wait")
    assert result.exit_code == 0, result.output
    assert api.get(f"/v1/posts/{post_id(result)}").json()["status"] == "in_inbox"
    assert "in_inbox" in result.stdout.strip().splitlines()[-1]


@SQLITE_ONLY
def test_unknown_account_exits_1(tikpost: PostCli, api: httpx.Client, videos: VideoFiles) -> None:
    result = tikpost("post", str(videos.good), "--account", "@nobody", "--privacy", "SELF_ONLY")
    assert result.exit_code == 1
    assert "no account '@nobody'" in result.stderr
    assert "@poster" in result.stderr
    assert api.get("/v1/media").json()["items"] == []  # refused before uploading


@SQLITE_ONLY
def test_short_video_gets_the_servers_422(tikpost: PostCli, videos: VideoFiles) -> None:
    result = tikpost("post", str(videos.short), "--account", "@poster", "--privacy", "SELF_ONLY")
    assert result.exit_code == 1
    assert "error 422 video_duration_out_of_range" in result.stderr


@SQLITE_ONLY
def test_failed_post_exits_1_with_its_error(
    tikpost: PostCli, svc: RunningService, videos: VideoFiles
) -> None:
    with operator(svc) as op:
        op.post(
            "/faults", json={"endpoint": "processing", "error_rate": 1.0, "code": "spam_risk"}
        ).raise_for_status()
    result = tikpost(
        "post", str(videos.good), "--account", "@poster", "--privacy", "SELF_ONLY", "--wait"
    )
    assert result.exit_code == 1, result.output
    assert "failed" in result.stdout  # the timeline's last event
    assert re.search(r"post_\w+ failed: \w+: .+spam_risk", result.stderr), result.stderr

    with operator(svc) as op:
        op.delete("/faults").raise_for_status()
    retried = tikpost("posts", "retry", post_id(result), "--wait")
    assert retried.exit_code == 0, retried.output
    assert "attempt 2" in retried.stdout
    assert "Retry requested" in retried.stdout
    assert "Accepted" not in retried.stdout  # the first attempt's events are not replayed
    assert retried.stdout.strip().splitlines()[-1].startswith("published")


@SQLITE_ONLY
def test_scheduled_post_can_be_cancelled(
    tikpost: PostCli, api: httpx.Client, videos: VideoFiles
) -> None:
    at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    result = tikpost(
        "post", str(videos.good), "--account", "@poster", "--privacy", "SELF_ONLY",
        "--at", at.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    created = post_id(result)
    assert f"post {created} scheduled" in result.stdout
    post = api.get(f"/v1/posts/{created}").json()
    assert datetime.fromisoformat(post["scheduled_at"]).replace(tzinfo=UTC) == at

    cancelled = tikpost("posts", "cancel", created)
    assert cancelled.exit_code == 0, cancelled.output
    assert f"post {created} cancelled" in cancelled.stdout
    assert api.get(f"/v1/posts/{created}").json()["status"] == "cancelled"

    again = tikpost("posts", "cancel", created)
    assert again.exit_code == 1
    assert "post_not_cancellable" in again.stderr


@SQLITE_ONLY
def test_missing_post_is_a_clear_error(tikpost: PostCli) -> None:
    result = tikpost("posts", "show", "post_missing")
    assert result.exit_code == 1
    assert "error 404 post_not_found" in result.stderr


def test_at_accepts_rfc3339_and_local_time() -> None:
    assert post_cli.parse_when("2030-06-01T18:00:00Z") == datetime(2030, 6, 1, 18, tzinfo=UTC)
    local = post_cli.parse_when("2030-06-01 18:00")
    assert local.tzinfo is not None
    assert local == datetime(2030, 6, 1, 18).astimezone()


@SQLITE_ONLY
def test_photos_and_a_zip_make_one_carousel_in_order(
    tikpost: PostCli, api: httpx.Client, svc: RunningService, tmp_path: Path
) -> None:
    shades = [make_jpeg(shade=shade) for shade in (10, 60, 110, 160)]
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpeg"
    first.write_bytes(shades[0])
    second.write_bytes(shades[1])
    slides = tmp_path / "slides.zip"
    slides.write_bytes(make_zip([("slide-1.jpg", shades[2]), ("slide-2.jpg", shades[3])]))
    result = tikpost(
        "post", str(first), str(second), str(slides), "--account", "@poster",
        "--privacy", "SELF_ONLY", "--title", "four", "--description", "in order",
        "--cover", "2", "--auto-add-music", "--wait",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    post = api.get(f"/v1/posts/{post_id(result)}").json()
    assert post["status"] == "published", post["events"]
    assert (post["title"], post["description"], post["photo_cover_index"]) == (
        "four",
        "in order",
        2,
    )
    assert post["auto_add_music"] is True
    sent = [api.get(f"/v1/media/{media_id}").json()["sha256"] for media_id in post["photos"]]
    assert sent == [hashlib.sha256(shade).hexdigest() for shade in shades]
    # What TikTok pulled is what was given, in that order.
    [published] = sandbox_posts(svc, "poster")
    pulled_match_sent(api, post, published)


@SQLITE_ONLY
def test_a_video_url_is_fetched_and_transcoded(
    tikpost: PostCli, api: httpx.Client, videos: VideoFiles
) -> None:
    with media_origin(videos.low_fps.parent) as origin:
        url = f"{origin}/media/{videos.low_fps.name}"
        result = tikpost(
            "post", url, "--account", "@poster", "--privacy", "SELF_ONLY", "--transcode", "--wait"
        )
    assert result.exit_code == 0, result.output
    post = api.get(f"/v1/posts/{post_id(result)}").json()
    assert post["status"] == "published", post["events"]
    assert (post["video_url"], post["transcode"]) == (url, True)
    assert any("Transcoding" in event["message"] for event in post["events"])


@SQLITE_ONLY
def test_a_video_among_photos_or_a_missing_file_is_refused(
    tikpost: PostCli, api: httpx.Client, videos: VideoFiles, tmp_path: Path
) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(make_jpeg())
    mixed = tikpost(
        "post", str(photo), str(videos.good), "--account", "@poster", "--privacy", "SELF_ONLY"
    )
    assert mixed.exit_code == 1
    assert "one video or 1 to 35 photos" in mixed.stderr
    assert api.get("/v1/posts").json()["items"] == []

    missing = tikpost("post", str(tmp_path / "nope.mp4"), "--account", "@poster")
    assert missing.exit_code == 2
    assert "neither a file nor an http(s) URL" in missing.output


def media(**fields: Any) -> MediaRead:
    """Uploaded media as the SDK returns it, with only what `post_media` looks at."""
    return MediaRead.model_construct(**fields)


def test_a_single_url_is_a_video_unless_it_names_a_photo() -> None:
    assert post_cli.post_media(["https://cdn.example.com/clip"]) == {
        "video_url": "https://cdn.example.com/clip"
    }
    assert post_cli.post_media(["https://cdn.example.com/p/1.JPG?sig=x"]) == {
        "photos": ["https://cdn.example.com/p/1.JPG?sig=x"]
    }
    image = media(id="med_b", kind="image")
    assert post_cli.post_media(["https://a.example/1", image]) == {
        "photos": ["https://a.example/1", "med_b"]
    }
    video = media(id="med_v", kind="video")
    assert post_cli.post_media([video]) == {"video": "med_v"}


@SQLITE_ONLY
def test_a_business_account_posts_with_a_sound_from_the_cli(
    tikpost: PostCli, svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    """`accounts connect --business`, `accounts sounds`, then `post --sound`: one terminal."""
    connect = tikpost("accounts", "connect", "--no-browser", "--business")
    assert connect.exit_code == 0, connect.output
    link = connect.stdout.strip().splitlines()[-1]
    assert authorize(link, username="cli_brand").status_code == 200
    listed = tikpost("accounts", "list")
    assert "@cli_brand" in listed.stdout
    assert "business" in listed.stdout
    account = next(a for a in api.get("/v1/accounts").json()["items"] if a["api"] == "business")
    shown = tikpost("accounts", "sounds", account["id"], "--genre", "POP")
    assert shown.exit_code == 0, shown.output
    sound_id = re.findall(r"\b(\d{19})\b", shown.stdout)[0]
    result = tikpost(
        "post", str(videos.good), "--account", "@cli_brand", "--sound", sound_id,
        "--sound-volume", "90", "--original-volume", "0", "--wait",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    post = api.get(f"/v1/posts/{post_id(result)}").json()
    assert post["status"] == "published", post["error"]
    assert (post["sound"]["id"], post["sound"]["volume"]) == (sound_id, 90)
    with operator(svc) as op:
        [sent] = op.get(f"/business/accounts/{account['open_id']}/posts").json()["posts"]
    assert sent["sound"]["video_original_sound_volume"] == 0
