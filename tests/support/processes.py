"""tikpost as real processes: `tikpost sandbox`, `tikpost serve` and `tikpost worker`.

For the crash and scale-out tests, which kill processes with SIGKILL and start them again: each
process writes to its own log file (appended to across restarts), so a failing test can show
what every process said, and the secret checks can read all of it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import sync_url

TIKPOST = str(Path(sys.executable).with_name("tikpost"))
# The sandbox's default app, as `tikpost sandbox` runs it.
CLIENT_KEY = "sbawtestclientkey"
CLIENT_SECRET = "sandbox-client-secret"
# What a TikTok access or refresh token, or an upload token in a URL, looks like in a log.
TOKEN_PATTERN = re.compile(r"\b(act|rft)\.[A-Za-z0-9]{8,}|upload_token=[A-Za-z0-9]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until `url` answers at all (any status); fails early if the process exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.1)


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name}: no log)"
    text_ = path.read_text(errors="replace").splitlines()[-lines:]
    return f"--- {path.name} (last {len(text_)} lines)\n" + "\n".join(text_)


@dataclass
class Running:
    """One started process and where its output goes; `offset` is where its log began."""

    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]
    offset: int

    def logged_since_start(self) -> str:
        with self.log.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read().decode(errors="replace")

    def wait_logged(self, needle: str, timeout: float = 60) -> None:
        """Until this run of the process has logged `needle`; fails if it exits first."""
        deadline = time.monotonic() + timeout
        while needle not in self.logged_since_start():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.args} exited ({self.process.returncode}):\n{tail(self.log)}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.args} never logged {needle!r}:\n{tail(self.log)}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, and reap it: a zombie's pid still looks alive to the next process."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@dataclass
class Processes:
    """Every process a test started; `stop_all` ends those still running (SIGTERM, then KILL)."""

    running: list[Running] = field(default_factory=list)

    def start(self, args: list[str], env: dict[str, str], log: Path) -> Running:
        log.parent.mkdir(parents=True, exist_ok=True)
        offset = log.stat().st_size if log.exists() else 0
        # In the log's directory, so no `.env` of the developer's checkout is read.
        with log.open("ab") as handle:
            process = subprocess.Popen(
                args, env=env, cwd=log.parent, stdout=handle, stderr=subprocess.STDOUT
            )
        started = Running(args, env, log, process, offset)
        self.running.append(started)
        return started

    def logs(self) -> list[Path]:
        return sorted({started.log for started in self.running})

    def tails(self, lines: int = 40) -> str:
        return "\n".join(tail(path, lines) for path in self.logs())

    def all_logged(self) -> str:
        return "".join(path.read_text(errors="replace") for path in self.logs())

    def stop_all(self) -> None:
        alive = [started.process for started in self.running if started.process.poll() is None]
        for process in alive:
            process.terminate()
        for process in alive:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@contextmanager
def running_processes() -> Iterator[Processes]:
    processes = Processes()
    try:
        yield processes
    finally:
        processes.stop_all()


def start_sandbox(
    processes: Processes,
    log_dir: Path,
    service_url: str,
    *,
    processing_delay: float = 0.5,
    seed: int | None = None,
    verified_url_prefixes: tuple[str, ...] = (),
) -> tuple[str, Running]:
    """A standalone `tikpost sandbox` whose OAuth redirects (both apps') go back to
    `service_url`."""
    port = free_port()
    args = [
        TIKPOST,
        "sandbox",
        "--port",
        str(port),
        "--redirect-uri",
        f"{service_url}/v1/oauth/tiktok/callback",
        "--business-redirect-uri",
        f"{service_url}/v1/oauth/tiktok-business/callback",
        "--processing-delay",
        str(processing_delay),
    ]
    for prefix in verified_url_prefixes:
        args += ["--verified-url-prefix", prefix]
    if seed is not None:
        args += ["--seed", str(seed)]
    sandbox = processes.start(args, dict(os.environ), log_dir / "sandbox.log")
    url = f"http://127.0.0.1:{port}"
    wait_up(f"{url}/_sandbox/clock", sandbox.process)
    return url, sandbox


def service_env(
    *,
    data_dir: Path,
    database_url: str,
    service_url: str,
    sandbox_url: str,
    **extra: str,
) -> dict[str, str]:
    """The environment of `tikpost serve`/`worker` against a standalone sandbox; `extra` maps
    setting names (without the TIKPOST_ prefix, any case) to values."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TIKPOST_")}
    return {
        **inherited,
        "TIKPOST_DATA_DIR": str(data_dir),
        "TIKPOST_DATABASE_URL": database_url,
        "TIKPOST_PUBLIC_URL": service_url,
        "TIKPOST_TIKTOK_CLIENT_KEY": CLIENT_KEY,
        "TIKPOST_TIKTOK_CLIENT_SECRET": CLIENT_SECRET,
        "TIKPOST_TIKTOK_API_URL": sandbox_url,
        "TIKPOST_TIKTOK_AUTH_URL": sandbox_url,
        **{f"TIKPOST_{name.upper()}": value for name, value in extra.items()},
    }


def create_api_key(env: dict[str, str], team: str) -> str:
    """`tikpost keys create` against the environment's database; returns the key."""
    return subprocess.run(
        [TIKPOST, "keys", "create", "--team", team],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()


def stored_tokens(database_url: str, secret_key: str) -> dict[str, tuple[str, str]]:
    """Each connected account's current (access, refresh) token, decrypted from the database."""
    cipher = TokenCipher(secret_key)
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, access_token_encrypted, refresh_token_encrypted FROM accounts")
            ).all()
    finally:
        engine.dispose()
    return {
        row[0]: (cipher.decrypt(row[1]), cipher.decrypt(row[2]))
        for row in rows
        if row[1] and row[2]
    }


def assert_no_secrets(logged: str, secrets: Iterable[str]) -> None:
    """No secret appears in `logged`, nor anything shaped like a TikTok token."""
    for secret in secrets:
        assert secret, "an empty secret would match anything"
        assert secret not in logged, f"a secret ({secret[:4]}…) is in the logs"
    found = TOKEN_PATTERN.search(logged)
    assert found is None, f"something token-shaped is in the logs: {found.group(0)[:8]}…"
