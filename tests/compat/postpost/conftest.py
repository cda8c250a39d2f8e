"""PostPost's API on a real service in sandbox mode (tests/service/conftest.py's fixtures).

Each module runs on SQLite only (`SQLITE_ONLY`): what is stored is the native post, whose
storage the native suites run on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.compat.postpost.helpers import PostPost
from tests.service.conftest import *  # noqa: F403  (its fixtures, found by pytest by name)
from tests.service.conftest import RunningService
from tests.support.api import Api


@pytest.fixture
def postpost_factory(
    svc: RunningService, create_api_key: Callable[[str], str]
) -> Iterator[Callable[[str, str], PostPost]]:
    """`make(team, username)`: a key for `team`, and a public sandbox creator connected to it,
    on an audited app (PostPost's examples post publicly)."""
    made: list[PostPost] = []
    httpx.patch(f"{svc.url}/sandbox/_sandbox/config", json={"audited": True}).raise_for_status()

    def make(team: str, username: str) -> PostPost:
        key = create_api_key(team)
        native = svc.client(key)
        account = Api(native).connect_account(username, public="1")
        client = PostPost.on(svc, key, native, account)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def postpost(postpost_factory: Callable[[str, str], PostPost]) -> PostPost:
    """Team acme, with sandbox creator `creator` connected."""
    return postpost_factory("acme", "creator")
