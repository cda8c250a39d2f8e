"""Redis, the rate limiter's counter store, going away under a running service.

A real redis-server is stopped while the API is used and started again on the same port: the
API keeps answering (fail-open: uncounted, without X-RateLimit-* headers), the outage is
logged once and shown in /metrics, and limiting resumes by itself once Redis is back.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import SQLITE_ONLY, ServiceFactory, _free_port
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, SQLITE_ONLY]

LIMIT = 5


class RedisServer:
    """A private redis-server that the test can stop and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server not installed (apt-get install redis-server)")
        self.binary, self.directory, self.port = binary, directory, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"async+redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "save": "",
            "dir": str(self.directory),
        }
        self.process = subprocess.Popen(
            [
                self.binary,
                *(part for name, value in options.items() for part in (f"--{name}", value)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def metric(service_url: str, name: str) -> float:
    text = httpx.get(f"{service_url}/metrics").text
    [line] = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    return float(line.split()[1])


def test_the_api_answers_while_redis_is_down_and_limits_again_once_it_is_back(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="tikpost.kit.ratelimit")
    with (
        service_factory(
            api_rate_limit=f"{LIMIT}/minute", rate_limit_storage_url=redis_server.url
        ) as svc,
        svc.client(create_api_key("warm-up")) as warm_up,
        svc.client(create_api_key("acme")) as api,
    ):
        # The limiter's first look at a fresh Redis connects and loads its scripts, which on a
        # loaded machine can outlast the 1 s storage timeout and count as an outage. Warm it up
        # with a key of its own, so the key under test starts with a full allowance and the
        # outage below is the first one logged.
        wait_until(
            lambda: "x-ratelimit-remaining" in warm_up.get("/v1/team").headers,
            "the limiter never reached Redis",
            60,
            interval=0.5,
        )
        caplog.clear()
        counted = api.get("/v1/team")
        assert counted.status_code == 200
        assert counted.headers["x-ratelimit-remaining"] == str(LIMIT - 1)

        redis_server.stop()
        unchecked_before = metric(svc.url, "tikpost_rate_limit_unchecked_total")
        # More requests than the limit allows: all answered, none counted.
        answers = [api.get("/v1/team") for _ in range(2 * LIMIT)]
        assert [answer.status_code for answer in answers] == [200] * (2 * LIMIT)
        assert not any("x-ratelimit-remaining" in answer.headers for answer in answers)
        assert metric(svc.url, "tikpost_rate_limit_storage_up") == 0
        unchecked = metric(svc.url, "tikpost_rate_limit_unchecked_total") - unchecked_before
        assert unchecked == 2 * LIMIT
        outages = [r for r in caplog.records if "not answering" in r.getMessage()]
        assert len(outages) == 1, "one warning per outage, not one per request"

        redis_server.start()
        # Limiting resumes without a restart: the first counted answer after Redis returns
        # (a fresh Redis: its counters start again), then the limit bites.
        deadline = time.monotonic() + 60
        while "x-ratelimit-remaining" not in (resumed := api.get("/v1/team")).headers:
            assert resumed.status_code == 200
            assert time.monotonic() < deadline, "limiting never resumed"
            time.sleep(0.2)
        assert resumed.headers["x-ratelimit-remaining"] == str(LIMIT - 1)
        rest = [api.get("/v1/team").status_code for _ in range(LIMIT)]
        assert rest == [200] * (LIMIT - 1) + [429]
        assert metric(svc.url, "tikpost_rate_limit_storage_up") == 1
        assert any("answers again" in r.getMessage() for r in caplog.records)
