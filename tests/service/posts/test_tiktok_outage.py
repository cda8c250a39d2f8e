"""TikTok failing for a while (the sandbox's fault API answering 500): posts wait, durably and
visibly, for a budget of time, then publish exactly once; past the budget they fail clearly.

The tests clear the faults once every post's timeline says it is waiting, so the outage lasts
as long as it takes to be seen, not a guessed number of seconds.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.photo_helpers import make_jpeg, upload_bytes
from tests.service.publishing_helpers import (
    connect_account,
    operator,
    sandbox_posts,
    upload,
    wait_final,
)
from tests.support.api import Api
from tests.support.media_server import media_origin
from tests.support.processes import (
    TIKPOST,
    free_port,
    running_processes,
    service_env,
    start_sandbox,
    wait_up,
)
from tests.support.processes import (
    create_api_key as mint_api_key,
)
from tests.support.waiting import wait_until
from tikpost.posts.failures import PublishFailedError
from tikpost.posts.publish.outage import (
    FIRST_WAIT_SEC,
    MAX_WAIT_SEC,
    QUICK_ATTEMPTS,
    may_have_arrived,
    next_wait,
    patient,
)
from tikpost.tiktok import errors, responses

WAITING = "TikTok is unavailable ("
CREATOR_INFO = "/v2/post/publish/creator_info/query/"

Started = tuple[RunningService, httpx.Client, str]
# One backend for the service's tests: riding out TikTok's outage is workflow logic, and what it
# stores (timeline lines, DBOS step outputs) is the same on either.


@contextmanager
def _started(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    videos: VideoFiles,
    **kw: Any,
) -> Iterator[Started]:
    """The sandbox-mode service, with a media origin whose prefix TikTok may pull from."""
    with media_origin(videos.good.parent) as origin:
        prefix = f"{origin}/media/"
        with service_factory(**SANDBOX_MODE, verified_url_prefixes=[prefix], **kw) as svc:
            with operator(svc) as op:
                verified = op.get("/config").json()["verified_url_prefixes"]  # tikpost's links
                config = {
                    "processing_delay_sec": 0.2,
                    "verified_url_prefixes": [*verified, prefix],
                    "unaudited_active_user_cap": 10,  # eight creators post in one test
                }
                op.patch("/config", json=config).raise_for_status()
            with svc.client(create_api_key("acme")) as api:
                yield svc, api, prefix


def _post(api: httpx.Client, **body: Any) -> str:
    direct = {} if body.get("mode") == "draft" else {"privacy_level": "SELF_ONLY"}
    post_id: str = Api(api).post(**{**direct, **body})["id"]
    return post_id


def _fail(svc: RunningService, *endpoints: str) -> None:
    with operator(svc) as op:
        for endpoint in endpoints:
            fault = {"endpoint": endpoint, "error_rate": 1.0, "status": 500}
            op.post("/faults", json=fault).raise_for_status()


def _clear(svc: RunningService) -> None:
    with operator(svc) as op:
        op.delete("/faults").raise_for_status()


def _messages(api: httpx.Client, post_id: str) -> list[str]:
    events = api.get(f"/v1/posts/{post_id}").json()["events"]
    return [event["message"] for event in events]


def _wait_until_waiting(api: httpx.Client, waits: dict[str, str], timeout: float = 60) -> None:
    """Until each post's timeline has a waiting line naming what failed (`waits[post_id]`)."""
    pending = dict(waits)

    def all_waiting() -> bool:
        for post_id, why in list(pending.items()):
            lines = _messages(api, post_id)
            if any(line.startswith(WAITING) and why in line for line in lines):
                del pending[post_id]
            else:
                post = api.get(f"/v1/posts/{post_id}").json()
                assert post["status"] != "failed", (post["error"], lines)
        return not pending

    wait_until(
        all_waiting, "every post waiting", timeout, detail=lambda: f"never waiting: {pending}"
    )


def _published_once(svc: RunningService, api: httpx.Client, posts: dict[str, str]) -> None:
    """Every post (by creator username) final and successful, and one post at TikTok each."""
    for username, post_id in posts.items():
        final = wait_final(api, post_id, timeout=90)
        assert final["status"] in {"published", "in_inbox"}, (final["error"], final["events"])
        at_tiktok = sandbox_posts(svc, username)
        assert len(at_tiktok) == 1, (username, at_tiktok)
        assert at_tiktok[0]["status"] in {"PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"}


@pytest.mark.slow
@SQLITE_ONLY
def test_a_tiktok_outage_is_ridden_out(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    """The issue's case: every endpoint answers 500 while 8 posts (uploaded and pulled videos,
    photos) are due; once TikTok is back, each publishes once."""
    with _started(service_factory, create_api_key, videos, tiktok_outage_budget_sec=300) as (
        svc,
        api,
        prefix,
    ):
        names = [f"out{i}" for i in range(8)]
        accounts = {name: connect_account(api, name)["id"] for name in names}
        video = upload(api, videos.good)["id"]
        photo = upload_bytes(api, "p.jpg", make_jpeg(1080, 1350, 7))["id"]
        _fail(svc, "*")
        posts = {}
        for i, name in enumerate(names):
            media: dict[str, Any] = (
                {"video": video}
                if i < 4
                else {"video_url": f"{prefix}good.mp4"}
                if i < 6
                else {"photos": [photo]}
            )
            posts[name] = _post(api, account_id=accounts[name], title=name, **media)
        _wait_until_waiting(
            api, dict.fromkeys(posts.values(), f"HTTP 500 internal_error from {CREATOR_INFO}")
        )
        _clear(svc)
        _published_once(svc, api, posts)


@SQLITE_ONLY
def test_each_call_safe_to_repeat_waits_out_its_endpoint(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    """Past creator info: a pull init and a photo init refused with 500 (TikTok refused, so
    nothing publishes) are asked again later, and an upload's chunk PUTs are sent again."""
    with _started(service_factory, create_api_key, videos, tiktok_outage_budget_sec=300) as (
        svc,
        api,
        prefix,
    ):
        accounts = {name: connect_account(api, name)["id"] for name in ("puller", "photos", "up")}
        photo = upload_bytes(api, "p.jpg", make_jpeg(1080, 1350, 3))["id"]
        video = upload(api, videos.good)["id"]
        _fail(svc, "video/init", "content/init", "upload")
        posts = {
            "puller": _post(api, account_id=accounts["puller"], video_url=f"{prefix}good.mp4"),
            "photos": _post(api, account_id=accounts["photos"], photos=[photo]),
            # A draft inits at inbox/video/init, which works: its chunks meet the outage.
            "up": _post(api, account_id=accounts["up"], video=video, mode="draft"),
        }
        _wait_until_waiting(
            api,
            {
                posts["puller"]: "HTTP 500 internal_error from /v2/post/publish/video/init/",
                posts["photos"]: "HTTP 500 internal_error from /v2/post/publish/content/init/",
                posts["up"]: "HTTP 500 upload_server_error from /",
            },
        )
        _clear(svc)
        _published_once(svc, api, posts)
        for name in ("puller", "photos"):
            assert any("TikTok turned the request down" in m for m in _messages(api, posts[name]))


@SQLITE_ONLY
def test_an_outage_longer_than_the_budget_fails_the_post(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    with _started(service_factory, create_api_key, videos, tiktok_outage_budget_sec=4) as (
        svc,
        api,
        _prefix,
    ):
        account = connect_account(api, "patient")
        video = upload(api, videos.good)["id"]
        _fail(svc, "*")
        final = wait_final(api, _post(api, account_id=account["id"], video=video))
        assert final["status"] == "failed", final
        assert final["error"]["code"] == "tiktok_unavailable"
        assert final["error"]["message"] == (
            f"TikTok stayed unavailable for 4 s (HTTP 500 internal_error from {CREATOR_INFO}); "
            "nothing was published. Retry the post once TikTok is back."
        )
        lines = [event["message"] for event in final["events"]]
        assert any(line.startswith(WAITING) and "trying until" in line for line in lines), lines
        _clear(svc)
        assert sandbox_posts(svc, "patient") == []


@pytest.mark.slow
@SQLITE_ONLY
def test_a_restart_mid_outage_keeps_the_deadline(
    tmp_path: Path, database_url: str, videos: VideoFiles
) -> None:
    """SIGKILL while a post waits out an outage: the restarted workflow resumes the same wait
    with the same deadline (the budget's start is a recorded step output), not a fresh one."""
    with running_processes() as processes:
        url = f"http://127.0.0.1:{free_port()}"
        sandbox_url, _ = start_sandbox(processes, tmp_path, url, processing_delay=0.2)
        env = service_env(
            data_dir=tmp_path / "data",
            database_url=database_url,
            service_url=url,
            sandbox_url=sandbox_url,
            executor_id="outage-test",
            tiktok_outage_budget_sec="300",
            api_rate_limit="100000/minute",  # the test polls the timeline
        )
        serve = [TIKPOST, "serve", "--port", url.rsplit(":", 1)[1]]
        service = processes.start(serve, env, tmp_path / "serve.log")
        wait_up(f"{url}/healthz", service.process)
        api = Api.keyed(url, mint_api_key(env, "t")).client
        account = connect_account(api, "restarted")
        media = upload(api, videos.good)["id"]
        with httpx.Client(base_url=f"{sandbox_url}/_sandbox") as op:
            fault = {"endpoint": "*", "error_rate": 1.0, "status": 500}
            op.post("/faults", json=fault).raise_for_status()
            post_id = _post(api, account_id=account["id"], video=media)
            _wait_until_waiting(api, {post_id: CREATOR_INFO})
            before = [m for m in _messages(api, post_id) if m.startswith(WAITING)]
            service.kill()
            service = processes.start(serve, env, tmp_path / "serve.log")
            wait_up(f"{url}/healthz", service.process)

            def more_waits() -> list[str] | None:
                waits = [m for m in _messages(api, post_id) if m.startswith(WAITING)]
                return waits if len(waits) > len(before) else None

            waits = wait_until(
                more_waits, "another waiting line", 60, detail=lambda: _messages(api, post_id)
            )
            assert {line.rsplit("trying until ", 1)[1] for line in waits} == {
                before[0].rsplit("trying until ", 1)[1]
            }
            op.delete("/faults").raise_for_status()
            final = wait_final(api, post_id, timeout=90)
            assert final["status"] == "published", (final["error"], final["events"])
            [creator] = op.get("/creators").json()["creators"]
            posts = op.get(f"/creators/{creator['open_id']}/posts").json()["posts"]
            assert [p["status"] for p in posts] == ["PUBLISH_COMPLETE"]


# --- the budget and its backoff ------------------------------------------------------------


@given(
    budget=st.floats(1, 7200),
    retry_after=st.none() | st.floats(0, 120),
    rate_limited=st.booleans(),
    draws=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=400),
)
def test_waits_fill_the_budget_and_never_pass_it(
    budget: float, retry_after: float | None, rate_limited: bool, draws: list[float]
) -> None:
    """Following next_wait from the first failure: every wait is positive and ends by the
    deadline, one try lands on the deadline itself, and then the budget is spent."""
    started = now = 1_000_000.0
    attempt = 0
    while (
        wait := next_wait(
            attempt,
            started=started,
            now=now,
            budget_sec=budget,
            retry_after=retry_after,
            rate_limited=rate_limited,
            jitter=draws[attempt % len(draws)],
        )
    ) is not None:
        assert 0 < wait <= started + budget - now
        if wait < started + budget - now:
            assert wait >= (retry_after or 0)
            assert wait >= 0.75 * FIRST_WAIT_SEC
        now += wait
        attempt += 1
    assert now == pytest.approx(started + budget)
    assert attempt >= 1


@given(attempt=st.integers(0, 10_000), jitter=st.floats(0, 1, exclude_max=True))
def test_outage_waits_double_up_to_the_longest_with_a_quarter_of_jitter(
    attempt: int, jitter: float
) -> None:
    wait = next_wait(attempt, started=0, now=0, budget_sec=1e9, jitter=jitter)
    base = min(FIRST_WAIT_SEC * 2 ** min(attempt, 16), MAX_WAIT_SEC)
    assert wait is not None
    assert 0.75 * base <= wait <= 1.25 * base
    later = next_wait(attempt + 1, started=0, now=0, budget_sec=1e9, jitter=jitter)
    assert later is not None
    assert later >= wait


def test_a_thirty_minute_budget_is_a_dozen_tries_not_six() -> None:
    """The default budget (1800 s) at the middle of the jitter: tries until half past."""
    waits, now, attempt = [], 0.0, 0
    while (wait := next_wait(attempt, started=0, now=now, budget_sec=1800)) is not None:
        waits.append(wait)
        now, attempt = now + wait, attempt + 1
    assert waits[:3] == [2.0, 4.0, 8.0]
    assert max(waits) == MAX_WAIT_SEC
    assert len(waits) >= 12


# --- which transport failures may have reached TikTok ----------------------------------------


@contextmanager
def _dropping_server(received: list[bytes] | None = None) -> Iterator[str]:
    """Reads a request (into `received`), then closes the connection without a word: maybe
    it was acted on."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    requests = received if received is not None else []

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                requests.append(connection.recv(65536))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def _transport_error(url: str) -> errors.TikTokError:
    with pytest.raises(errors.TikTokError) as caught, responses.transport_errors("/x/"):
        httpx.post(url, content=b"{}", timeout=5)
    return caught.value


def test_a_dropped_answer_may_have_arrived_a_refused_connection_did_not() -> None:
    with _dropping_server() as url:
        dropped = _transport_error(url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening
        refused = _transport_error(closed)
    assert (dropped.retryable, may_have_arrived(dropped), dropped.endpoint) == (True, True, "/x/")
    assert (refused.retryable, may_have_arrived(refused)) == (True, False)


def test_an_unanswered_pull_init_is_sent_once_and_fails_outcome_unknown() -> None:
    """A call that publishes by itself is never sent again after an unanswered try; a call
    safe to repeat is, then left to the workflow's wait."""

    async def post(url: str) -> None:
        async with httpx.AsyncClient() as client:
            with responses.transport_errors("/v2/post/publish/video/init/"):
                await client.post(url, content=b"{}", timeout=5)

    once: list[bytes] = []
    with _dropping_server(once) as url, pytest.raises(PublishFailedError) as caught:
        asyncio.run(patient(lambda: post(url), repeatable=False))
    assert len(once) == 1
    assert caught.value.failure.code == "pull_outcome_unknown"
    assert "calling /v2/post/publish/video/init/" in caught.value.failure.message

    repeated: list[bytes] = []
    with _dropping_server(repeated) as url, pytest.raises(errors.TikTokTransportError):
        asyncio.run(patient(lambda: post(url)))
    assert len(repeated) == QUICK_ATTEMPTS
