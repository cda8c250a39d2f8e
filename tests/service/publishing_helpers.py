"""Helpers for end-to-end publishing tests: a connected account, uploaded media, waiting (as
functions of a keyed client, over tests/support/api.py), and the sandbox's side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.service.conftest import RunningService
from tests.support.api import Api


def operator(service: RunningService) -> httpx.Client:
    """The embedded sandbox's operator API."""
    return httpx.Client(base_url=f"{service.url}/sandbox/_sandbox", timeout=30)


def connect_account(api: httpx.Client, username: str, **consent: str) -> dict[str, Any]:
    """Connect a new sandbox creator; `public="1"` makes it a public account."""
    return Api(api).connect_account(username, **consent)


def upload(api: httpx.Client, path: Path, content_type: str = "video/mp4") -> dict[str, Any]:
    return Api(api).upload(path, content_type)


def post(api: httpx.Client, **body: Any) -> dict[str, Any]:
    return Api(api).post(**body)


def wait_final(api: httpx.Client, post_id: str, timeout: float = 60) -> dict[str, Any]:
    return Api(api).wait_final(post_id, timeout)


def sandbox_posts(service: RunningService, username: str) -> list[dict[str, Any]]:
    with operator(service) as op:
        creators = op.get("/creators").json()["creators"]
        creator = next(c for c in creators if c["username"] == username)
        posts: list[dict[str, Any]] = op.get(f"/creators/{creator['open_id']}/posts").json()[
            "posts"
        ]
        return posts
