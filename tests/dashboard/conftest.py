"""The dashboard's test bed: one real `tikpost serve` (sandbox mode, SQLite) per test module,
and one headless Chromium per test session (tests/support/browser.py).

A module's tests share the server, so each test works in its own team
(`dashboard.new_team()`); `sign_in(driver, dashboard, key)` (tests/support/dashboard.py)
signs the clean browser in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import _isolated_settings
from tests.support.browser import browser, driver  # noqa: F401 (fixtures)
from tests.support.dashboard import RunningDashboard
from tests.support.server import bound_socket, serve_on
from tikpost.app import create_app


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDashboard]:
    """`tikpost serve` as a newcomer runs it: no TikTok credentials, so the sandbox is
    mounted at /sandbox; SQLite in a fresh data dir. The service must know its URL before it
    is built (OAuth redirects), so the socket is bound first."""
    data_dir: Path = tmp_path_factory.mktemp("dashboard")
    with bound_socket() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = _isolated_settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{data_dir / 'tikpost.db'}",
            public_url=url,
            api_rate_limit="100000/minute",
            allow_private_urls=True,
        )
        with serve_on(sock, create_app(settings)):
            config = httpx.patch(
                f"{url}/sandbox/_sandbox/config", json={"processing_delay_sec": 0.2}
            )
            config.raise_for_status()
            yield RunningDashboard(url=url, settings=settings)
