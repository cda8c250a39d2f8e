"""The Business API app as a client factory, beside `tiktok.TikTokApp`: its own client id and
secret (a separate app in TikTok's developer portal), and the host's hooks and pooled client."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from tikpost.tiktok.base import EventHooks, LoopPool
from tikpost.tiktok.business.accounts import BusinessAccountClient
from tikpost.tiktok.business.oauth import BusinessOAuthClient

BUSINESS_API_URL = "https://business-api.tiktok.com"


@dataclass(frozen=True)
class TikTokBusinessApp:
    """`http`, like `TikTokApp.http`, belongs to the one event loop that first uses it; a
    `pool` gives each loop its own (the workflow steps' loop, see `posts.publish.context`)."""

    client_id: str
    client_secret: str
    redirect_uri: str
    api_url: str = BUSINESS_API_URL
    event_hooks: EventHooks = field(default_factory=dict)
    http: httpx.AsyncClient | None = None
    pool: LoopPool | None = None

    def shared_http(self) -> httpx.AsyncClient | None:
        return self.http or (self.pool.client() if self.pool is not None else None)

    def oauth_client(self) -> BusinessOAuthClient:
        return BusinessOAuthClient(
            self.api_url,
            self.client_id,
            self.client_secret,
            http=self.shared_http(),
            event_hooks=self.event_hooks,
        )

    def account_client(self, access_token: str, business_id: str) -> BusinessAccountClient:
        return BusinessAccountClient(
            self.api_url,
            access_token,
            business_id,
            http=self.shared_http(),
            event_hooks=self.event_hooks,
        )
