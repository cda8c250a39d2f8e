"""Fixtures shared by every suite: generated media and a sandbox on a real socket."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import serve_in_thread
from tests.support.videos import make_video
from tikpost.sandbox.app import create_app
from tikpost.sandbox.config import SandboxConfig


@dataclass
class RunningSandbox:
    """A sandbox served on an ephemeral loopback port, with an operator client bound to it."""

    url: str
    config: SandboxConfig
    operator: httpx.Client

    def create_creator(self, username: str = "creator", **fields: Any) -> dict[str, Any]:
        response = self.operator.post("/_sandbox/creators", json={"username": username, **fields})
        response.raise_for_status()
        created: dict[str, Any] = response.json()
        return created

    def posts(self, open_id: str) -> list[dict[str, Any]]:
        response = self.operator.get(f"/_sandbox/creators/{open_id}/posts")
        response.raise_for_status()
        posts: list[dict[str, Any]] = response.json()["posts"]
        return posts

    def advance_clock(self, seconds: float) -> None:
        self.operator.post("/_sandbox/clock/advance", json={"seconds": seconds}).raise_for_status()


SandboxFactory = Callable[..., AbstractContextManager[RunningSandbox]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The `slow` tests first, the longest-bounded (their `timeout` mark) before the rest.

    pytest-xdist hands files out in this order (with `--no-loadscope-reorder`, as `make test`
    runs it; by default it sends the files with the most tests first); a 100 s scale-out test
    that starts last keeps one worker busy long after the other has run out of work. Started
    first, the many short tests fill in around them. The order is the same in every worker, as
    xdist requires.
    """

    def key(item: pytest.Item) -> tuple[bool, float]:
        timeout = item.get_closest_marker("timeout")
        bound = float(timeout.args[0]) if timeout is not None and timeout.args else 0.0
        return item.get_closest_marker("slow") is None, -bound

    items.sort(key=key)


@pytest.fixture
def sandbox_factory() -> SandboxFactory:
    """Start a sandbox with any config overrides: `with sandbox_factory(audited=True) as sb:`."""

    @contextmanager
    def start(**overrides: Any) -> Iterator[RunningSandbox]:
        config = SandboxConfig(**{"processing_delay_sec": 0.05, "seed": 1234, **overrides})
        with (
            serve_in_thread(create_app(config)) as url,
            httpx.Client(base_url=url, timeout=30) as operator,
        ):
            yield RunningSandbox(url=url, config=config, operator=operator)

    return start


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> Iterator[RunningSandbox]:
    """A fresh unaudited sandbox with a fast processing delay."""
    with sandbox_factory() as running:
        yield running


@dataclass(frozen=True)
class VideoFiles:
    good: Path
    low_fps: Path
    short: Path
    random_bytes: Path


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> VideoFiles:
    """The four videos the suite keeps using, generated once per run."""
    root = tmp_path_factory.mktemp("videos")
    random_path = root / "random.mp4"
    random_path.write_bytes(os.urandom(200_000))
    return VideoFiles(
        good=make_video(root / "good.mp4", seconds=4, fps=30),
        low_fps=make_video(root / "low_fps.mp4", seconds=4, fps=15),
        short=make_video(root / "short.mp4", seconds=1, fps=30),
        random_bytes=random_path,
    )
