"""tikpost's public API as the tests drive it: the routes, and what each answers on success, in one
place instead of a copy per test module; the seed of a typed client.

Each call asserts the success status with the response text in the message, so a test that only
needs the happy path reads as its steps, and a failure shows what the service said.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.oauth_browser import authorize

FINAL = frozenset({"published", "in_inbox", "failed", "cancelled"})


class Api:
    """A keyed `httpx.Client` on a running service, with the calls the tests make most."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def connect_account(self, username: str, **consent: str) -> dict[str, Any]:
        """Connect a new sandbox creator through its consent page; `public="1"` makes it a public
        account."""
        started = self.client.post("/v1/accounts/connect").json()
        assert authorize(started["authorize_url"], username=username, **consent).status_code == 200
        accounts = self.client.get("/v1/accounts").json()["items"]
        account: dict[str, Any] = next(a for a in accounts if a["username"] == username)
        return account

    def upload(self, path: Path, content_type: str = "video/mp4") -> dict[str, Any]:
        with path.open("rb") as handle:
            return self._created(
                self.client.post("/v1/media", files={"file": (path.name, handle, content_type)})
            )

    def upload_bytes(
        self, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> dict[str, Any]:
        return self._created(
            self.client.post("/v1/media", files={"file": (name, data, content_type)})
        )

    def post(self, **body: Any) -> dict[str, Any]:
        """Create a post; 202, since publishing goes on after the answer."""
        response = self.client.post("/v1/posts", json=body)
        assert response.status_code == 202, response.text
        created: dict[str, Any] = response.json()
        return created

    def get_post(self, post_id: str) -> dict[str, Any]:
        post: dict[str, Any] = self.client.get(f"/v1/posts/{post_id}").json()
        return post

    def wait_final(self, post_id: str, timeout: float = 60) -> dict[str, Any]:
        """The post once it is final, or as it is when `timeout` runs out (the caller's assertion
        on its status then says what it was stuck in)."""
        deadline = time.monotonic() + timeout
        while True:
            post = self.get_post(post_id)
            if post["status"] in FINAL or time.monotonic() > deadline:
                return post
            time.sleep(0.1)

    @staticmethod
    def _created(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created
