"""`Idempotency-Key` for a post's state changes: cancel, retry, approve, reject.

A change is made once; its answer can still be lost, and the client (the SDKs retry every
POST under one key per call) then asks again. Without a key the second request meets the
post in its new state and is refused (409 `post_not_retryable`): a success reported as a
failure. With one, the key is written on the timeline line the change itself records, so a
repeat under the same key finds it and answers with the post as it now is, changing nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.posts import repository, service
from tikpost.posts.models import Post, PostEvent
from tikpost.teams.schemas import TeamRead

# The timeline data key holding `<action>:<Idempotency-Key>` of the change that wrote the line.
KEY = "change_key"


async def once(
    session: AsyncSession,
    team: TeamRead,
    post_id: str,
    action: str,
    idempotency_key: str | None,
    change: Callable[[], Awaitable[Post]],
) -> tuple[Post, bool]:
    """Make `change` unless it was made under this key; (post, whether it was replayed)."""
    if idempotency_key is None:
        return await change(), False
    marker = f"{action}:{idempotency_key}"
    post = await service.get_post(session, team, post_id)  # another team's post stays a 404
    if any(event.data.get(KEY) == marker for event in await _events(session, post)):
        return post, True
    post = await change()
    await session.flush()
    newest = (await _events(session, post))[-1]
    newest.data = {**newest.data, KEY: marker}
    return post, False


async def _events(session: AsyncSession, post: Post) -> list[PostEvent]:
    return (await repository.events_for(session, [post.id]))[post.id]
