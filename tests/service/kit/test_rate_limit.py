"""Per-API-key rate limits: 429 with Retry-After and X-RateLimit-* headers, per key."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import create_engine, select

from tests.service.conftest import SQLITE_ONLY, ServiceFactory
from tests.support.waiting import wait_until
from tikpost.kit.crypto import hash_api_key
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


@SQLITE_ONLY
def test_api_processes_sharing_redis_share_each_keys_limit(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], redis_url: str
) -> None:
    """Counters live in Redis: requests another API process counted (a second limiter on the
    same Redis, as that process would hold) use up this process's allowance for the key."""
    with service_factory(api_rate_limit="3/minute", rate_limit_storage_url=redis_url) as service:
        # Each limiter's first look at Redis connects and loads its scripts, which on a loaded
        # machine can outlast the 1 s storage timeout and go uncounted (fail-open): both are
        # warmed up on a key of their own first, so the key under test is counted from its first.
        with service.client(create_api_key("warm-up")) as warm_up:
            wait_until(
                lambda: "x-ratelimit-remaining" in warm_up.get("/v1/team").headers,
                "the service's limiter never reached Redis",
                60,
                interval=0.5,
            )
        key = create_api_key("acme")
        with service.client(key) as api:
            assert api.get("/v1/team").headers["x-ratelimit-remaining"] == "2"
            engine = create_engine(sync_url(service.settings.database_url))
            with engine.connect() as connection:
                by_hash = select(ApiKey.id).where(ApiKey.key_hash == hash_api_key(key))
                key_id = connection.execute(by_hash).scalar_one()
            engine.dispose()

            async def other_process_counts() -> None:
                other_process = ApiRateLimiter("3/minute", redis_url)
                deadline = time.monotonic() + 60
                while (await other_process.hit("warm-up")).remaining is None:
                    assert time.monotonic() < deadline, "the second limiter never reached Redis"
                    await asyncio.sleep(0.5)
                assert (await other_process.hit(key_id)).remaining == 1

            asyncio.run(other_process_counts())
            answers = [api.get("/v1/team").status_code for _ in range(2)]
            assert answers == [200, 429]
