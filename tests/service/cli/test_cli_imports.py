"""`tikpost` loads only what a command needs: the client commands talk HTTP through the SDK, so
starting the CLI must not pull in the service (SQLAlchemy and the ORM alone took most of a
second of every `tikpost` run, `tikpost sandbox` and `tikpost posts list` included)."""

from __future__ import annotations

import subprocess
import sys

SERVICE_ONLY = ("sqlalchemy", "dbos", "fastapi", "av", "tikpost.app", "tikpost.posts.models")


def test_the_command_table_loads_without_the_service() -> None:
    probe = (
        "import sys, tikpost.cli\n"
        f"print(','.join(m for m in {SERVICE_ONLY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "", f"imported at start: {done.stdout.strip()}"
