"""TikTok's per-token limits: a post that meets one waits for the window, it does not fail;
and tikpost keeps the init limit itself, so that meeting it is rare.

The embedded sandbox allows one video init per minute here, so a second post for the same
account is refused with 429 `rate_limit_exceeded`; moving the sandbox's clock past the window
lets the waiting post's next try through. The wait after a 429 is cut from 15 s to one: the
test needs the post to wait and try again, not to wait long (the waits' lengths have their own
tests in test_tiktok_outage.py).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, update

from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.support.videos import make_video
from tikpost.accounts.models import Account
from tikpost.kit.db import sync_url
from tikpost.posts.publish import outage, pacing

pytestmark = SQLITE_ONLY


def test_a_post_throttled_by_tiktok_waits_and_publishes(
    svc: RunningService,
    sandbox_api: httpx.Client,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outage, "RATE_LIMIT_WAIT_SEC", 1.0)
    caplog.set_level(logging.WARNING, logger="tikpost.posts.publish.publishing")
    with operator(svc) as op:
        limits = op.get("/config").json()["rate_limits"]
        op.patch("/config", json={"rate_limits": {**limits, "video_init": 1}}).raise_for_status()
    account = connect_account(sandbox_api, "throttled")
    media = upload(sandbox_api, make_video(tmp_path / "v.mp4", seconds=3))
    body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}

    first = sandbox_api.post("/v1/posts", json={**body, "title": "first"}).json()
    assert wait_final(sandbox_api, first["id"])["status"] == "published"
    second = sandbox_api.post("/v1/posts", json={**body, "title": "second"}).json()
    deadline = time.monotonic() + 30
    while "rate_limit_exceeded" not in caplog.text:
        assert time.monotonic() < deadline, "the second init was never throttled"
        time.sleep(0.1)
    with operator(svc) as op:
        op.post("/clock/advance", json={"seconds": 61}).raise_for_status()

    final = wait_final(sandbox_api, second["id"], timeout=60)

    assert final["status"] == "published", final
    assert [p["post_info"]["title"] for p in sandbox_posts(svc, "throttled")] == [
        "first",
        "second",
    ]


def test_a_post_past_six_inits_in_a_minute_waits_its_turn_instead_of_a_429(
    svc: RunningService,
    sandbox_api: httpx.Client,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The account's last six inits (as its earlier posts would have recorded them) 56 s ago:
    the next post waits the 4 s left of that minute, says so, and publishes without TikTok
    ever refusing it; its own init is then the newest in the window."""
    caplog.set_level(logging.WARNING, logger="tikpost.posts.publish")
    account = connect_account(sandbox_api, "paced")
    media = upload(sandbox_api, make_video(tmp_path / "v.mp4", seconds=3))
    earlier = [time.time() - 56.0 + n * 0.1 for n in range(pacing.INITS_PER_WINDOW)]
    engine = create_engine(sync_url(svc.settings.database_url))
    try:
        with engine.begin() as connection:
            connection.execute(
                update(Account).where(Account.id == account["id"]).values(init_times=earlier)
            )
        body = {"account_id": account["id"], "video": media["id"], "privacy_level": "SELF_ONLY"}
        created = sandbox_api.post("/v1/posts", json=body)
        assert created.status_code == 202, created.text

        final = wait_final(sandbox_api, created.json()["id"], timeout=60)

        with engine.connect() as connection:
            recorded = connection.execute(
                select(Account.init_times).where(Account.id == account["id"])
            ).scalar_one()
    finally:
        engine.dispose()
    assert final["status"] == "published", final
    waits = [e["message"] for e in final["events"] if e["message"].startswith("Waiting")]
    assert len(waits) == 1, final["events"]
    assert "TikTok takes 6 uploads a minute per account" in waits[0]
    started = next(e for e in final["events"] if e["message"] == "Starting the upload at TikTok")
    assert datetime.fromisoformat(started["at"]).timestamp() >= earlier[0] + pacing.WINDOW_SEC
    assert "rate_limit_exceeded" not in caplog.text
    # Its own init is the newest; those older than a minute by then are gone (how many of the
    # six depends on how soon after its wait the post ran).
    assert recorded is not None
    assert 1 <= len(recorded) <= pacing.INITS_PER_WINDOW
    assert recorded[-1] >= earlier[0] + pacing.WINDOW_SEC
    assert all(recorded[-1] - at < pacing.WINDOW_SEC for at in recorded)
