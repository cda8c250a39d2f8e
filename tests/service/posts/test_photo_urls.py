"""Photo carousels given by URL: `photos` items may be http(s) URLs, fetched when the post is
accepted (through the SSRF guard, like POST /v1/media {"url"}), converted like uploads, and
pulled by the sandbox TikTok from tikpost's own signed links. A failing item refuses the whole
request, naming it, and leaves no media and no file behind."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.photo_helpers import (
    make_jpeg,
    make_png,
    make_zip,
    post,
    pulled_match_sent,
    served_sha256,
    upload_bytes,
    upload_zip,
)
from tests.service.publishing_helpers import connect_account, sandbox_posts, wait_final
from tests.service.s3_helpers import BOTH_STORAGES, stored_media
from tests.support.media_server import OriginStats, media_origin


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


@pytest.fixture
def origin_files(tmp_path: Path) -> Path:
    """Small images an origin serves: a JPEG TikTok takes as is, a PNG named .jpg (converted),
    a JPEG wider than 1080 px on its shorter side (resized), and a text file."""
    root = tmp_path / "origin"
    root.mkdir()
    (root / "ok.jpg").write_bytes(make_jpeg(320, 400, 10))
    (root / "png-named.jpg").write_bytes(make_png(200, 160))
    (root / "big.jpg").write_bytes(make_jpeg(1100, 1210, 20))
    (root / "note.txt").write_bytes(b"not a picture\n" * 20)
    return root


@pytest.fixture
def origin(origin_files: Path) -> Iterator[str]:
    with media_origin(origin_files) as url:
        yield f"{url}/media/"


@BOTH_STORAGES
@SQLITE_ONLY
def test_a_carousel_from_urls_and_ids_is_published(
    svc: RunningService, api: httpx.Client, origin: str, origin_files: Path
) -> None:
    account = connect_account(api, "urlposter")
    uploaded = upload_bytes(api, "mine.jpg", make_jpeg(300, 300, 5))
    ok_url = f"{origin}ok.jpg"
    body: dict[str, Any] = {
        "account_id": account["id"],
        "photos": [ok_url, uploaded["id"], f"{origin}png-named.jpg", f"{origin}big.jpg", ok_url],
        "photo_cover_index": 2,
        "privacy_level": "SELF_ONLY",
        "title": "from the web",
    }
    response = api.post("/v1/posts", json=body, headers={"Idempotency-Key": "urls-1"})
    assert response.status_code == 202, response.text
    created = response.json()
    imported_ok, kept, converted, resized, again = created["photos"]
    assert kept == uploaded["id"]
    assert again == imported_ok  # the same URL twice is fetched once
    ok = api.get(f"/v1/media/{imported_ok}").json()
    assert (ok["filename"], ok["probe"]["format"]) == ("ok.jpg", "jpeg")
    assert ok["sha256"] == hashlib.sha256((origin_files / "ok.jpg").read_bytes()).hexdigest()
    # The PNG named .jpg is judged by its bytes, then converted exactly as an upload would be.
    first = api.get(f"/v1/media/{converted}").json()
    assert (first["content_type"], first["probe"]["width"]) == ("image/jpeg", 200)
    second = api.get(f"/v1/media/{resized}").json()["probe"]
    assert (second["width"], second["height"]) == (1080, 1188)
    # The originals stay as media, like uploads: 1 upload + 3 imports + 2 conversions.
    assert len(api.get("/v1/media").json()["items"]) == 6

    # Same key, same body: the same post, and nothing fetched again.
    replay = api.post("/v1/posts", json=body, headers={"Idempotency-Key": "urls-1"})
    assert replay.status_code == 202, replay.text
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == created["id"]
    assert len(api.get("/v1/media").json()["items"]) == 6

    final = wait_final(api, created["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    [pulled] = sandbox_posts(svc, "urlposter")
    assert (pulled["post_mode"], pulled["photo_cover_index"]) == ("DIRECT_POST", 2)
    pulled_match_sent(api, final, pulled)
    # What the sandbox hashed is what tikpost's signed links serve, byte for byte.
    served = served_sha256(svc, final["photos"])
    assert [photo["sha256"] for photo in pulled["photos"]] == served
    assert served[0] == ok["sha256"]


@SQLITE_ONLY
def test_a_draft_from_a_zip_and_urls_lands_in_the_inbox(
    svc: RunningService, api: httpx.Client, origin: str
) -> None:
    """Draft (MEDIA_UPLOAD) with the zip's slides and URL items mixed in one carousel."""
    account = connect_account(api, "urldrafter")
    archive = make_zip(
        [("slide-1.jpg", make_jpeg(240, 320, 1)), ("slide-2.jpg", make_jpeg(96, 128, 2))]
    )
    response = upload_zip(api, archive)
    assert response.status_code == 201, response.text
    slides = [item["id"] for item in response.json()["items"]]
    created = post(
        api,
        account_id=account["id"],
        mode="draft",
        photos=[slides[0], f"{origin}ok.jpg", slides[1], f"{origin}png-named.jpg"],
        title="draft from everywhere",
    )
    final = wait_final(api, created["id"])
    assert final["status"] == "in_inbox", (final["error"], final["events"])
    [pulled] = sandbox_posts(svc, "urldrafter")
    assert (pulled["status"], pulled["post_mode"]) == ("SEND_TO_USER_INBOX", "MEDIA_UPLOAD")
    assert [photo["format"] for photo in pulled["photos"]] == ["jpeg"] * 4
    pulled_match_sent(api, final, pulled)
    assert [photo["sha256"] for photo in pulled["photos"]] == served_sha256(svc, final["photos"])


@BOTH_STORAGES
@SQLITE_ONLY
def test_a_failing_url_refuses_the_post_and_keeps_nothing(
    svc: RunningService, api: httpx.Client, origin: str, videos: VideoFiles
) -> None:
    """All or nothing: the good URLs fetched alongside a bad one are deleted again, and a
    post refused after its photos were fetched (unknown account) deletes them too."""
    account = connect_account(api, "urlrefused")
    good = [f"{origin}ok.jpg", f"{origin}png-named.jpg"]
    base = {"account_id": account["id"], "privacy_level": "SELF_ONLY"}
    with media_origin(videos.good.parent) as videos_url:
        cases: list[tuple[list[str], int, str, str, str]] = [
            ([*good, f"{origin}missing.jpg"], 422, "url_fetch_failed", "photos[2]", "HTTP 404"),
            ([f"{origin}note.txt", *good], 422, "unsupported_media", "photos[0]", "photos[0]:"),
            (
                [*good, f"{videos_url}/media/good.mp4"],
                422,
                "not_an_image",
                "photos[2]",
                "serves a video",
            ),
            (["ftp://example.com/a.jpg"], 422, "url_not_allowed", "photos[0]", "http"),
        ]
        for photos, status, code, field, words in cases:
            response = api.post("/v1/posts", json={**base, "photos": photos})
            assert response.status_code == status, (photos, response.text)
            error = response.json()["error"]
            assert (error["code"], error["field"]) == (code, field), response.text
            assert words in error["message"], response.text
            assert api.get("/v1/media").json()["items"] == [], photos
            assert stored_media(svc.settings) == [], photos
    # Every URL fetched, then the post refused in its own transaction: the imports go too.
    response = api.post("/v1/posts", json={**base, "account_id": "acct_nope", "photos": good})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "account_not_found")
    assert api.get("/v1/media").json()["items"] == []
    assert stored_media(svc.settings) == []
    assert api.get("/v1/posts").json()["items"] == []


@SQLITE_ONLY
def test_photo_urls_are_checked_capped_and_fetched_four_at_a_time(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], origin_files: Path
) -> None:
    """Request-only rules come first (a doomed request fetches nothing), items are at most
    2000 characters, the media size cap applies per URL, and at most four URLs are fetched at
    once."""
    stats = OriginStats()
    cap = (origin_files / "ok.jpg").stat().st_size
    with (
        media_origin(origin_files, stats) as url,
        service_factory(max_media_bytes=cap) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        slow = [f"{url}/slow/ok.jpg?n={n}" for n in range(6)]
        body = {"account_id": "acct_x", "privacy_level": "SELF_ONLY", "photos": slow}
        response = api.post("/v1/posts", json={**body, "photo_cover_index": 6})
        assert response.json()["error"]["code"] == "cover_index_out_of_range"
        assert stats.served == 0
        too_long = {**body, "photos": [f"{url}/media/ok.jpg?{'x' * 2000}"]}
        response = api.post("/v1/posts", json=too_long)
        assert (response.status_code, response.json()["error"]["code"]) == (
            422,
            "validation_error",
        )
        response = api.post("/v1/posts", json={**body, "photos": [""]})
        assert response.status_code == 422, response.text
        over = {**body, "photos": [f"{url}/media/ok.jpg", f"{url}/media/big.jpg"]}
        response = api.post("/v1/posts", json=over)
        assert response.status_code == 413, response.text
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("media_too_large", "photos[1]")
        assert api.get("/v1/media").json()["items"] == []
        # Six distinct URLs, fetched four at a time (the post itself then fails: no account).
        response = api.post("/v1/posts", json=body)
        assert response.json()["error"]["code"] == "account_not_found"
        assert stats.served == 6
        assert 1 < stats.max_in_flight <= 4
        assert api.get("/v1/media").json()["items"] == []
