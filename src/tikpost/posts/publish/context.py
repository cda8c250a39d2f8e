"""What the publish workflow's steps work with, built once per workflow runtime.

Steps run on DBOS's event loop, not the server's, so they use the runtime's own database
(no pooled connections shared across loops) and their own token source and storage.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts.oauth import business_app_for, tiktok_app_for
from tikpost.accounts.tokens import TokenSource
from tikpost.kit.crypto import TokenCipher
from tikpost.kit.db import Database
from tikpost.media.storage import Storage, storage_from_url
from tikpost.posts import service, shaped_webhooks
from tikpost.posts.models import Post
from tikpost.runtime.workflows import current_runtime
from tikpost.settings import Settings
from tikpost.tiktok import TikTokApp
from tikpost.tiktok.base import LoopPool
from tikpost.tiktok.business import TikTokBusinessApp
from tikpost.webhooks import service as webhooks

EVENT_FOR_STATUS = {
    "published": "post.published",
    "in_inbox": "post.in_inbox",
    "failed": "post.failed",
}


@dataclass(frozen=True)
class PublishContext:
    settings: Settings
    database: Database
    tokens: TokenSource
    storage: Storage
    tiktok: TikTokApp
    # The Business API app (business accounts' posts), None when the server has none.
    business: TikTokBusinessApp | None

    @staticmethod
    async def notify(session: AsyncSession, post: Post) -> list[str]:
        """Record the webhook deliveries for the post's final state (sent after commit)."""
        event_type = EVENT_FOR_STATUS.get(post.status)
        if event_type is None:
            return []
        body = await service.read(session, post)
        extra = [post.webhook_url] if post.webhook_url else []
        ids = await webhooks.emit(
            session, post.team_id, event_type, body.model_dump(mode="json"), extra
        )
        for url, shaped in shaped_webhooks.declared(body, event_type):
            ids.append(await webhooks.emit_shaped(session, post.team_id, event_type, url, shaped))
        return ids


_contexts: dict[int, PublishContext] = {}


def context() -> PublishContext:
    runtime = current_runtime()
    found = _contexts.get(id(runtime))
    if found is None or found.database is not runtime.database:
        settings = runtime.settings
        # Pooled per loop (steps run on DBOS's): connections and TLS set-up are reused.
        pool = LoopPool(event_hooks=runtime.http_hooks)
        tiktok = dataclasses.replace(tiktok_app_for(settings, runtime.http_hooks), pool=pool)
        business = business_app_for(settings, runtime.http_hooks)
        if business is not None:
            business = dataclasses.replace(business, pool=pool)
        cipher = TokenCipher(settings.secret_key.get_secret_value())
        found = PublishContext(
            settings=settings,
            database=runtime.database,
            tokens=TokenSource(runtime.database, cipher, tiktok, business),
            storage=storage_from_url(settings.storage_url, settings),
            tiktok=tiktok,
            business=business,
        )
        _contexts.clear()
        _contexts[id(runtime)] = found
    return found
