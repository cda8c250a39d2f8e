"""A developer revoke (TikTok's `authorization.removed`, reason 5) disconnects the account and
fails the posts still waiting for it; tikpost's own disconnect sends one too, and its echo
changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import connect_account, operator, upload, wait_final
from tests.service.webhook_helpers import Receiver, receiver
from tests.support.api import Api
from tests.support.waiting import wait_until
from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import sync_url

TOMORROW = (datetime.now(UTC) + timedelta(days=1)).isoformat()


def waiting_posts(api: httpx.Client, account_id: str, media_id: str, hook: str) -> list[str]:
    """One post scheduled for tomorrow and one queued behind TikTok's daily cap (set to 0):
    both wait for the account, neither has reached TikTok."""
    body = {"account_id": account_id, "video": media_id, "privacy_level": "SELF_ONLY"}
    ids = []
    for extra in ({"scheduled_at": TOMORROW}, {}):
        ids.append(Api(api).post(**body, **extra, webhook_url=hook)["id"])
    wait_until(
        lambda: any(
            "daily limit" in e["message"] for e in api.get(f"/v1/posts/{ids[1]}").json()["events"]
        ),
        "the queued post to wait for the daily cap",
    )
    statuses = [api.get(f"/v1/posts/{post_id}").json()["status"] for post_id in ids]
    assert statuses == ["scheduled", "queued"]
    return ids


def stored_access_token(svc: RunningService) -> str:
    engine = create_engine(sync_url(svc.settings.database_url))
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT access_token_encrypted FROM accounts")
        ).scalar_one()
    engine.dispose()
    return TokenCipher(svc.settings.secret_key.get_secret_value()).decrypt(stored)


def revoke_at_tiktok(svc: RunningService, token: str) -> None:
    """What another tool holding the app's credentials and the token does."""
    with operator(svc) as op:
        app = op.get("/config").json()
    response = httpx.post(
        f"{svc.url}/sandbox/v2/oauth/revoke/",
        data={
            "client_key": app["client_key"],
            "client_secret": app["client_secret"],
            "token": token,
        },
    )
    assert (response.status_code, response.json()) == (200, {})


def failed_hooks(hooks: Receiver) -> dict[str, dict[str, Any]]:
    events = [json.loads(request.body) for request in hooks.at("/hook")]
    return {e["data"]["id"]: e["data"] for e in events if e["type"] == "post.failed"}


def assert_failed_as_revoked(post: dict[str, Any]) -> None:
    assert post["status"] == "failed"
    assert post["error"]["code"] == "account_revoked"
    assert "disconnected before this post was sent" in post["error"]["message"]
    assert "connect it again" in post["error"]["message"]
    last = post["events"][-1]
    assert last["status"] == "failed"
    assert last["message"] == post["error"]["message"]
    assert last["data"] == {"code": "account_revoked"}
    assert post["publish_id"] is None


@SQLITE_ONLY
def test_revoke_by_another_tool_disconnects_and_fails_waiting_posts(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    api = sandbox_api
    account = connect_account(api, "revoked_elsewhere")
    with operator(svc) as op:
        op.patch("/config", json={"daily_post_cap": 0}).raise_for_status()
    media = upload(api, videos.good)
    with receiver() as hooks:
        ids = waiting_posts(api, account["id"], media["id"], f"{hooks.url}/hook")
        revoke_at_tiktok(svc, stored_access_token(svc))
        revoked = wait_until(
            lambda: (
                (a := api.get(f"/v1/accounts/{account['id']}").json())["status"] == "revoked" and a
            ),
            "the account to be revoked",
        )
        assert "revoked with the app's credentials" in revoked["status_reason"]
        assert revoked["access_expires_at"] is None
        for post_id in ids:
            post = api.get(f"/v1/posts/{post_id}").json()
            assert_failed_as_revoked(post)
            assert revoked["status_reason"] in post["error"]["message"]
        hooked = wait_until(
            lambda: found if len(found := failed_hooks(hooks)) == 2 else None, "hooks"
        )
    assert {post_id: hooked[post_id]["error"]["code"] for post_id in ids} == dict.fromkeys(
        ids, "account_revoked"
    )
    refused = api.get(f"/v1/accounts/{account['id']}/creator-info")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "account_revoked")
    # Connecting again makes the account usable, and a failed post can be retried.
    with operator(svc) as op:
        op.patch("/config", json={"daily_post_cap": 15}).raise_for_status()
        [creator] = op.get("/creators").json()["creators"]
    connect_account(api, "revoked_elsewhere", creator=creator["open_id"])
    assert api.get(f"/v1/accounts/{account['id']}").json()["status"] == "ready"
    assert api.post(f"/v1/posts/{ids[1]}/retry").status_code == 202
    assert wait_final(api, ids[1])["status"] == "published"


def test_own_disconnect_fails_waiting_posts_once_and_its_echo_changes_nothing(
    svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles
) -> None:
    api = sandbox_api
    account = connect_account(api, "leaving_on_purpose")
    with operator(svc) as op:
        op.patch("/config", json={"daily_post_cap": 0}).raise_for_status()
    media = upload(api, videos.good)
    with receiver() as hooks:
        ids = waiting_posts(api, account["id"], media["id"], f"{hooks.url}/hook")
        deleted = api.delete(f"/v1/accounts/{account['id']}")
        assert deleted.status_code == 200, deleted.text
        for post_id in ids:
            assert_failed_as_revoked(api.get(f"/v1/posts/{post_id}").json())
        with operator(svc) as op:
            echo = wait_until(
                lambda: [
                    d
                    for d in op.get("/webhooks").json()["deliveries"]
                    if d["event"] == "authorization.removed" and d["status_code"] == 200
                ],
                "TikTok's authorization.removed to be answered",
            )
        assert json.loads(json.loads(echo[0]["body"])["content"]) == {"reason": 5}
        wait_until(lambda: len(failed_hooks(hooks)) == 2, "the post.failed webhooks")
        after = api.get(f"/v1/accounts/{account['id']}").json()
        assert (after["status"], after["status_reason"]) == (
            "revoked",
            "disconnected through the API",
        )
        for post_id in ids:
            events = api.get(f"/v1/posts/{post_id}").json()["events"]
            assert [e["status"] for e in events].count("failed") == 1
    recorded = api.get("/v1/webhook-deliveries").json()["items"]
    assert sorted(d["event_type"] for d in recorded) == ["post.failed", "post.failed"]
