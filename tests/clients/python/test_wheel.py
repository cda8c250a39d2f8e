"""The SDK as a user installs it: its wheel built from the clone, into a fresh plain venv,
pulls in httpx and pydantic and none of the service (FastAPI, DBOS, PyAV, SQLAlchemy)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[3] / "clients" / "python"
SERVICE_ONLY = ("fastapi", "dbos", "av", "sqlalchemy", "tikpost")
CHECK = f"""
import importlib.util, tikpost_client
from tikpost_client import Tikpost, AsyncTikpost, models
found = [name for name in {SERVICE_ONLY!r} if importlib.util.find_spec(name)]
assert not found, found
print(tikpost_client.__version__)
"""


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.timeout(600)
def test_the_wheel_installs_alone_in_a_fresh_venv(tmp_path: Path) -> None:
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(CLIENT), "-w", str(tmp_path))
    [wheel] = tmp_path.glob("tikpost_client-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tikpost_client/py.typed" in names
    assert "tikpost_client/_models.py" in names

    # A plain venv; this pip installs into it (`--python`), which spares bootstrapping its own.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = str(venv / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python, "--disable-pip-version-check"]
    run(*pip, "install", "-q", str(wheel))
    assert run(python, "-c", CHECK).strip() == "0.1.0"
    frozen = run(*pip, "list", "--format=freeze").split()
    installed = {line.split("==")[0].lower() for line in frozen}
    assert {"httpx", "pydantic", "tikpost-client"} <= installed
    assert not installed & {"fastapi", "dbos", "av", "sqlalchemy", "starlette", "uvicorn"}
