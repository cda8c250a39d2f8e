"""One real tikpost service (sandbox mode, embedded TikTok emulator) per SDK test module.

The SDK is a client like any other, so its tests talk HTTP to a live `create_app` on a real
socket with a SQLite file; starting it once per module keeps them cheap. Each test connects
its own account (a fresh sandbox creator), so the tests of a module do not see each other's
posts through the account they filter on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tikpost_client import AccountRead, Tikpost
from tikpost_client.resources.accounts import Api
from typer.testing import CliRunner

from tests.service.conftest import SANDBOX_MODE, _isolated_settings, _serve_on
from tests.support.oauth_browser import authorize
from tests.support.server import bound_socket
from tikpost import migrations
from tikpost.app import create_app
from tikpost.cli import app as cli_app


@dataclass(frozen=True)
class SdkServer:
    """The running service, a key of team `sdk` on it, and the embedded sandbox's operator."""

    url: str
    api_key: str

    @property
    def operator_url(self) -> str:
        return f"{self.url}/sandbox/_sandbox"

    def client(self, **options: object) -> Tikpost:
        return Tikpost(api_key=self.api_key, base_url=self.url, **options)  # type: ignore[arg-type]

    def connect(self, client: Tikpost, prefix: str = "sdk", api: Api | None = None) -> AccountRead:
        """A new sandbox creator connected through its consent page, as a person would
        (`api="business"`: through the embedded sandbox's Business API app)."""
        username = f"{prefix}_{uuid.uuid4().hex[:8]}"
        started = client.accounts.connect(api=api)
        callback = authorize(started.authorize_url, username=username)
        assert callback.status_code == 200, callback.text
        return next(a for a in client.accounts.list() if a.username == username)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SdkServer]:
    root = tmp_path_factory.mktemp("sdk")
    database_url = f"sqlite:///{root / 'tikpost.db'}"
    migrations.upgrade(database_url)
    env = {"TIKPOST_DATA_DIR": str(root / "data"), "TIKPOST_DATABASE_URL": database_url}
    created = CliRunner().invoke(cli_app, ["keys", "create", "--team", "sdk"], env=env)
    assert created.exit_code == 0, created.output
    with bound_socket() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        settings = _isolated_settings(
            data_dir=root / "data",
            database_url=database_url,
            public_url=url,
            api_rate_limit="100000/minute",
            allow_private_urls=True,
            **SANDBOX_MODE,
        )
        with _serve_on(sock, create_app(settings)):
            running = SdkServer(url, created.stdout.strip())
            # Each test connects its own creators: more than an unaudited app's few.
            config = {"processing_delay_sec": 0.2, "unaudited_active_user_cap": 1000}
            httpx.patch(f"{running.operator_url}/config", json=config).raise_for_status()
            yield running


@pytest.fixture
def client(server: SdkServer) -> Iterator[Tikpost]:
    with server.client() as sdk:
        yield sdk


@pytest.fixture
def account(server: SdkServer, client: Tikpost) -> AccountRead:
    return server.connect(client)


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three small distinct photos."""
    from tikpost.sandbox.samples import make_jpeg

    root = tmp_path_factory.mktemp("jpegs")
    paths = []
    for shade in (20, 90, 160):
        path = root / f"photo-{shade}.jpg"
        path.write_bytes(make_jpeg(shade=shade))
        paths.append(path)
    return paths
