"""Input that is valid on the wire but that Python's own parsers choke on: never a 500.

Each case goes over real HTTP to a running service (or sandbox) and must be refused with a 4xx
in the JSON error shape naming the field, or, where the protocol says to ignore it (a `Range`
we cannot read), be ignored.
"""

from __future__ import annotations

import io
import json
import random
import socket
import string
import time
import zipfile
from typing import Any

import httpx
import pytest

from tests.conftest import RunningSandbox, VideoFiles
from tests.sandbox.helpers import bearer, init_file
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import connect_account, upload
from tikpost.media.links import MediaLinks
from tikpost.sandbox.samples import make_jpeg
from tikpost.tiktok.webhooks import sign

HUGE = "1" * 5000  # past int()'s 4300-digit limit
SURROGATE = "\ud800"
# Pass str.isdigit() yet are not what HTTP means by digits ("²" even fails int()).
ODD_DIGITS = ["١٢٣", "\uff11\uff12\uff13", "²"]  # Arabic-Indic, fullwidth, superscript
JSON = {"Content-Type": "application/json"}


def send_json(client: httpx.Client, method: str, url: str, body: Any, **kw: Any) -> httpx.Response:
    """`body` as JSON text with every non-ASCII character escaped, so `"\\ud800"` is on the wire
    exactly as a client would write it (httpx's own encoder refuses lone surrogates)."""
    headers = {**JSON, **kw.pop("headers", {})}
    return client.request(method, url, content=json.dumps(body), headers=headers, **kw)


def assert_refused(response: httpx.Response, field: str | None, status: int = 422) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    assert error["field"] == field, error


@pytest.fixture
def ready(sandbox_api: httpx.Client, videos: VideoFiles) -> dict[str, Any]:
    """A post body that would be accepted: a connected account and an uploaded video."""
    account = connect_account(sandbox_api, "parser")
    media = upload(sandbox_api, videos.good)
    return {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}


POST_CASES: list[tuple[dict[str, Any], str]] = [
    ({"title": SURROGATE}, "title"),
    ({"title": "ok \udfff ok"}, "title"),
    ({"account_id": SURROGATE}, "account_id"),
    ({"video": SURROGATE}, "video"),
    ({"video": None, "photos": ["\udc00"]}, "photos.0"),
    ({"video": None, "video_url": f"https://example.com/{SURROGATE}.mp4"}, "video_url"),
    ({"scheduled_at": "0001-01-01T00:00:00+01:00"}, "scheduled_at"),
    ({"scheduled_at": "9999-12-31T23:59:59-01:00"}, "scheduled_at"),
    ({"video_cover_timestamp_ms": 10**20}, "video_cover_timestamp_ms"),
    ({"video": None, "photos": ["x"], "photo_cover_index": 10**12}, "photo_cover_index"),
]


@SQLITE_ONLY
def test_post_bodies_that_python_chokes_on(
    sandbox_api: httpx.Client, ready: dict[str, Any]
) -> None:
    for change, field in POST_CASES:
        body = {**ready, **change}
        assert_refused(send_json(sandbox_api, "POST", "/v1/posts", body), field)
    # A key that is not text is refused too (pydantic names no field for it).
    refused = send_json(sandbox_api, "POST", "/v1/posts", {**ready, SURROGATE: 1})
    assert_refused(refused, None)
    # A number too long for json.loads is a body that is not JSON we can read.
    raw = json.dumps(ready)[:-1] + f', "video_cover_timestamp_ms": {HUGE}}}'
    too_long = sandbox_api.post("/v1/posts", content=raw, headers=JSON)
    assert_refused(too_long, None, 400)
    # The body never reached the database: the account still has no posts.
    assert sandbox_api.get("/v1/posts").json()["items"] == []
    # The calendar's last second, in UTC, is a time like any other.
    last = sandbox_api.post("/v1/posts", json={**ready, "scheduled_at": "9999-12-31T23:59:59Z"})
    assert last.status_code == 202, last.text
    post = sandbox_api.get(f"/v1/posts/{last.json()['id']}").json()
    assert (post["status"], post["scheduled_at"]) == ("scheduled", "9999-12-31T23:59:59Z")


@SQLITE_ONLY
def test_other_bodies_and_query_numbers(sandbox_api: httpx.Client) -> None:
    endpoint = {"url": f"https://example.com/{SURROGATE}", "description": "hooks"}
    assert_refused(send_json(sandbox_api, "POST", "/v1/webhook-endpoints", endpoint), "url")
    described = {"url": "https://example.com/hook", "description": SURROGATE}
    assert_refused(
        send_json(sandbox_api, "POST", "/v1/webhook-endpoints", described), "description"
    )
    assert_refused(send_json(sandbox_api, "POST", "/v1/media", {"url": SURROGATE}), "url")
    for path in ("/v1/posts", "/v1/media", "/v1/webhook-deliveries"):
        for value in [HUGE, "99999999999999999999", *ODD_DIGITS]:
            assert_refused(sandbox_api.get(path, params={"limit": value}), "limit")
    long_key = {"Idempotency-Key": "k" * 5000}
    assert_refused(
        send_json(sandbox_api, "POST", "/v1/posts", {}, headers=long_key), "idempotency-key"
    )


@SQLITE_ONLY
def test_headers_from_anyone(svc: RunningService) -> None:
    with httpx.Client(base_url=svc.url, timeout=30) as client:
        for key in (HUGE, "tp_" + "\xff" * 40, "١٢٣"):
            response = client.get("/v1/team", headers={b"X-API-Key": key.encode("utf-8")})
            assert_refused(response, None, 401)
    # A Content-Length no int() can read is the protocol layer's 400, before any route (httpx
    # will not even send one).
    host, port = svc.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(
            f"POST /v1/posts HTTP/1.1\r\nHost: x\r\nContent-Length: {HUGE}\r\n\r\n{{}}".encode()
        )
        status_line = raw.makefile("rb").readline()
    assert status_line.split()[1].startswith(b"4"), status_line


@SQLITE_ONLY
def test_zip_entry_names_that_are_not_utf8(sandbox_api: httpx.Client) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("slide-1\u00e9.jpg", _jpeg())  # non-ASCII: flagged as UTF-8
    raw = archive.getvalue().replace("slide-1\u00e9".encode(), b"slide-1\xff\xfe")
    files = {"file": ("slides.zip", raw, "application/zip")}
    response = sandbox_api.post("/v1/media/zip", files=files)
    assert_refused(response, "file")
    assert response.json()["error"]["code"] == "invalid_zip"


@SQLITE_ONLY
def test_media_link_numbers(sandbox_api: httpx.Client, svc: RunningService) -> None:
    files = {"file": ("slide.jpg", _jpeg(), "image/jpeg")}
    media = sandbox_api.post("/v1/media", files=files).json()
    link = httpx.URL(MediaLinks.for_settings(svc.settings).url(media["id"]))
    with httpx.Client(timeout=30) as client:
        assert client.get(link, headers={"Range": "bytes=0-9"}).status_code == 206
        # A Range we cannot read is ignored (RFC 9110): the whole object, never a 500.
        for value in (f"bytes={HUGE}-", f"bytes=-{HUGE}", f"bytes=0-{HUGE}", "bytes=\xb2-"):
            response = client.get(link, headers={b"Range": value.encode("latin-1")})
            assert response.status_code == 200, (value[:20], response.text[:200])
            assert len(response.content) == media["size_bytes"]
        for value in [HUGE, "99999999999999999999", *ODD_DIGITS]:
            response = client.get(link.copy_set_param("exp", value))
            assert_refused(response, "exp")


@SQLITE_ONLY
def test_tiktok_webhook_receiver(svc: RunningService) -> None:
    secret = svc.app.state.tikpost.tiktok.client_secret
    url = f"{svc.url}/v1/tiktok/webhook"
    body = b'{"event":"post.publish.complete","content":"{}"}'
    now = int(time.time())
    with httpx.Client(timeout=30) as client:
        for stamp in [HUGE, "-5", " 1", "1_000", *ODD_DIGITS]:
            header = f"t={stamp},s={'0' * 64}".encode()
            response = client.post(url, content=body, headers={b"TikTok-Signature": header})
            assert_refused(response, "TikTok-Signature", 401)

        def signed(event: str) -> httpx.Response:
            header = sign(secret, event.encode(), now)
            return client.post(url, content=event.encode(), headers={"TikTok-Signature": header})

        assert signed(body.decode()).status_code == 200
        # Signed, yet not TikTok's shape: content must be a JSON string of an object.
        for event in ('{"event":"x","content":5}', '["x"]', '{"event":"x","content":"[1]"}'):
            assert_refused(signed(event), None, 400)
        surrogate = json.dumps({"event": "authorization.removed", "user_openid": SURROGATE})
        assert_refused(signed(surrogate), None, 400)
        for reason in ('"abc"', f'"{HUGE}"', "1.5", "null"):
            content = json.dumps(f'{{"reason": {reason}}}')
            event = f'{{"event":"authorization.removed","user_openid":"x","content":{content}}}'
            assert signed(event).status_code == 200


@SQLITE_ONLY
def test_oauth_callback_params(svc: RunningService) -> None:
    with httpx.Client(base_url=svc.url, timeout=30) as client:
        for state in (HUGE, f"a.b.{HUGE}", "١٢٣", "%ED%A0%80"):
            response = client.get(
                "/v1/oauth/tiktok/callback", params={"state": state, "code": HUGE}
            )
            assert response.status_code == 400, response.text


def test_sandbox_answers_like_tiktok(sandbox: RunningSandbox) -> None:
    """The emulator refuses what TikTok refuses with TikTok's 400 invalid_params, never a 500."""
    creator = sandbox.create_creator()
    source = {"source": "FILE_UPLOAD", "video_size": 100, "chunk_size": 100}
    video = {"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": source}
    captioned = {**video, "post_info": {"privacy_level": "SELF_ONLY", "title": SURROGATE}}
    photos = {"post_info": {}, "source_info": {"photo_images": [SURROGATE]}}
    bodies = [
        ("/v2/post/publish/video/init/", json.dumps(captioned)),
        ("/v2/post/publish/video/init/", json.dumps(video).replace("100", HUGE, 1)),
        ("/v2/post/publish/status/fetch/", json.dumps({"publish_id": SURROGATE})),
        ("/v2/post/publish/content/init/", json.dumps(photos)),
    ]
    with bearer(sandbox.url, creator["access_token"]) as api:
        for path, raw in bodies:
            response = api.post(path, content=raw, headers=JSON)
            assert response.status_code == 400, response.text
            assert response.json()["error"]["code"] == "invalid_params"
        upload_url = init_file(api, 100).json()["data"]["upload_url"]
    for endless in ("Infinity", "NaN", "1e999"):
        raw = f'{{"seconds": {endless}}}'
        advanced = sandbox.operator.post("/_sandbox/clock/advance", content=raw, headers=JSON)
        assert advanced.status_code == 422, advanced.text
    for content_range in (f"bytes 0-{HUGE}/100", f"bytes {HUGE}-99/100", f"bytes 0-99/{HUGE}"):
        response = httpx.put(
            upload_url,
            content=b"x" * 100,
            headers={"Content-Type": "video/mp4", "Content-Range": content_range},
            timeout=30,
        )
        assert response.status_code == 400, response.text


# Methods HTTP parsers know but tikpost serves none of: they reach the app (made-up ones may
# not: uvicorn's httptools parser answers those 400 itself, h11 passes them on).
FOREIGN_METHODS = ["PROPFIND", "MKCOL", "PURGE", "LINK", "UNLOCK", "REPORT", "SEARCH", "COPY"]


@SQLITE_ONLY
def test_made_up_methods_add_no_metric_series(svc: RunningService) -> None:
    """Every label from outside comes from a closed set: a method tikpost has no route for is
    `other`, whether the parser knows it or it is made up."""
    rng = random.Random(10)
    made_up = ["".join(rng.choices(string.ascii_uppercase, k=12)) for _ in range(50)]
    with httpx.Client(base_url=svc.url, timeout=30) as client:
        before = _series(client)
        for method in made_up + FOREIGN_METHODS:
            path = rng.choice(["/v1/team", "/v1/posts", f"/v1/{method.lower()}"])
            assert client.request(method, path).status_code in (400, 401, 404, 405)
        after = _series(client)
    assert not [line for line in after if any(method in line for method in made_up)]
    assert not [line for line in after if any(method in line for method in FOREIGN_METHODS)]
    assert any('method="other"' in line for line in after)
    # Three paths, each answering one status to a method it does not have.
    assert len(after - before) <= 3


def _series(client: httpx.Client) -> set[str]:
    text = client.get("/metrics").text
    return {
        line.rpartition(" ")[0]
        for line in text.splitlines()
        if line.startswith("tikpost_http_requests_total{") and 'route="/metrics"' not in line
    }


def _jpeg() -> bytes:
    return make_jpeg(width=640, height=800)
