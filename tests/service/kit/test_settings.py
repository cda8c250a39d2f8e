"""Settings: zero-config defaults, the generated secret key, sandbox switching."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tikpost.kit.db import async_url, sync_url
from tikpost.settings import TIKTOK_API_URL, TIKTOK_AUTH_URL, Settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No TIKPOST_* from the developer's shell, and a cwd without a .env file."""
    import os

    for key in list(os.environ):
        if key.startswith("TIKPOST_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_live_under_the_data_dir(clean_env: Path) -> None:
    settings = Settings()
    data = (clean_env / "tikpost-data").resolve()
    assert settings.data_dir == data
    assert settings.database_url == f"sqlite:///{data / 'tikpost.db'}"
    assert settings.storage_url == (data / "media").as_uri()
    assert settings.public_url == "http://127.0.0.1:8000"


def test_no_credentials_means_sandbox_mode_pointing_at_ourselves(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKPOST_PUBLIC_URL", "https://posts.example.com/")
    settings = Settings()
    assert settings.sandbox_mode
    assert settings.tiktok_api_url == "https://posts.example.com/sandbox"
    assert settings.tiktok_auth_url == "https://posts.example.com/sandbox"


def test_credentials_switch_to_real_tiktok(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKPOST_TIKTOK_CLIENT_KEY", "awkey")
    monkeypatch.setenv("TIKPOST_TIKTOK_CLIENT_SECRET", "very-secret-value")
    settings = Settings()
    assert not settings.sandbox_mode
    assert settings.tiktok_api_url == TIKTOK_API_URL
    assert settings.tiktok_auth_url == TIKTOK_AUTH_URL
    assert "very-secret-value" not in repr(settings)
    assert "very-secret-value" not in str(settings.model_dump())


def test_dotenv_file_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text("TIKPOST_PUBLIC_URL=http://from-dotenv:1234\n")
    assert Settings().public_url == "http://from-dotenv:1234"


def test_secret_key_generated_private_and_stable(clean_env: Path) -> None:
    data = clean_env / "data"
    first = Settings(data_dir=data)
    key_file = data / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = first.secret_key.get_secret_value()
    assert len(secret) >= 32
    assert secret not in repr(first)
    assert Settings(data_dir=data).secret_key.get_secret_value() == secret
    assert [p.name for p in data.iterdir()] == ["secret_key"]  # no temp files left behind


def test_explicit_secret_key_creates_no_file(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKPOST_SECRET_KEY", "from-the-environment")
    settings = Settings(data_dir=clean_env / "data")
    assert settings.secret_key.get_secret_value() == "from-the-environment"
    assert not (clean_env / "data" / "secret_key").exists()


@pytest.mark.parametrize(
    ("given", "async_form", "sync_form"),
    [
        ("sqlite:///x/y.db", "sqlite+aiosqlite:///x/y.db", "sqlite:///x/y.db"),
        ("sqlite+aiosqlite:////abs.db", "sqlite+aiosqlite:////abs.db", "sqlite:////abs.db"),
        (
            "postgresql://u:p%40ss@h:5/db",
            "postgresql+psycopg://u:p%40ss@h:5/db",
            "postgresql+psycopg://u:p%40ss@h:5/db",
        ),
        ("postgres://h/db", "postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
        ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
    ],
)
def test_database_urls_are_normalised(given: str, async_form: str, sync_form: str) -> None:
    assert async_url(given) == async_form
    assert sync_url(given) == sync_form


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        async_url("mysql://h/db")
