"""Raw-HTTP helpers for sandbox tests: they speak TikTok's wire format directly, no client."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

FINAL = {"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED"}


def bearer(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json; charset=UTF-8",
        },
        timeout=30,
    )


def init_file(
    api: httpx.Client, size: int, *, inbox: bool = False, privacy: str = "SELF_ONLY", **info: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": size,
            "total_chunk_count": 1,
        }
    }
    if inbox:
        return api.post("/v2/post/publish/inbox/video/init/", json=body)
    body["post_info"] = {"privacy_level": privacy, **info}
    return api.post("/v2/post/publish/video/init/", json=body)


def put_chunk(upload_url: str, data: bytes, first: int, total: int) -> httpx.Response:
    last = first + len(data) - 1
    return httpx.put(
        upload_url,
        content=data,
        headers={"Content-Type": "video/mp4", "Content-Range": f"bytes {first}-{last}/{total}"},
        timeout=30,
    )


def upload_whole(api: httpx.Client, path: Path, *, inbox: bool = False) -> str:
    """Init a single-chunk FILE_UPLOAD, PUT the file, return the publish_id."""
    data = path.read_bytes()
    response = init_file(api, len(data), inbox=inbox)
    assert response.status_code == 200, response.text
    init = response.json()["data"]
    put = put_chunk(init["upload_url"], data, 0, len(data))
    assert put.status_code == 201, put.text
    publish_id: str = init["publish_id"]
    return publish_id


def wait_status(api: httpx.Client, publish_id: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = api.post("/v2/post/publish/status/fetch/", json={"publish_id": publish_id})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        if data["status"] in FINAL or time.monotonic() > deadline:
            return data
        time.sleep(0.1)


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code
