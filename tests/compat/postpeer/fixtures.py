"""The PostPeer tests' service: sandbox mode with an origin serving the examples' videos."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.compat.postpeer.helpers import APP, PostPeer, Started
from tests.conftest import VideoFiles
from tests.service.conftest import SANDBOX_MODE, ServiceFactory
from tests.service.publishing_helpers import operator
from tests.support.media_server import media_origin


@pytest.fixture
def started(
    service_factory: ServiceFactory,
    create_api_key: Callable[[str], str],
    videos: VideoFiles,
    tmp_path: Path,
) -> Iterator[Started]:
    """tikpost in sandbox mode (an audited app, so public posts publish), team acme's key,
    and an origin serving the reference page's `video.mp4` and `vertical.mp4`."""
    root = tmp_path / "origin"
    root.mkdir()
    for name in ("video.mp4", "vertical.mp4"):
        shutil.copy(videos.good, root / name)
    origins = {"connect_redirect_origins": [APP]}
    with media_origin(root) as origin, service_factory(**SANDBOX_MODE, **origins) as svc:
        with operator(svc) as op:
            config = {"processing_delay_sec": 0.2, "audited": True}
            op.patch("/config", json=config).raise_for_status()
        key = create_api_key("acme")
        with (
            httpx.Client(base_url=svc.url, headers={"X-API-Key": key}, timeout=30) as native,
            PostPeer.on(svc, key) as postpeer,
        ):
            yield Started(svc, key, f"{origin}/media/", native, postpeer, create_api_key("rival"))
