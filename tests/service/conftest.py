"""Fixtures for the service: a database on each backend, and the service on a real socket.

Every test that takes `database_url` (directly or through `service`) runs twice: on a SQLite
file and on a throwaway PostgreSQL cluster started from Debian's binaries. Without those
binaries the PostgreSQL half is skipped, unless TIKPOST_REQUIRE_POSTGRES=1 (CI) makes it fail.
A test whose outcome cannot depend on the backend (the API's rules and refusals, team scoping,
what a client sends) is marked `SQLITE_ONLY`: what the database does (transactions, locks,
constraints, listings, time, migrations, takeover) keeps both.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from dbos._serialization import DefaultSerializer
from dbos._sys_db import SystemDatabase
from typer.testing import CliRunner

from tests.service.s3_helpers import S3Server, running_s3_server
from tests.support.server import bound_socket, serve_on
from tikpost import migrations
from tikpost.app import create_app
from tikpost.cli import app as cli_app
from tikpost.cli.keys import _run_in_session
from tikpost.runtime.workflows import abandon_runtime, runtime_running
from tikpost.settings import Settings
from tikpost.teams import service as teams_service


def _postgres_bin_dir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresCluster:
    """A private PostgreSQL server (trust auth, user `tikpost`) for the whole test session."""

    port: int
    admin_url: str
    # Databases made by `create_database` that nothing has touched yet (see `migrate_fresh`).
    fresh: set[str] = field(default_factory=set)
    templates_ready: bool = False

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://tikpost@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.fresh.add(name)
        return self.url(name)

    def migrate_fresh(self, url: str) -> None:
        """Make an untouched database of `create_database` (and its DBOS system database) a
        copy of migrated templates, as `migrated_sqlite` does for SQLite: a service test then
        starts at the head revision instead of running every migration (about a second of
        CPU per test on each side). Tests of the migrations take `database_url` directly."""
        name = url.rsplit("/", 1)[-1]
        if name not in self.fresh:
            return
        self.fresh.discard(name)
        self._make_templates()
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}"')
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_APP_TEMPLATE}"')
            connection.execute(f'CREATE DATABASE "{name}_dbos" TEMPLATE "{_APP_TEMPLATE}_dbos"')

    def _make_templates(self) -> None:
        if self.templates_ready:
            return
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{_APP_TEMPLATE}"')
            connection.execute(f'CREATE DATABASE "{_APP_TEMPLATE}_dbos"')
        migrations.upgrade(self.url(_APP_TEMPLATE))
        _migrate_system_database(self.url(f"{_APP_TEMPLATE}_dbos"))
        self.templates_ready = True


# The migrated databases every service test on PostgreSQL starts from a copy of.
_APP_TEMPLATE = "tmpl_tikpost"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Start PostgreSQL once per session (as `postgres` via runuser when we are root)."""
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        if os.environ.get("TIKPOST_REQUIRE_POSTGRES") == "1":
            pytest.fail("TIKPOST_REQUIRE_POSTGRES=1 but PostgreSQL's initdb was not found")
        pytest.skip("PostgreSQL binaries not installed (/usr/lib/postgresql/*/bin)")
    # Under /tmp, not pytest's tmp dir: that one is private to root, and postgres must reach it.
    root = Path(tempfile.mkdtemp(prefix="tikpost-pg-"))
    data = root / "data"
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres", group="postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=60)

    port = _free_port()
    run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tikpost", "-E", "UTF8")
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(root / "log"),
        "-w",
        "start",
    )
    try:
        admin_url = f"postgresql://tikpost@127.0.0.1:{port}/postgres"
        yield PostgresCluster(port=port, admin_url=admin_url)
    finally:
        subprocess.run(
            [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        remove_in_background(root)


def remove_in_background(root: Path) -> None:
    """`rm -rf root`, detached: a session's databases (two per test) are tens of thousands of
    small files, and removing them made the last test of each xdist worker take 13-20 s of
    teardown on CI. The session need not wait for that; the directory goes all the same."""
    subprocess.run(
        ["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(root)], check=False, timeout=60
    )


# For a test (or a module's `pytestmark`) whose behaviour is the same on both backends.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: a SQLite file in tmp_path, or a new PostgreSQL DB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'tikpost.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on loopback, started once per session (see s3_helpers)."""
    with running_s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server from Debian's package, on loopback, once per session; its
    `TIKPOST_RATE_LIMIT_STORAGE_URL` (`async+redis://127.0.0.1:PORT`)."""
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


@pytest.fixture
def storage_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Media storage overrides: local disk (the default), or a fresh bucket on the S3 server
    for tests marked `BOTH_STORAGES` (the "s3" parameter)."""
    if getattr(request, "param", "local") == "local":
        return {}
    server: S3Server = request.getfixturevalue("s3_server")
    return server.settings(server.new_bucket())


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file at the head revision per worker, which each service test starts from a
    copy of: running every migration for every test cost ~0.4 s of CPU each, on a suite that
    keeps two cores busy. Tests of the migrations themselves take `database_url` directly."""
    path = tmp_path_factory.mktemp("migrated") / "tikpost.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_dbos_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DBOS's system database at its head schema, which each SQLite service test's data dir
    starts from a copy of (as `migrated_sqlite` for the app's): DBOS migrates a new one at
    every launch, ~0.13 s of CPU per test. The PostgreSQL side copies `<template>_dbos`."""
    path = tmp_path_factory.mktemp("migrated-dbos") / "dbos.sqlite"
    _migrate_system_database(f"sqlite:///{path}")
    return path


def _migrate_system_database(url: str) -> None:
    system = SystemDatabase.create(url, {}, None, None, DefaultSerializer(), None)
    try:
        system.run_migrations()
    finally:
        system.destroy()


@pytest.fixture
def settings_factory(
    request: pytest.FixtureRequest,
    data_dir: Path,
    database_url: str,
    storage_settings: dict[str, Any],
    migrated_sqlite: Path,
    migrated_dbos_sqlite: Path,
) -> SettingsFactory:
    """Settings for this test's data dir and database; keyword overrides win.

    Defaults to production mode with dummy TikTok credentials (no sandbox mounted); pass
    `tiktok_client_key=None, tiktok_client_secret=None` for sandbox mode, or point
    `tiktok_api_url`/`tiktok_auth_url` at the `sandbox` fixture's URL. `.env` and TIKPOST_*
    variables of the developer's shell are ignored.
    """

    sqlite_path = Path(database_url.removeprefix("sqlite:///"))
    if database_url.startswith("sqlite:///") and not sqlite_path.exists():
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_sqlite, sqlite_path)
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_dbos_sqlite, data_dir / "dbos.sqlite")
    if database_url.startswith("postgresql"):
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        cluster.migrate_fresh(database_url)

    def make(**overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "data_dir": data_dir,
            "database_url": database_url,
            "tiktok_client_key": "test-client-key",
            "tiktok_client_secret": "test-client-secret",
            "tiktok_api_url": "http://127.0.0.1:9",
            "tiktok_auth_url": "http://127.0.0.1:9",
            **storage_settings,
            # Tests poll fast with one key; the default limit has its own test.
            "api_rate_limit": "100000/minute",
            # Test receivers and origins live on loopback; SSRF-guard tests turn this off.
            "allow_private_urls": True,
            **overrides,
        }
        return _isolated_settings(**fields)

    return make


def _isolated_settings(**fields: Any) -> Settings:
    saved = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("TIKPOST_")}
    try:
        return Settings(_env_file=None, **fields)
    finally:
        os.environ.update(saved)


@pytest.fixture
def service_settings(settings_factory: SettingsFactory) -> Settings:
    return settings_factory()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


CliInvoker = Callable[..., CliResult]


@pytest.fixture
def cli(service_settings: Settings) -> CliInvoker:
    """Run `tikpost ARGS…` in-process against this test's data dir and database."""
    env = {
        "TIKPOST_DATA_DIR": str(service_settings.data_dir),
        "TIKPOST_DATABASE_URL": service_settings.database_url,
    }

    def invoke(*args: str) -> CliResult:
        result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def create_api_key(service_settings: Settings) -> Callable[[str], str]:
    """`create_api_key("acme")` -> a fresh key for team acme, minted as `tikpost keys create`
    mints it (migrated first, one committed unit of work) but without building the CLI, which
    Typer does afresh on every in-process run (~50 ms; the CLI has tests of its own)."""

    def create(team: str = "acme") -> str:
        created = _run_in_session(
            lambda session: teams_service.create_api_key(session, team), settings=service_settings
        )
        return created.key

    return create


@dataclass
class RunningService:
    """The service on an ephemeral loopback port."""

    url: str
    settings: Settings
    app: Any

    def client(self, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx client for this service; with `api_key` it sends X-API-Key."""
        headers = {"X-API-Key": api_key} if api_key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


ServiceFactory = Callable[..., AbstractContextManager[RunningService]]


@contextmanager
def _serve_on(sock: socket.socket, app: Any) -> Iterator[None]:
    """tests.support.server.serve_on with the service's test config.

    Idle keep-alive connections stay open for the whole test: at uvicorn's 5 s default, a
    test client reusing one the moment the server closes it gets a connection reset (seen
    after a test waited on subprocesses), which is that race, not what the test checks.
    """
    with serve_on(sock, app, timeout_keep_alive=300):
        yield


@pytest.fixture(autouse=True)
def fresh_workflow_runtime() -> Iterator[None]:
    """Each service start launches DBOS (a process-wide singleton) and each stop destroys it,
    so every test gets a fresh one; this makes a leak fail the test that caused it, not the
    next one. Start services one after another in a test, never two at once.
    """
    if runtime_running():
        abandon_runtime()
        pytest.fail("a workflow runtime was left running by an earlier test")
    yield
    if runtime_running():
        abandon_runtime()
        pytest.fail("this test left a workflow runtime running (a service not stopped?)")


@pytest.fixture
def service_factory(settings_factory: SettingsFactory) -> ServiceFactory:
    """`with service_factory(**settings_overrides) as svc:` runs create_app on a real socket.

    `public_url` defaults to the server's own URL, so OAuth redirects come back to it.
    `configure=fn` calls `fn(app)` before the server starts (to add test-only routes).
    """

    @contextmanager
    def start(
        configure: Callable[[Any], None] | None = None, **overrides: Any
    ) -> Iterator[RunningService]:
        with bound_socket() as sock:
            url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            settings = settings_factory(**{"public_url": url, **overrides})
            app = create_app(settings)
            if configure is not None:
                configure(app)
            with _serve_on(sock, app):
                yield RunningService(url=url, settings=settings, app=app)

    return start


@pytest.fixture
def service(service_factory: ServiceFactory) -> Iterator[RunningService]:
    """The service with default test settings (production mode, dummy TikTok credentials)."""
    with service_factory() as running:
        yield running


SANDBOX_MODE = {
    "tiktok_client_key": None,
    "tiktok_client_secret": None,
    "tiktok_api_url": "",
    "tiktok_auth_url": "",
}


# Webhook retries of the sandbox-mode service: seconds, not the default's 10 s doubling, so a
# test of a receiver that fails once waits half a second for the retry instead of ten.
QUICK_WEBHOOK_RETRIES = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]


@pytest.fixture
def sandbox_service(service_factory: ServiceFactory) -> Iterator[RunningService]:
    """The service in sandbox mode: no TikTok credentials, the emulator mounted at /sandbox."""
    with service_factory(**SANDBOX_MODE, webhook_retry_delays=QUICK_WEBHOOK_RETRIES) as running:
        yield running


@pytest.fixture
def api_key(service: RunningService, create_api_key: Callable[[str], str]) -> str:
    """A valid key for team `acme` on the running `service`."""
    return create_api_key("acme")


@pytest.fixture
def api(service: RunningService, api_key: str) -> Iterator[httpx.Client]:
    """An httpx client for `service` authenticated as team `acme`."""
    with service.client(api_key) as client:
        yield client


@pytest.fixture
def svc(sandbox_service: RunningService) -> RunningService:
    """The sandbox-mode service with the embedded sandbox processing posts in 0.2 s."""
    response = httpx.patch(
        f"{sandbox_service.url}/sandbox/_sandbox/config",
        json={"processing_delay_sec": 0.2},
        timeout=30,
    )
    response.raise_for_status()
    return sandbox_service


@pytest.fixture
def sandbox_api(
    svc: RunningService, create_api_key: Callable[[str], str]
) -> Iterator[httpx.Client]:
    """An httpx client for `svc` authenticated as team acme."""
    with svc.client(create_api_key("acme")) as client:
        yield client
