"""End to end: photo carousels from media ids and from a zip, pulled by the sandbox TikTok
from tikpost's signed links; their validation, the zip's hostile cases, and the links."""

from __future__ import annotations

import hashlib
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.photo_helpers import (
    declared_sizes_zip,
    make_jpeg,
    make_png,
    make_zip,
    post,
    pulled_match_sent,
    symlink_zip,
    upload_bytes,
    upload_zip,
)
from tests.service.publishing_helpers import connect_account, sandbox_posts, wait_final
from tests.service.s3_helpers import BOTH_STORAGES
from tikpost.media.links import MediaLinks


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    """Team acme on the fast sandbox service (`svc`)."""
    return sandbox_api


def test_carousel_from_media_ids_is_published(svc: RunningService, api: httpx.Client) -> None:
    account = connect_account(api, "photographer")
    images = [upload_bytes(api, f"p{i}.jpg", make_jpeg(1080, 1350, i * 40)) for i in range(3)]
    created = post(
        api,
        account_id=account["id"],
        photos=[image["id"] for image in images],
        photo_cover_index=1,
        title="three 📸",
        description="a longer text #carousel",
        privacy_level="SELF_ONLY",
        auto_add_music=True,
        disable_comment=True,
    )
    assert (created["media_type"], created["video"]) == ("photo", None)
    # Already acceptable to TikTok: the very same media are sent, nothing is converted.
    assert created["photos"] == [image["id"] for image in images]
    final = wait_final(api, created["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    assert final["publish_id"].startswith("p_pub_url~")
    statuses = [event["status"] for event in final["events"]]
    # No upload: marked before TikTok is asked to pull (a crash there cannot post twice).
    assert statuses[-3:] == ["uploading", "processing", "published"]
    assert "pull 3 photo(s)" in final["events"][-3]["message"]
    [pulled] = sandbox_posts(svc, "photographer")
    assert pulled["status"] == "PUBLISH_COMPLETE"
    assert pulled["post_mode"] == "DIRECT_POST"
    assert pulled["photo_cover_index"] == 1
    info = pulled["post_info"]
    assert (info["title"], info["description"]) == ("three 📸", "a longer text #carousel")
    assert (info["auto_add_music"], info["disable_comment"]) == (True, True)
    assert [photo["sha256"] for photo in pulled["photos"]] == [i["sha256"] for i in images]
    assert all(photo["url"].startswith(f"{svc.url}/v1/media/") for photo in pulled["photos"])


@SQLITE_ONLY
def test_photo_draft_goes_to_the_inbox_with_its_text(
    svc: RunningService, api: httpx.Client
) -> None:
    account = connect_account(api, "drafter")
    image = upload_bytes(api, "one.jpg", make_jpeg(720, 1280, 9))
    created = post(
        api,
        account_id=account["id"],
        mode="draft",
        photos=[image["id"]],
        title="draft title",
        description="draft description",
    )
    final = wait_final(api, created["id"])
    assert final["status"] == "in_inbox", final["error"]
    [pulled] = sandbox_posts(svc, "drafter")
    assert (pulled["status"], pulled["post_mode"]) == ("SEND_TO_USER_INBOX", "MEDIA_UPLOAD")
    assert pulled["post_info"]["title"] == "draft title"
    pulled_match_sent(api, final, pulled)


@SQLITE_ONLY
def test_png_and_oversized_photos_are_converted_for_tiktok(
    svc: RunningService, api: httpx.Client
) -> None:
    account = connect_account(api, "converter")
    # A PNG named .jpg: the bytes decide, so it is a PNG (and TikTok takes no PNG).
    png = upload_bytes(api, "sneaky.jpg", make_png(800, 600))
    assert (png["kind"], png["content_type"], png["probe"]["format"]) == (
        "image",
        "image/png",
        "png",
    )
    big = upload_bytes(api, "big.jpg", make_jpeg(1440, 1920, 3))
    small = upload_bytes(api, "ok.jpg", make_jpeg(1080, 1080, 5))
    created = post(
        api,
        account_id=account["id"],
        photos=[png["id"], big["id"], small["id"]],
        privacy_level="SELF_ONLY",
    )
    converted_png, resized, kept = created["photos"]
    assert converted_png != png["id"]
    assert resized != big["id"]
    assert kept == small["id"]
    first = api.get(f"/v1/media/{converted_png}").json()
    assert (first["content_type"], first["probe"]["width"], first["probe"]["height"]) == (
        "image/jpeg",
        800,
        600,
    )
    second = api.get(f"/v1/media/{resized}").json()["probe"]
    assert (second["format"], second["width"], second["height"]) == ("jpeg", 1080, 1440)
    final = wait_final(api, created["id"])
    # Unconverted, the sandbox would fail the carousel with picture_size_check_failed.
    assert final["status"] == "published", (final["error"], final["events"])
    [pulled] = sandbox_posts(svc, "converter")
    assert [p["format"] for p in pulled["photos"]] == ["jpeg", "jpeg", "jpeg"]
    assert (pulled["photos"][1]["width"], pulled["photos"][1]["height"]) == (1080, 1440)
    pulled_match_sent(api, final, pulled)


@BOTH_STORAGES
@SQLITE_ONLY
def test_carousel_from_a_zip(svc: RunningService, api: httpx.Client) -> None:
    """Also on S3: the PNG slide is converted from a copy of the stored object there."""
    account = connect_account(api, "zipper")
    slides = {
        "slide-2.png": make_png(640, 480),
        "slide-1.jpg": make_jpeg(1080, 1350, 1),
        "slide-3.jpeg": make_jpeg(1080, 1350, 2),
    }
    response = upload_zip(api, make_zip(list(slides.items()), zipfile.ZIP_DEFLATED))
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [item["filename"] for item in items] == ["slide-1.jpg", "slide-2.png", "slide-3.jpeg"]
    assert items[0]["sha256"] == hashlib.sha256(slides["slide-1.jpg"]).hexdigest()
    assert items[1]["probe"]["format"] == "png"
    created = post(
        api,
        account_id=account["id"],
        photos=[item["id"] for item in items],
        privacy_level="SELF_ONLY",
    )
    final = wait_final(api, created["id"])
    assert final["status"] == "published", (final["error"], final["events"])
    [pulled] = sandbox_posts(svc, "zipper")
    assert len(pulled["photos"]) == 3
    pulled_match_sent(api, final, pulled)


@SQLITE_ONLY
def test_invalid_photo_posts_are_refused(svc: RunningService, api: httpx.Client) -> None:
    account = connect_account(api, "validator")
    image = upload_bytes(api, "a.jpg", make_jpeg(720, 720, 1))
    base = {"account_id": account["id"], "photos": [image["id"]], "privacy_level": "SELF_ONLY"}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"title": "x" * 91}, "title_too_long", "title"),
        ({"title": "😀" * 46}, "title_too_long", "title"),
        ({"description": "d" * 4001}, "description_too_long", "description"),
        ({"photos": [image["id"]] * 36}, "validation_error", "photos"),
        ({"photos": []}, "validation_error", "photos"),
        ({"disable_duet": True}, "not_for_photos", "disable_duet"),
        ({"disable_stitch": False}, "not_for_photos", "disable_stitch"),
        ({"video": image["id"]}, "media_conflict", "photos"),
        ({"photo_cover_index": 1}, "cover_index_out_of_range", "photo_cover_index"),
        ({"photos": ["med_nope"]}, "media_not_found", "photos[0]"),
        (
            {"mode": "draft", "privacy_level": None, "auto_add_music": True},
            "not_for_drafts",
            "auto_add_music",
        ),
        ({"photos": None}, "media_required", "video"),
    ]
    for change, code, field in cases:
        body = {key: value for key, value in {**base, **change}.items() if value is not None}
        response = api.post("/v1/posts", json=body)
        assert response.status_code == 422, (change, response.text)
        error = response.json()["error"]
        assert (error["code"], error["field"]) == (code, field), change
    # Description and cover index belong to photos.
    response = api.post(
        "/v1/posts",
        json={"account_id": account["id"], "video": image["id"], "description": "d"},
    )
    assert response.json()["error"]["code"] == "not_for_videos"
    assert api.get("/v1/posts").json()["items"] == []
    assert sandbox_posts(svc, "validator") == []


@SQLITE_ONLY
def test_hostile_zips_are_refused_naming_the_entry(
    api: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service runs in this process: its temporary directories land here, to be counted.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    jpeg = make_jpeg(320, 320, 1)
    cases: list[tuple[bytes, str, str]] = [
        (make_zip([("../slide-1.jpg", jpeg)]), "zip_unsafe_path", "../slide-1.jpg"),
        (make_zip([("/slide-1.jpg", jpeg)]), "zip_unsafe_path", "/slide-1.jpg"),
        (
            make_zip([("slide-1.jpg", bytes(10 * 1024 * 1024))], zipfile.ZIP_DEFLATED),
            "zip_bomb",
            "slide-1.jpg",
        ),
        (symlink_zip("slide-1.jpg", "/etc/passwd"), "zip_symlink", "slide-1.jpg"),
        (make_zip([("photo.jpg", jpeg)]), "zip_entry_misnamed", "photo.jpg"),
        (make_zip([("slide-1.jpg", make_png(64, 64))]), "zip_entry_misnamed", "slide-1.jpg"),
        (
            make_zip([("slide-1.jpg", b"hello, not an image\n" * 50)]),
            "zip_entry_not_an_image",
            "slide-1.jpg",
        ),
        (
            make_zip([("slide-1.jpg", make_zip([("slide-1.jpg", jpeg)]))]),
            "zip_nested_archive",
            "slide-1.jpg",
        ),
        (make_zip([("slide-1.zip", jpeg)]), "zip_nested_archive", "slide-1.zip"),
        (
            make_zip([(f"slide-{n}.jpg", jpeg) for n in range(1, 37)]),
            "zip_too_many_entries",
            "36 entries",
        ),
        (
            make_zip([("slide-1.jpg", jpeg), ("slide-3.jpg", jpeg)]),
            "zip_slides_out_of_order",
            "slide-2",
        ),
        (b"PK\x03\x04 not really a zip", "invalid_zip", "zip"),
        (make_zip([("photos/slide-1.jpg", jpeg)]), "zip_entry_misnamed", "photos/slide-1.jpg"),
        (make_zip([("photos/", b"")]), "zip_entry_misnamed", "is a directory"),
        (make_zip([("slide-1.jpg", jpeg), ("SLIDE-1.JPG", jpeg)]), "zip_duplicate_slide", "twice"),
        (make_zip([("C:/slide-1.jpg", jpeg)]), "zip_unsafe_path", "absolute"),
        (make_zip([("a\\..\\slide-1.jpg", jpeg)]), "zip_unsafe_path", ".."),
        # Each entry's ratio is under the cap, but together they claim 270 MB.
        (declared_sizes_zip(18, 15 * 1024 * 1024), "zip_bomb", "256 MB in total"),
    ]
    for data, code, named in cases:
        response = upload_zip(api, data)
        assert response.status_code == 422, (code, response.text)
        error = response.json()["error"]
        assert error["code"] == code, response.text
        assert named in error["message"], response.text
    assert api.get("/v1/media").json()["items"] == []
    assert list(scratch.iterdir()) == []  # every tikpost-zip-… directory was removed


@SQLITE_ONLY
def test_a_text_file_named_mp4_is_refused(api: httpx.Client) -> None:
    response = api.post(
        "/v1/media", files={"file": ("clip.mp4", b"just some text\n" * 100, "video/mp4")}
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("unsupported_media", "file")
    assert api.get("/v1/media").json()["items"] == []


@SQLITE_ONLY
def test_signed_media_links(svc: RunningService, api: httpx.Client) -> None:
    data = make_jpeg(640, 640, 7)
    image = upload_bytes(api, "linked.jpg", data)
    other = upload_bytes(api, "other.jpg", make_jpeg(640, 640, 8))
    links = MediaLinks(svc.settings.secret_key.get_secret_value(), svc.url)
    url = links.url(image["id"])
    assert url.startswith(f"{svc.url}/v1/media/{image['id']}/content?exp=")
    with httpx.Client(timeout=30) as anonymous:
        whole = anonymous.get(url)
        assert whole.status_code == 200
        assert whole.content == data
        assert whole.headers["content-type"] == "image/jpeg"
        assert whole.headers["content-length"] == str(len(data))
        assert whole.headers["accept-ranges"] == "bytes"

        head = anonymous.head(url)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(len(data))

        part = anonymous.get(url, headers={"Range": "bytes=10-19"})
        assert part.status_code == 206
        assert part.content == data[10:20]
        assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
        tail = anonymous.get(url, headers={"Range": "bytes=-5"})
        assert (tail.status_code, tail.content) == (206, data[-5:])
        beyond = anonymous.get(url, headers={"Range": f"bytes={len(data)}-"})
        assert beyond.status_code == 416

        bad = anonymous.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB"))
        assert (bad.status_code, bad.json()["error"]["code"]) == (403, "link_invalid")
        swapped = anonymous.get(url.replace(image["id"], other["id"]))
        assert (swapped.status_code, swapped.json()["error"]["code"]) == (403, "link_invalid")
        expired = anonymous.get(links.url(image["id"], now=time.time() - 3 * 3600))
        assert (expired.status_code, expired.json()["error"]["code"]) == (403, "link_expired")
        unsigned = anonymous.get(f"{svc.url}/v1/media/{image['id']}/content")
        assert unsigned.status_code == 422
