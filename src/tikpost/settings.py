"""Configuration from the environment (`TIKPOST_*`) or a `.env` file.

Every default is chosen so that `tikpost serve` with no configuration at all runs a complete,
offline setup: SQLite and media in `./tikpost-data`, a generated secret key, and the TikTok
sandbox mounted in place of TikTok. Setting TikTok credentials is the one switch to production.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TIKTOK_API_URL = "https://open.tiktokapis.com"
TIKTOK_AUTH_URL = "https://www.tiktok.com"
TIKTOK_BUSINESS_API_URL = "https://business-api.tiktok.com"
SECRET_KEY_FILE = "secret_key"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    """The service's whole configuration; derived defaults are filled in after validation."""

    model_config = SettingsConfigDict(
        env_prefix="TIKPOST_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("./tikpost-data")
    database_url: str = ""
    storage_url: str = ""
    s3_endpoint_url: str | None = None
    # For `s3://` storage; unset values fall back to the AWS_* environment (or instance roles).
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # Plain HTTP to the endpoint; always allowed for a loopback endpoint (a local test server).
    s3_allow_http: bool = False
    # Media no post still needs is deleted this long after its last use (see media.retention).
    media_retention_hours: float = Field(default=72, gt=0)
    # TikTok accepts videos up to 4 GB; anything larger could never be posted, so refuse it early.
    max_media_bytes: int = Field(default=4 * 1024**3, gt=0)
    public_url: str = DEFAULT_PUBLIC_URL
    tiktok_client_key: str | None = None
    tiktok_client_secret: SecretStr | None = None
    tiktok_api_url: str = ""
    tiktok_auth_url: str = ""
    # A second app, for TikTok's API for Business (business accounts, posts with a sound):
    # optional; in sandbox mode the embedded sandbox emulates it too.
    tiktok_business_client_key: str | None = None
    tiktok_business_client_secret: SecretStr | None = None
    tiktok_business_api_url: str = ""
    secret_key: SecretStr = SecretStr("")
    # Requests per API key (limits' notation); counters in memory, or `async+redis://host`
    # when several API processes serve the same keys.
    api_rate_limit: str = "60/minute"
    # `json`: one JSON object per log line, with post and account ids (secrets always redacted).
    log_format: Literal["text", "json"] = "text"
    rate_limit_storage_url: str = "async+memory://"
    # Workflows (DBOS): see tikpost.runtime.workflows.
    executor_id: str | None = None
    dbos_database_url: str = ""
    dbos_log_level: str = "WARNING"
    # `tikpost serve` also runs workflows (one process does everything); false leaves them to
    # `tikpost worker` processes, so API and workers scale separately.
    serve_runs_workflows: bool = True
    # Liveness (see tikpost.runtime.liveness): each process beats this often; one silent for
    # `executor_stale_sec` is presumed dead and its pending workflows go to the others.
    heartbeat_sec: float = Field(default=5.0, gt=0)
    executor_stale_sec: float = Field(default=30.0, gt=0)
    # On SIGTERM, how long running uploads may take to finish the chunk they are sending.
    shutdown_grace_sec: float = Field(default=30.0, ge=0)
    # A post left in uploading/processing this long is resumed or failed (posts.publish.reconcile);
    # longer than the workflow's own bounds (about 2 h of polling), so it only catches strays.
    stale_post_sec: float = Field(default=3 * 3600.0, gt=0)
    # When the reconciler looks (cron; six fields put seconds first).
    reconcile_schedule: str = "*/5 * * * *"
    # Seconds between webhook delivery attempts; empty means the default schedule (10 s
    # doubling to 1 h, for 24 h). Tests set a short one.
    webhook_retry_delays: list[float] = []
    # How long a post keeps trying while TikTok fails (5xx, 429, timeouts) before it fails
    # `tiktok_unavailable` (see posts.publish.outage); counted from the outage's first failure.
    tiktok_outage_budget_sec: float = Field(default=1800.0, gt=0)
    # How long a post waits before trying again after the creator hit TikTok's daily cap.
    daily_cap_retry_sec: float = Field(default=900.0, gt=0)
    # User-given URLs (media imports, webhooks) may not reach loopback, private, link-local or
    # metadata addresses (see tikpost.kit.safe_fetch); true lifts that, for tests, local
    # webhook receivers and on-premise media servers.
    allow_private_urls: bool = False
    # URL prefixes verified with TikTok (developer portal, URL properties), as a JSON list: a
    # post's `video_url` under one is handed to TikTok as PULL_FROM_URL instead of fetched here.
    verified_url_prefixes: list[str] = []
    # Origins (`https://app.example`) a connect may send the creator's browser back to, as a
    # JSON list: POST /v1/accounts/connect's `redirect_uri` must be on one (no open redirect).
    connect_redirect_origins: list[str] = []
    # Seconds a media import (POST /v1/media {"url"}) may take, body included.
    media_fetch_timeout_sec: float = Field(default=1800.0, gt=0)
    # Whether a post that does not say `transcode` converts a video TikTok would refuse.
    transcode_default: bool = False
    # A dashboard session unused this long is over (the browser must sign in again).
    dashboard_idle_hours: float = Field(default=12.0, gt=0)

    @model_validator(mode="after")
    def _fill_derived_defaults(self) -> Settings:
        # Absolute, so the SQLite URL and the media path don't change meaning with the cwd.
        self.data_dir = self.data_dir.expanduser().resolve()
        self.public_url = self.public_url.rstrip("/")
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'tikpost.db'}"
        if not self.storage_url:
            self.storage_url = (self.data_dir / "media").as_uri()
        sandbox_url = f"{self.public_url}/sandbox"
        if not self.tiktok_api_url:
            self.tiktok_api_url = sandbox_url if self.sandbox_mode else TIKTOK_API_URL
        if not self.tiktok_auth_url:
            self.tiktok_auth_url = sandbox_url if self.sandbox_mode else TIKTOK_AUTH_URL
        if not self.tiktok_business_api_url:
            self.tiktok_business_api_url = (
                sandbox_url if self.sandbox_mode else TIKTOK_BUSINESS_API_URL
            )
        self.tiktok_api_url = self.tiktok_api_url.rstrip("/")
        self.tiktok_business_api_url = self.tiktok_business_api_url.rstrip("/")
        self.tiktok_auth_url = self.tiktok_auth_url.rstrip("/")
        if not self.secret_key.get_secret_value():
            self.secret_key = SecretStr(load_or_create_secret_key(self.data_dir))
        return self

    @property
    def sandbox_mode(self) -> bool:
        """Without both TikTok credentials there is nothing real to talk to, so emulate TikTok."""
        return not (self.tiktok_client_key and self.tiktok_client_secret)


def load_or_create_secret_key(data_dir: Path) -> str:
    """Read the data dir's key, creating it on first start.

    The key encrypts stored TikTok tokens, so it must survive restarts: losing it would orphan
    every connected account. It is written to a private temporary file and hard-linked into
    place, so two processes starting at once agree on one key and no reader sees a partial file.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        tmp = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty; delete it to generate a new secret key")
    return key
