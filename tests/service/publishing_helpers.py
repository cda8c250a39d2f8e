"""Helpers for end-to-end publishing tests: a connected account, uploaded media, waiting."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.service.conftest import RunningService
from tests.service.oauth_browser import authorize

FINAL = {"published", "in_inbox", "failed", "cancelled"}


def operator(service: RunningService) -> httpx.Client:
    """The embedded sandbox's operator API."""
    return httpx.Client(base_url=f"{service.url}/sandbox/_sandbox", timeout=30)


def connect_account(api: httpx.Client, username: str, **consent: str) -> dict[str, Any]:
    """Connect a new sandbox creator; `public="1"` makes it a public account."""
    started = api.post("/v1/accounts/connect").json()
    assert authorize(started["authorize_url"], username=username, **consent).status_code == 200
    accounts = api.get("/v1/accounts").json()["items"]
    account: dict[str, Any] = next(a for a in accounts if a["username"] == username)
    return account


def upload(api: httpx.Client, path: Path, content_type: str = "video/mp4") -> dict[str, Any]:
    with path.open("rb") as handle:
        response = api.post("/v1/media", files={"file": (path.name, handle, content_type)})
    assert response.status_code == 201, response.text
    media: dict[str, Any] = response.json()
    return media


def wait_final(api: httpx.Client, post_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        post: dict[str, Any] = api.get(f"/v1/posts/{post_id}").json()
        if post["status"] in FINAL or time.monotonic() > deadline:
            return post
        time.sleep(0.1)


def sandbox_posts(service: RunningService, username: str) -> list[dict[str, Any]]:
    with operator(service) as op:
        creators = op.get("/creators").json()["creators"]
        creator = next(c for c in creators if c["username"] == username)
        posts: list[dict[str, Any]] = op.get(f"/creators/{creator['open_id']}/posts").json()[
            "posts"
        ]
        return posts
