"""tikpost's public API as the tests drive it: the routes, and what each answers on success, in one
place instead of a copy per test module; the seed of a typed client.

Each call asserts the success status with the response text in the message, so a test that only
needs the happy path reads as its steps, and a failure shows what the service said.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.oauth_browser import authorize
from tests.support.waiting import poll

FINAL = frozenset({"published", "in_inbox", "failed", "cancelled"})


@dataclass(frozen=True)
class Connected:
    """A connected account, and the OAuth state and code that connected it (secrets a test may
    look for in the logs)."""

    account: dict[str, Any]
    state: str
    code: str


class Api:
    """A keyed `httpx.Client` on a running service, with the calls the tests make most."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    @classmethod
    def keyed(cls, url: str, key: str, timeout: float = 30) -> Api:
        """On a service running as a process of the test's own, with its API key."""
        return cls(httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=timeout))

    def connect_account(self, username: str, **consent: str) -> dict[str, Any]:
        """Connect a new sandbox creator through its consent page; `public="1"` makes it a public
        account."""
        return self.connect(username, **consent).account

    def connect_business(self, username: str) -> dict[str, Any]:
        """Connect a new sandbox business account through the Business API app's consent."""
        return self.connect(username, api="business").account

    def connect(self, username: str, api: str | None = None, **consent: str) -> Connected:
        body = {"api": api} if api else None
        started = self.client.post("/v1/accounts/connect", json=body)
        assert started.status_code == 201, started.text
        state: str = started.json()["state"]
        callback = authorize(started.json()["authorize_url"], username=username, **consent)
        assert callback.status_code == 200, callback.text
        accounts = self.client.get("/v1/accounts").json()["items"]
        account: dict[str, Any] = next(a for a in accounts if a["username"] == username)
        return Connected(account, state, callback.url.params["code"])

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

    def post(self, *, idempotency_key: str | None = None, **body: Any) -> dict[str, Any]:
        """Create a post; 202, since publishing goes on after the answer."""
        headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
        response = self.client.post("/v1/posts", json=body, headers=headers)
        assert response.status_code == 202, response.text
        created: dict[str, Any] = response.json()
        return created

    def get_post(self, post_id: str) -> dict[str, Any]:
        post: dict[str, Any] = self.client.get(f"/v1/posts/{post_id}").json()
        return post

    def wait_final(self, post_id: str, timeout: float = 60) -> dict[str, Any]:
        """The post once it is final, or as it is when `timeout` runs out (the caller's assertion
        on its status then says what it was stuck in)."""

        def final() -> dict[str, Any] | None:
            post = self.get_post(post_id)
            return post if post["status"] in FINAL else None

        return poll(final, timeout, interval=0.1) or self.get_post(post_id)

    @staticmethod
    def _created(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created
