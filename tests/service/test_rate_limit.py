"""Per-API-key rate limits: 429 with Retry-After and X-RateLimit-* headers, per key."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, select

from tests.service.conftest import ServiceFactory, _free_port
from tikpost.kit.db import sync_url
from tikpost.kit.ratelimit import ApiRateLimiter
from tikpost.teams.models import ApiKey


def test_requests_beyond_the_limit_get_429(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str]
) -> None:
    with service_factory(api_rate_limit="3/minute") as service:
        key, other_key = create_api_key("acme"), create_api_key("other")
        with service.client(key) as api, service.client(other_key) as other:
            answers = [api.get("/v1/team") for _ in range(4)]
            assert [a.status_code for a in answers] == [200, 200, 200, 429]
            assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
            assert answers[0].headers["x-ratelimit-limit"] == "3"
            limited = answers[3]
            assert limited.json()["error"]["code"] == "rate_limited"
            assert 1 <= int(limited.headers["retry-after"]) <= 60
            assert int(limited.headers["x-ratelimit-reset"]) > 0
            # Each key has its own window; an unauthenticated request is not counted.
            assert other.get("/v1/team").status_code == 200
            with service.client() as anonymous:
                assert anonymous.get("/v1/team").status_code == 401


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server from Debian's package, on loopback, for this module."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("TIKPOST_REQUIRE_POSTGRES") == "1":  # CI: every backend must run
            pytest.fail("redis-server not installed (apt-get install redis-server)")
        pytest.skip("redis-server not installed")
    port = _free_port()
    directory = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"async+redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_api_processes_sharing_redis_share_each_keys_limit(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], redis_url: str
) -> None:
    """Counters live in Redis: requests another API process counted (a second limiter on the
    same Redis, as that process would hold) use up this process's allowance for the key."""
    with service_factory(api_rate_limit="3/minute", rate_limit_storage_url=redis_url) as service:
        key = create_api_key("acme")
        with service.client(key) as api:
            assert api.get("/v1/team").status_code == 200
            engine = create_engine(sync_url(service.settings.database_url))
            with engine.connect() as connection:
                key_id = connection.execute(select(ApiKey.id)).scalar_one()
            engine.dispose()
            other_process = ApiRateLimiter("3/minute", redis_url)
            asyncio.run(other_process.hit(key_id))
            answers = [api.get("/v1/team").status_code for _ in range(2)]
            assert answers == [200, 429]
