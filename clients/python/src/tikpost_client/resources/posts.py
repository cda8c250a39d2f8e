"""`client.posts`: create a post (video, photos, URL, draft, scheduled), follow it, manage it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic_core import to_jsonable_python

from tikpost_client._base import Call, model, query, seg
from tikpost_client._errors import WaitTimeoutError
from tikpost_client._models import PostCreate, PostPage, PostRead, PostUpdate
from tikpost_client._pagination import AsyncPages, SyncPages

if TYPE_CHECKING:
    from tikpost_client._transport import AsyncTransport, SyncTransport

# Where a post stays: published, in the creator's inbox, failed or cancelled.
FINAL_STATUSES = frozenset({"published", "in_inbox", "failed", "cancelled"})
WAIT_INTERVAL = 1.0


def _body(kind: type[PostCreate] | type[PostUpdate], body: Any, fields: Mapping[str, Any]) -> Any:
    """The JSON of a post: a model as the server's schema says (only what was set), or
    keyword fields as given (datetimes as RFC 3339) — the server checks them and names any it
    refuses."""
    if isinstance(body, kind):
        return {**body.model_dump(mode="json", exclude_unset=True), **to_jsonable_python(fields)}
    return to_jsonable_python({**dict(body or {}), **fields})


def _create(body: Any, fields: Mapping[str, Any], key: str | None) -> Call[PostRead]:
    json = _body(PostCreate, body, fields)
    return Call("POST", "/v1/posts", model(PostRead), json=json, idempotency_key=key)


def _get(post_id: str) -> Call[PostRead]:
    return Call("GET", f"/v1/posts/{seg(post_id)}", model(PostRead))


def _page(
    status: str | None, account_id: str | None, limit: int | None
) -> Callable[[str | None], Call[PostPage]]:
    def page(cursor: str | None) -> Call[PostPage]:
        params = query(status=status, account_id=account_id, limit=limit, cursor=cursor)
        return Call("GET", "/v1/posts", model(PostPage), params=params)

    return page


def _action(post_id: str, action: str, json: Any = None) -> Call[PostRead]:
    return Call("POST", f"/v1/posts/{seg(post_id)}/{action}", model(PostRead), json=json)


def _cancel(post_id: str) -> Call[PostRead]:
    return Call("DELETE", f"/v1/posts/{seg(post_id)}", model(PostRead))


def _update(post_id: str, body: Any, fields: Mapping[str, Any]) -> Call[PostRead]:
    json = _body(PostUpdate, body, fields)
    return Call("PATCH", f"/v1/posts/{seg(post_id)}", model(PostRead), json=json)


class Posts:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport
        self._send = transport.send

    def create(
        self,
        body: PostCreate | Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> PostRead:
        """Publish one video (`video=` media id or `video_url=`) or carousel (`photos=`) to
        `account_id`, now or at `scheduled_at`; `mode="draft"` sends it to the inbox.

        Fields are `PostCreate`'s, each a model or its plain JSON: a business account's
        `sound=SoundChoice(id=...)` or `sound={"id": ...}` (an id from `accounts.sounds`).
        Every attempt sends one Idempotency-Key (yours or one minted for this call), so a
        retried create never makes two posts.
        """
        return self._send(_create(body, fields, idempotency_key))

    def get(self, post_id: str) -> PostRead:
        return self._send(_get(post_id))

    def list(
        self,
        *,
        status: str | None = None,
        account_id: str | None = None,
        limit: int | None = None,
    ) -> SyncPages[PostRead]:
        """The team's posts, newest first, fetched `limit` a page as the loop goes on."""
        return SyncPages(self._transport, _page(status, account_id, limit))

    def update(
        self, post_id: str, body: PostUpdate | Mapping[str, Any] | None = None, **fields: Any
    ) -> PostRead:
        """Edit a post held for review or still scheduled."""
        return self._send(_update(post_id, body, fields))

    def cancel(self, post_id: str) -> PostRead:
        """Cancel a scheduled or queued post (a ConflictError once its upload has started)."""
        return self._send(_cancel(post_id))

    def retry(self, post_id: str) -> PostRead:
        """Publish a failed or cancelled post again, as a new attempt."""
        return self._send(_action(post_id, "retry"))

    def approve(self, post_id: str) -> PostRead:
        return self._send(_action(post_id, "approve"))

    def reject(self, post_id: str, reason: str) -> PostRead:
        return self._send(_action(post_id, "reject", {"reason": reason}))

    def wait(
        self,
        post_id: str,
        timeout: float = 600,
        *,
        interval: float = WAIT_INTERVAL,
        on_update: Callable[[PostRead], None] | None = None,
    ) -> PostRead:
        """The post once it is final (published, in_inbox, failed, cancelled); a failed post
        is returned, not raised: look at `.status` and `.error`. `on_update(post)` sees every
        poll. WaitTimeoutError if `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            post = self.get(post_id)
            if on_update is not None:
                on_update(post)
            if post.status in FINAL_STATUSES:
                return post
            if time.monotonic() >= deadline:
                raise _timed_out(post, timeout)
            time.sleep(interval)


def _timed_out(post: PostRead, timeout: float) -> WaitTimeoutError:
    return WaitTimeoutError(
        f"post {post.id} still {post.status} after {timeout:g} s", code="wait_timeout"
    )


class AsyncPosts:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport
        self._send = transport.send

    async def create(
        self,
        body: PostCreate | Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> PostRead:
        return await self._send(_create(body, fields, idempotency_key))

    async def get(self, post_id: str) -> PostRead:
        return await self._send(_get(post_id))

    def list(
        self,
        *,
        status: str | None = None,
        account_id: str | None = None,
        limit: int | None = None,
    ) -> AsyncPages[PostRead]:
        return AsyncPages(self._transport, _page(status, account_id, limit))

    async def update(
        self, post_id: str, body: PostUpdate | Mapping[str, Any] | None = None, **fields: Any
    ) -> PostRead:
        return await self._send(_update(post_id, body, fields))

    async def cancel(self, post_id: str) -> PostRead:
        return await self._send(_cancel(post_id))

    async def retry(self, post_id: str) -> PostRead:
        return await self._send(_action(post_id, "retry"))

    async def approve(self, post_id: str) -> PostRead:
        return await self._send(_action(post_id, "approve"))

    async def reject(self, post_id: str, reason: str) -> PostRead:
        return await self._send(_action(post_id, "reject", {"reason": reason}))

    async def wait(
        self,
        post_id: str,
        timeout: float = 600,  # noqa: ASYNC109 (a deadline for the whole wait, as in the sync API)
        *,
        interval: float = WAIT_INTERVAL,
        on_update: Callable[[PostRead], None] | None = None,
    ) -> PostRead:
        deadline = time.monotonic() + timeout
        while True:
            post = await self.get(post_id)
            if on_update is not None:
                on_update(post)
            if post.status in FINAL_STATUSES:
                return post
            if time.monotonic() >= deadline:
                raise _timed_out(post, timeout)
            await asyncio.sleep(interval)
