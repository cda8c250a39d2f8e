"""PostPeer's upload flow (a presigned URL served by tikpost, its public URL in `mediaItems`)
and its connect flow's way back (`redirectUri`, `cancelRedirectUri`, allowlisted origins)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.compat.postpeer.helpers import APP, PostPeer, Started
from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY
from tests.service.publishing_helpers import sandbox_posts
from tests.support.oauth_browser import authorize
from tikpost.compat.postpeer import schemas
from tikpost.sandbox.samples import make_jpeg

pytestmark = SQLITE_ONLY


def _error(answer: Any, status: int, code: str) -> schemas.ErrorAnswer:
    assert answer.status_code == status, answer.text
    error = schemas.ErrorAnswer.model_validate(answer.json())
    assert error.code == code, error
    return error


def _slot(client: PostPeer, filename: str, mime: str) -> schemas.UploadUrls:
    answer = client.client.post("/v1/media/upload", json={"filename": filename, "mimeType": mime})
    assert answer.status_code == 200, answer.text
    return schemas.UploadAnswer.model_validate(answer.json()).data


def _put(url: str, data: bytes, mime: str) -> None:
    # As PostPeer's page does it: a PUT of the raw bytes with the file's Content-Type, no key.
    answer = httpx.put(url, content=data, headers={"Content-Type": mime}, timeout=60)
    assert answer.status_code == 201, answer.text


def _post(client: PostPeer, account_id: str, items: list[dict[str, str]]) -> httpx.Response:
    return client.client.post(
        "/v1/posts",
        json={
            "content": "uploaded through postpeer",
            "platforms": [
                {
                    "platform": "tiktok",
                    "accountId": account_id,
                    "platformSpecificData": {"privacyLevel": "SELF_ONLY"},
                }
            ],
            "mediaItems": items,
            "publishNow": True,
        },
    )


def test_an_uploaded_video_is_posted_once(started: Started, videos: VideoFiles) -> None:
    client = started.postpeer
    account_id = client.connect("uploader")
    slot = _slot(client, "clip.mp4", "video/mp4")
    data = videos.good.read_bytes()
    _put(slot.uploadUrl, data, "video/mp4")
    answer = _post(client, account_id, [{"type": "video", "url": slot.publicUrl}])
    assert answer.status_code == 200, answer.text
    created = schemas.CreatePostResponse.model_validate(answer.json())
    final = client.wait(created.postId)
    assert final["status"] == "published", final
    [item] = final["mediaItems"]
    assert (item["filename"], item["size"], item["mimeType"]) == (
        "clip.mp4",
        len(data),
        "video/mp4",
    )
    [posted] = sandbox_posts(started.svc, "uploader")
    assert posted["media"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_uploaded_images_are_posted_as_a_carousel(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("photographer")
    items = []
    for shade in (0, 120):
        slot = _slot(client, f"slide-{shade}.jpg", "image/jpeg")
        _put(slot.uploadUrl, make_jpeg(shade=shade), "image/jpeg")
        items.append({"type": "image", "url": slot.publicUrl})
    answer = _post(client, account_id, items)
    assert answer.status_code == 200, answer.text
    final = client.wait(answer.json()["postId"])
    assert final["status"] == "published", final
    assert [item["type"] for item in final["mediaItems"]] == ["image", "image"]
    [posted] = sandbox_posts(started.svc, "photographer")
    assert len(posted["photos"]) == 2


def test_upload_urls_are_refused_until_used_and_to_other_teams(started: Started) -> None:
    client = started.postpeer
    account_id = client.connect("careful")
    _error(
        client.client.post(
            "/v1/media/upload", json={"filename": "a.pdf", "mimeType": "application/pdf"}
        ),
        400,
        "unsupported_mime_type",
    )
    _error(
        client.client.post("/v1/media/upload", json={"filename": "a.mp4"}), 400, "validation_error"
    )
    slot = _slot(client, "later.mp4", "video/mp4")
    unused = _post(client, account_id, [{"type": "video", "url": slot.publicUrl}])
    _error(unused, 404, "upload_not_found")
    with PostPeer.on(started.svc, started.other_key) as other:
        theirs = _slot(other, "theirs.jpg", "image/jpeg")
        _put(theirs.uploadUrl, make_jpeg(), "image/jpeg")
    stolen = _post(client, account_id, [{"type": "image", "url": theirs.publicUrl}])
    _error(stolen, 404, "upload_not_found")
    assert sandbox_posts(started.svc, "careful") == []


def _query(location: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


def test_connect_sends_the_browser_back_to_an_allowed_origin(started: Started) -> None:
    client = started.postpeer
    params = {"redirectUri": f"{APP}/connected", "cancelRedirectUri": f"{APP}/cancelled"}
    url = client.client.get("/v1/connect/tiktok", params=params).json()["url"]
    back = authorize(url, username="returner")
    assert back.status_code == 303, back.text
    where, query = _query(back.headers["location"])
    assert where == f"{APP}/connected"
    assert query["status"] == ["connected"]
    integrations = client.client.get("/v1/connect/integrations").json()["integrations"]
    assert query["account_id"] == [integrations[0]["id"]]

    url = client.client.get("/v1/connect/tiktok", params=params).json()["url"]
    declined = authorize(url, decision="deny")
    assert declined.status_code == 303, declined.text
    where, query = _query(declined.headers["location"])
    assert (where, query["error"]) == (f"{APP}/cancelled", ["access_denied"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"redirectUri": "https://evil.example/x"}, "redirectUri"),
        (
            {"redirectUri": f"{APP}/ok", "cancelRedirectUri": "https://evil.example/"},
            "cancelRedirectUri",
        ),
    ],
)
def test_connect_refuses_a_redirect_to_another_origin(
    started: Started, params: dict[str, str], field: str
) -> None:
    answer = started.postpeer.client.get("/v1/connect/tiktok", params=params)
    assert _error(answer, 400, "redirect_uri_not_allowed").field == field


def test_an_upload_url_retried_under_its_key_is_the_same(started: Started) -> None:
    """PostPeer has no Idempotency-Key; tikpost honours it, so a retried request is one slot."""
    body = {"filename": "clip.mp4", "mimeType": "video/mp4"}
    headers = {"Idempotency-Key": "peer-upload-1"}
    first = started.postpeer.client.post("/v1/media/upload", json=body, headers=headers)
    again = started.postpeer.client.post("/v1/media/upload", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json() == again.json()
    fresh = _slot(started.postpeer, "clip.mp4", "video/mp4")
    assert fresh.uploadUrl != first.json()["data"]["uploadUrl"]
