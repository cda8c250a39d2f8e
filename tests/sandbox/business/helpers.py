"""Raw-HTTP helpers for the Business API tests: its wire format, no tikpost client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.media_server import media_origin
from tests.support.server import serve_in_thread
from tests.support.videos import make_video
from tests.support.waiting import wait_until
from tikpost.sandbox.app import create_app
from tikpost.sandbox.config import SandboxConfig
from tikpost.sandbox.samples import make_jpeg

API = "/open_api/v1.3"
FINAL = {"PUBLISH_COMPLETE", "FAILED", "SEND_TO_USER_INBOX"}


@dataclass
class BusinessSandbox:
    """One sandbox and one verified media origin, shared by a test module."""

    url: str
    media: str
    operator: httpx.Client

    def account(self, username: str, **fields: Any) -> dict[str, Any]:
        response = self.operator.post(
            "/_sandbox/business/accounts", json={"username": username, **fields}
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def posts(self, open_id: str) -> list[dict[str, Any]]:
        response = self.operator.get(f"/_sandbox/business/accounts/{open_id}/posts")
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["posts"]
        return found


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BusinessSandbox]:
    root = tmp_path_factory.mktemp("business-media")
    # TikTok's smallest accepted sides (360 px), to keep generating them cheap.
    make_video(root / "good.mp4", seconds=4, fps=30, width=360, height=640)
    make_video(root / "low_fps.mp4", seconds=4, fps=15, width=360, height=640)
    for shade in (0, 90):
        (root / f"photo{shade}.jpg").write_bytes(make_jpeg(360, 450, shade))
    with media_origin(root) as media:
        config = SandboxConfig(
            processing_delay_sec=0.05, seed=17, verified_url_prefixes=[f"{media}/media/"]
        )
        with (
            serve_in_thread(create_app(config)) as url,
            httpx.Client(base_url=url, timeout=30) as operator,
        ):
            yield BusinessSandbox(url=url, media=f"{media}/media", operator=operator)


def client(sandbox: BusinessSandbox, access_token: str) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.url + API, headers={"Access-Token": access_token}, timeout=30
    )


def publish_video(
    api: httpx.Client, business_id: str, video_url: str, **post_info: Any
) -> dict[str, Any]:
    body = {"business_id": business_id, "video_url": video_url, "post_info": post_info}
    response = api.post("/business/video/publish/", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def wait_final(api: httpx.Client, business_id: str, share_id: str) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        response = api.get(
            "/business/publish/status/",
            params={"business_id": business_id, "publish_id": share_id},
        )
        answer: dict[str, Any] = response.json()
        assert answer["code"] == 0, answer
        return answer["data"] if answer["data"]["status"] in FINAL else None

    return wait_until(final, f"{share_id} final")


def first_clip(api: httpx.Client, business_id: str, **filters: str) -> dict[str, Any]:
    answer = api.get(
        "/discovery/cml/trending_list/", params={"business_id": business_id, **filters}
    ).json()
    assert answer["code"] == 0, answer
    track: dict[str, Any] = answer["data"]["list"][0]
    return track
