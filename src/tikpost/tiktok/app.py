"""Our TikTok app as a client factory: its keys and URLs, and what every client it makes shares.

The host hands it its observers (`event_hooks`: tikpost's metrics) and, where one event loop
serves many calls, one pooled `httpx.AsyncClient`, instead of setting a module global; the
clients stay usable on their own, with neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from tikpost.tiktok.base import EventHooks, LoopPool
from tikpost.tiktok.oauth import TikTokOAuthClient
from tikpost.tiktok.posting import TikTokPostingClient


@dataclass(frozen=True)
class TikTokApp:
    """Where TikTok is and who we are to it: real TikTok, or the sandbox in sandbox mode.

    `http` is bound to the event loop that first uses it, so only one loop may share an app
    that has one: the server's. The workflow runtime's steps run on DBOS's loop and build their
    own app with a `pool` instead (`posts.publish.context`): one client per loop, still pooled.
    """

    client_key: str
    client_secret: str
    api_url: str
    auth_url: str
    redirect_uri: str
    event_hooks: EventHooks = field(default_factory=dict)
    http: httpx.AsyncClient | None = None
    pool: LoopPool | None = None

    def shared_http(self) -> httpx.AsyncClient | None:
        """The pooled client for the running loop, if the host gave one."""
        return self.http or (self.pool.client() if self.pool is not None else None)

    def oauth_client(self) -> TikTokOAuthClient:
        return TikTokOAuthClient(
            self.api_url,
            self.client_key,
            self.client_secret,
            http=self.shared_http(),
            event_hooks=self.event_hooks,
        )

    def posting_client(self, access_token: str) -> TikTokPostingClient:
        return TikTokPostingClient(
            self.api_url, access_token, http=self.shared_http(), event_hooks=self.event_hooks
        )
