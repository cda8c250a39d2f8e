"""Only the workflow run that owns a post may act on it at TikTok.

When an executor is presumed dead (see `tikpost.kit.executors`) its workflows are handed to
other processes. If it was only slow, two runs of one post's workflow now exist. DBOS refuses
the stale run's step records, but not what it does meanwhile: an init at TikTok, a chunk sent.
So each step that acts there (init, upload) first *claims* the post, writing its DBOS
ownership token to `posts.fence` while holding the post's row lock and after checking with
DBOS that the token still owns the workflow; and every write that precedes a side effect
(the publish_id after init, the progress before each chunk) is conditional on the fence still
holding that token. Claims are serialised by the row lock and DBOS only ever hands ownership
forward, so once a newer run has claimed, every later check by the older run fails: it stops
with `SupersededError`, having sent at most the one chunk that was already in flight. A run
of a post's earlier workflow (an earlier attempt, or one adopted from an older tikpost
version) is refused the same way.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from tikpost.kit.db import utcnow
from tikpost.kit.workflows import Ownership, current_ownership, still_owns
from tikpost.posts import repository, service
from tikpost.posts.context import PublishContext
from tikpost.posts.models import Post


class SupersededError(Exception):
    """This run lost its post to a newer run of the same workflow; it must do nothing more."""

    def __init__(self, post_id: str) -> None:
        super().__init__(f"post {post_id} is now handled by another workflow run")


async def claim(ctx: PublishContext, post_id: str) -> None:
    """Make this run the post's fence holder, if DBOS still says the workflow is ours."""
    ownership = current_ownership()
    if ownership is None:
        return
    async with ctx.database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None:
            return
        # A newer attempt (a retry, or adoption by a newer tikpost) has its own workflow.
        if service.workflow_id(post) != ownership.workflow_id:
            raise SupersededError(post_id)
        if post.fence == ownership.token:
            return
        if not await asyncio.to_thread(still_owns, ownership):
            raise SupersededError(post_id)
        post.fence = ownership.token


def check_fence(post: Post) -> None:
    """Raise unless this run holds the (locked) post's fence: call before writing what a side
    effect produced, such as a new publish_id."""
    ownership = current_ownership()
    if ownership is not None and post.fence != ownership.token:
        raise SupersededError(post.id)


async def record_progress(ctx: PublishContext, post_id: str, held: int) -> None:
    """The fenced write before each chunk: how many bytes TikTok holds, if the post is ours."""
    ownership: Ownership | None = current_ownership()
    statement = update(Post).where(Post.id == post_id)
    if ownership is not None:
        statement = statement.where(Post.fence == ownership.token)
    async with ctx.database.session(write=True) as session:
        result = await session.execute(statement.values(uploaded_bytes=held, updated_at=utcnow()))
        if ownership is not None and not result.rowcount:  # type: ignore[attr-defined]
            raise SupersededError(post_id)


__all__ = ["SupersededError", "check_fence", "claim", "record_progress"]
