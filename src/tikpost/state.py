"""What the running service is made of, built once by `create_app` and read by `deps`.

One frozen object on `app.state.tikpost` rather than loose `app.state` attributes: its fields
are typed, so a route's dependency cannot misspell or mistype what it reads, and a test that
swaps a part (a guard with hooks, a wrapped storage) replaces the object with
`dataclasses.replace`, visibly and in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from tikpost.accounts.tokens import TokenSource
from tikpost.kit.db import Database
from tikpost.kit.ratelimit import ApiRateLimiter
from tikpost.kit.url_guard import UrlGuard
from tikpost.media.storage import Storage
from tikpost.runtime.workflows import WorkflowRuntime
from tikpost.settings import Settings
from tikpost.tiktok import TikTokApp

if TYPE_CHECKING:
    from tikpost.sandbox.config import SandboxConfig


@dataclass(frozen=True)
class AppState:
    """The server side's parts. Workflow steps build their own (publish/context.py): they run on
    DBOS's event loop, and pooled connections must not cross loops."""

    settings: Settings
    database: Database
    workflows: WorkflowRuntime
    storage: Storage
    tiktok: TikTokApp
    tokens: TokenSource
    rate_limiter: ApiRateLimiter
    url_guard: UrlGuard
    # The mounted emulator's registration in sandbox mode (tests read it), else None.
    sandbox_config: SandboxConfig | None


def app_state(connection: HTTPConnection) -> AppState:
    """The state `create_app` placed on the app (FastAPI passes the request)."""
    state: AppState = connection.app.state.tikpost
    return state
