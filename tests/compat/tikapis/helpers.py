"""What the tikapis tests share: a creator with a default privacy, its examples, and waiting."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.service.conftest import RunningService
from tests.service.publishing_helpers import connect_account
from tests.support.waiting import wait_until

BASE = "/compat/tikapis"
VENDOR_HOST = "https://tikapis.vercel.app"
VENDOR_KEY = "your_api_key_here"
# The two examples of tikapis' page (reference/tikapis-posts.md), character for character.
CURL_EXAMPLE = """curl -X POST "https://tikapis.vercel.app/v1/tiktok/posts" \\
     -H "X-API-Key: your_api_key_here" \\
     -F "videoFile=@/path/to/your/video.mp4" \\
     -F "caption=Check out my awesome video!"
"""
FETCH_EXAMPLE = """const form = new FormData();
form.append('videoFile', videoFileBlob, 'my-video.mp4');
form.append('caption', 'Check out my awesome video!');

fetch('https://tikapis.vercel.app/v1/tiktok/posts', {
  method: 'POST',
  headers: {
    'X-API-Key': 'your_api_key_here'
  },
  body: form
})
.then(response => response.json())
.then(data => console.log(data))
.catch(error => console.error('Error:', error));
"""
FINAL = {"Published", "Failed"}


def swapped(example: str, svc: RunningService, key: str) -> str:
    """The example with only its host and key replaced, as a switching user would."""
    return example.replace(VENDOR_HOST, f"{svc.url}{BASE}").replace(VENDOR_KEY, key)


def run_curl(svc: RunningService, key: str, video: Path) -> dict[str, Any]:
    command = swapped(CURL_EXAMPLE, svc, key).replace("/path/to/your/video.mp4", str(video))
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=120, check=True
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def run_fetch(svc: RunningService, key: str, video: Path) -> dict[str, Any]:
    """The fetch example on Node, after a prelude that gives it its `videoFileBlob` and makes
    its `console.log(data)` print JSON."""
    prelude = (
        "const fs = require('fs');\n"
        f"const videoFileBlob = new Blob([fs.readFileSync({json.dumps(str(video))})], "
        "{type: 'video/mp4'});\n"
        "const log = console.log; console.log = (value) => log(JSON.stringify(value));\n"
    )
    done = subprocess.run(
        ["node", "-e", prelude + swapped(FETCH_EXAMPLE, svc, key)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def creator_with_default(api: httpx.Client, username: str) -> dict[str, Any]:
    """A connected sandbox creator whose account a person gave a default privacy."""
    account = connect_account(api, username)
    changed = api.patch(
        f"/v1/accounts/{account['id']}", json={"default_privacy_level": "SELF_ONLY"}
    )
    assert changed.status_code == 200, changed.text
    return account


def wait_final(client: httpx.Client, post_id: str) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        state: dict[str, Any] = client.get(f"{BASE}/v1/tiktok/posts/{post_id}").json()
        return state if state["status"] in FINAL else None

    return wait_until(final, f"tikapis post {post_id} final", timeout=90)
