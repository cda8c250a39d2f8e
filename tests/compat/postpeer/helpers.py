"""Driving tikpost's PostPeer API as PostPeer's users do: its curl examples run by curl, its
answers checked against PostPeer's published shapes (compat.postpeer.schemas)."""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.service.conftest import RunningService
from tests.support.oauth_browser import authorize

HOST = "https://api.postpeer.dev"
# The one origin a connect may send the browser back to (TIKPOST_CONNECT_REDIRECT_ORIGINS).
APP = "https://app.example"
PENDING = frozenset({"pending", "scheduled"})


class PostPeer:
    """An httpx client on `/compat/postpeer` sending `x-access-key`."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    @classmethod
    @contextmanager
    def on(cls, svc: RunningService, key: str) -> Iterator[PostPeer]:
        headers = {"x-access-key": key}
        with httpx.Client(base_url=base(svc), headers=headers, timeout=30) as client:
            yield cls(client)

    def connect(self, username: str) -> str:
        """Connect a new public sandbox creator through PostPeer's connect URL; its integration
        id."""
        answer = self.client.get("/v1/connect/tiktok")
        assert answer.status_code == 200, answer.text
        assert authorize(answer.json()["url"], username=username, public="1").status_code == 200
        found = self.client.get("/v1/connect/integrations", params={"q": username}).json()
        [integration] = found["integrations"]
        return str(integration["id"])

    def wait(self, post_id: str, timeout: float = 60) -> dict[str, Any]:
        """The post once tikpost is done with it (or as it is when `timeout` runs out)."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.client.get(f"/v1/posts/{post_id}")
            assert answer.status_code == 200, answer.text
            post: dict[str, Any] = answer.json()["post"]
            if post["status"] not in PENDING or time.monotonic() > deadline:
                return post
            time.sleep(0.1)


def base(svc: RunningService) -> str:
    return f"{svc.url}/compat/postpeer"


@dataclass
class Started:
    svc: RunningService
    key: str
    media: str  # the origin's prefix standing in for https://cdn.example.com/
    native: httpx.Client
    postpeer: PostPeer
    other_key: str  # team rival's

    def swaps(self, account_id: str = "") -> dict[str, str]:
        """What differs from the reference page: the host, the key, the account, the CDN."""
        return {
            HOST: base(self.svc),
            "YOUR_API_KEY": self.key,
            "tt_321": account_id,
            "https://cdn.example.com/": self.media,
        }


def run_curl(command: str, swaps: dict[str, str]) -> tuple[int, Any]:
    """Run one of the page's curl commands with `swaps` applied; its status and JSON body."""
    for old, new in swaps.items():
        command = command.replace(old, new)
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "curl"
    done = subprocess.run(
        [*args, "--silent", "--show-error", "--noproxy", "*", "--write-out", "\n%{http_code}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)
