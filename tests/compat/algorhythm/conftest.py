"""The service fixtures (tests/service/conftest.py, all of them, whatever it adds) for the
Algorhythm tests, on SQLite only: the translation is the same on both backends, and the services
under it are tested on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.conftest import *  # noqa: F403 - the fixtures, by name


@pytest.fixture(name="database_url")
def sqlite_only(tmp_path: Path) -> str:
    """Overrides the service's two-backend `database_url` with its SQLite half."""
    return f"sqlite:///{tmp_path / 'db' / 'tikpost.db'}"
