"""A server killed with SIGKILL mid-upload and restarted publishes the post exactly once.

Everything runs as real processes: a standalone `tikpost sandbox` (so TikTok's side survives
the kill) and `tikpost serve` against it, killed while TikTok holds part of the upload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY
from tests.support.api import Api
from tests.support.processes import (
    TIKPOST,
    Processes,
    assert_no_secrets,
    create_api_key,
    free_port,
    running_processes,
    service_env,
    start_sandbox,
    wait_up,
)
from tests.support.videos import make_video
from tests.support.waiting import wait_until
from tikpost.sandbox.business.config import (
    DEFAULT_BUSINESS_CLIENT_ID,
    DEFAULT_BUSINESS_CLIENT_SECRET,
)


@pytest.fixture
def big_video(tmp_path: Path) -> Path:
    """~15 MB: two TikTok chunks with tikpost's default chunk plan."""
    return make_video(tmp_path / "long.mp4", seconds=20)


@pytest.fixture
def processes() -> Iterator[Processes]:
    with running_processes() as running:
        yield running


# One backend: resuming an upload after SIGKILL is tikpost's and DBOS's logic, the same on
# either; PostgreSQL's recovery after SIGKILL has test_scale_out and test_takeover.
@pytest.mark.slow
@SQLITE_ONLY
def test_sigkill_mid_upload_publishes_exactly_once(
    tmp_path: Path, database_url: str, big_video: Path, processes: Processes
) -> None:
    service_port = free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    sandbox_url, _ = start_sandbox(processes, tmp_path, service_url, processing_delay=0.5)
    env = service_env(
        data_dir=tmp_path / "data",
        database_url=database_url,
        service_url=service_url,
        sandbox_url=sandbox_url,
        executor_id="crash-test-serve",
        api_rate_limit="100000/minute",  # the test polls the post
    )
    serve = [TIKPOST, "serve", "--port", str(service_port)]
    service = processes.start(serve, env, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", service.process)
    key = create_api_key(env, "crash")
    api = Api.keyed(service_url, key, timeout=60)
    operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
    connected = api.connect("survivor")
    [creator] = operator.get("/creators").json()["creators"]
    media = api.upload(big_video)
    # Slow each chunk down so the kill lands between the first and the last one.
    operator.post("/faults", json={"endpoint": "upload", "latency_ms": 3000}).raise_for_status()
    post = api.post(
        account_id=connected.account["id"], video=media["id"], privacy_level="SELF_ONLY"
    )

    def sandbox_posts() -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = operator.get(f"/creators/{creator['open_id']}/posts").json()[
            "posts"
        ]
        return listed

    wait_until(
        lambda: any(0 < (p["uploaded_bytes"] or 0) < media["size_bytes"] for p in sandbox_posts()),
        "the upload never got under way",
        60,
    )
    service.kill()
    [interrupted] = sandbox_posts()
    assert interrupted["status"] == "PROCESSING_UPLOAD"
    assert 0 < interrupted["uploaded_bytes"] < media["size_bytes"]

    operator.delete("/faults").raise_for_status()
    restarted = processes.start(serve, env, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", restarted.process)
    final = api.wait_final(post["id"], timeout=90)
    assert final["status"] == "published", (final["error"], (tmp_path / "serve.log").read_text())
    [published] = sandbox_posts()
    assert published["publish_id"] == interrupted["publish_id"]
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["media"]["sha256"] == media["sha256"]

    # The servers' own logs of all that (access lines included) hold no secret.
    logged = processes.all_logged()
    assert "/v1/oauth/tiktok/callback" in logged  # the access log is really there
    assert_no_secrets(logged, (key, connected.code, connected.state, "sandbox-client-secret"))


@pytest.mark.slow
@SQLITE_ONLY
def test_sigkill_while_tiktok_processes_a_business_post_publishes_it_once_with_its_sound(
    tmp_path: Path, database_url: str, processes: Processes
) -> None:
    """A post through TikTok's API for Business: killed once TikTok has pulled the video and
    is processing it, the restarted server resumes polling the recorded share_id; TikTok holds
    one post, with the sound at the volumes asked for."""
    video = make_video(tmp_path / "brand.mp4", seconds=4)
    service_port = free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    sandbox_url, _ = start_sandbox(
        processes,
        tmp_path,
        service_url,
        processing_delay=6,
        # The signed media links, verified as a URL property of the Business API app.
        verified_url_prefixes=(f"{service_url}/v1/media/",),
    )
    env = service_env(
        data_dir=tmp_path / "data",
        database_url=database_url,
        service_url=service_url,
        sandbox_url=sandbox_url,
        executor_id="crash-test-business",
        api_rate_limit="100000/minute",
        tiktok_business_client_key=DEFAULT_BUSINESS_CLIENT_ID,
        tiktok_business_client_secret=DEFAULT_BUSINESS_CLIENT_SECRET,
        tiktok_business_api_url=sandbox_url,
    )
    serve = [TIKPOST, "serve", "--port", str(service_port)]
    service = processes.start(serve, env, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", service.process)
    api = Api.keyed(service_url, create_api_key(env, "brand"), timeout=60)
    account = api.connect_business("crash_brand")
    sounds = api.client.get(f"/v1/accounts/{account['id']}/sounds").json()["items"]
    media = api.upload(video)
    post = api.post(
        account_id=account["id"],
        video=media["id"],
        title="Survives a crash",
        sound={"id": sounds[0]["id"], "volume": 65, "original_volume": 5},
        idempotency_key="crash-brand-1",
    )
    operator = httpx.Client(base_url=f"{sandbox_url}/_sandbox/business", timeout=30)

    def at_tiktok() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = operator.get(f"/accounts/{account['open_id']}/posts").json()[
            "posts"
        ]
        return found

    # TikTok has the whole video (pulled from tikpost's signed link) and is processing it.
    wait_until(
        lambda: any(p["downloaded_bytes"] == media["size_bytes"] for p in at_tiktok()),
        "TikTok never pulled the video",
        60,
    )
    service.kill()
    [processing] = at_tiktok()
    assert processing["status"] != "PUBLISH_COMPLETE"

    restarted = processes.start(serve, env, tmp_path / "serve.log")
    wait_up(f"{service_url}/healthz", restarted.process)
    # The same request again after the crash is the same post, not a second one.
    assert api.post(idempotency_key="crash-brand-1", **_same_body(post))["id"] == post["id"]
    final = api.wait_final(post["id"], timeout=90)
    assert final["status"] == "published", (final["error"], (tmp_path / "serve.log").read_text())
    [published] = at_tiktok()
    assert published["share_id"] == processing["share_id"] == final["publish_id"]
    assert published["status"] == "PUBLISH_COMPLETE"
    assert published["media"]["sha256"] == media["sha256"]
    sound = published["sound"]
    assert (sound["music_sound_id"], sound["music_sound_volume"]) == (sounds[0]["id"], 65)
    assert sound["video_original_sound_volume"] == 5
    assert final["post_url"].startswith("https://www.tiktok.com/@crash_brand/video/")
    assert_no_secrets(processes.all_logged(), (DEFAULT_BUSINESS_CLIENT_SECRET,))


def _same_body(post: dict[str, Any]) -> dict[str, Any]:
    """The create request a post was made from, as the test sent it."""
    fields = ("account_id", "video", "title", "sound")
    body = {name: post[name] for name in fields}
    body["sound"] = {k: body["sound"][k] for k in ("id", "volume", "original_volume")}
    return body
