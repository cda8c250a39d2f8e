"""One TikTok refusal, one public code: whether a call refuses it at once or a post fails on it."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import upload, wait_final
from tests.support.oauth_browser import authorize


@pytest.fixture
def api(sandbox_api: httpx.Client) -> httpx.Client:
    return sandbox_api


@SQLITE_ONLY
def test_missing_permission_is_one_code(
    svc: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    # The creator unticks every posting scope on TikTok's consent page.
    started = api.post("/v1/accounts/connect").json()
    consent = {"username": "reluctant", "granted_scope": "user.info.basic"}
    assert authorize(started["authorize_url"], **consent).status_code == 200
    [account] = api.get("/v1/accounts").json()["items"]
    assert account["scopes"] == ["user.info.basic"]

    refused = api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "missing_permission")

    media = upload(api, videos.good)
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
    created = api.post("/v1/posts", json=body)
    assert created.status_code == 202, created.text
    final = wait_final(api, created.json()["id"])
    assert (final["status"], final["error"]["code"]) == ("failed", "missing_permission")
