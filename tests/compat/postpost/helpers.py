"""PostPost's API as its clients drive it, and the native API and sandbox to check it with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.service.conftest import RunningService
from tests.service.publishing_helpers import sandbox_posts
from tests.support.waiting import poll

PREFIX = "/compat/postpost"
SETTINGS = {
    "viewerSetting": "SELF_ONLY",
    "allowComments": True,
    "allowDuet": False,
    "allowStitch": False,
    "commercialContent": False,
    "brandOrganic": False,
    "brandedContent": False,
}
DONE = frozenset({"published", "failed"})


@dataclass
class PostPost:
    service: RunningService
    key: str
    client: httpx.Client
    native: httpx.Client
    account: dict[str, Any]

    @classmethod
    def on(
        cls, service: RunningService, key: str, native: httpx.Client, account: dict[str, Any]
    ) -> PostPost:
        client = httpx.Client(
            base_url=f"{service.url}{PREFIX}", headers={"x-api-key": key}, timeout=30
        )
        return cls(service, key, client, native, account)

    @property
    def platform(self) -> str:
        return f"tiktok-{self.account['open_id']}"

    def close(self) -> None:
        self.client.close()
        self.native.close()

    def body(self, **changes: Any) -> dict[str, Any]:
        """A create-post body for this account; `tiktok={...}` changes its TikTok settings."""
        tiktok = {**SETTINGS, **changes.pop("tiktok", {})}
        return {
            "content": "hello from PostPost #tikpost",
            "platforms": [self.platform],
            "platformSettings": {"tiktok": tiktok},
            **changes,
        }

    def create(self, **changes: Any) -> str:
        response = self.client.post("/api/v1/create-post", json=self.body(**changes))
        assert response.status_code == 200, response.text
        assert response.json()["success"] is True
        group: str = response.json()["postGroupId"]
        return group

    def upload(self, group: str, video: Path) -> dict[str, Any]:
        """get-upload-url, then the PUT of the raw bytes its clients make."""
        asked = self.client.post(
            "/api/v1/get-upload-url",
            json={
                "fileName": video.name,
                "contentType": "video/mp4",
                "postGroupId": group,
                "type": "video",
            },
        )
        assert asked.status_code == 200, asked.text
        slot: dict[str, Any] = asked.json()
        put = httpx.put(slot["uploadUrl"], content=video.read_bytes(), timeout=60)
        assert put.status_code in (200, 201), put.text
        return slot

    def update(self, group: str, **body: Any) -> httpx.Response:
        return self.client.put(f"/api/v1/update-post/{group}", json=body)

    def get(self, group: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/get-post/{group}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def publish(self, group: str, video: Path) -> dict[str, Any]:
        """Upload the group's video, schedule it now, and wait until it is done."""
        self.upload(group, video)
        scheduled = self.update(group, status="scheduled")
        assert scheduled.status_code == 200, scheduled.text
        return self.wait_done(group)

    def wait_done(self, group: str, timeout: float = 60) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            post: dict[str, Any] = self.get(group)["posts"][0]
            return post if post["status"] in DONE else None

        return poll(done, timeout) or self.get(group)["posts"][0]

    def sandbox_posts(self) -> list[dict[str, Any]]:
        return sandbox_posts(self.service, self.account["username"])
