"""Only the workflow run that owns a post may act on it at TikTok.

When an executor is presumed dead (see `tikpost.runtime.liveness`) its workflows are handed to
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

The same checks stop a run whose post changed under it: cancelled, failed (by the reconciler,
say) or finished, or whose account is no longer connected. Such a run ends without another call
to TikTok (`PublishFailedError`: a final post keeps its state, a live one fails with the
account's code). The API's cancel takes the same row lock, and refuses once a run has marked
the post `uploading` (just before its init), so either the cancel wins and the run sees it at
its next check, or the run has started at TikTok and the cancel is refused (409).
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import repository as accounts
from tikpost.accounts.tokens import AccountUnavailableError
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure, PublishFailedError
from tikpost.posts.models import Post
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.statuses import FINAL_STATUSES
from tikpost.runtime.workflows import Ownership, current_ownership, still_owns


class SupersededError(Exception):
    """This run lost its post to a newer run of the same workflow; it must do nothing more."""

    def __init__(self, post_id: str) -> None:
        super().__init__(f"post {post_id} is now handled by another workflow run")
        self.post_id = post_id

    def __reduce__(self) -> tuple[type[SupersededError], tuple[str]]:
        # DBOS pickles it as the workflow's outcome; rebuilt from the id, its message stays one.
        return type(self), (self.post_id,)


async def claim(ctx: PublishContext, post_id: str) -> None:
    """Make this run the post's fence holder, if DBOS still says the workflow is ours and the
    post and its account are still what this run may act for.

    DBOS is asked first, outside the write lock: its answer is a blocking read of another
    database, queued on DBOS's busy thread pool, and holding SQLite's one write lock meanwhile
    stalled every other writer (API requests included) for seconds under load. The fence is then
    written only if no claim came in between (the fence is still the one seen before asking):
    one did only if a newer run got the workflow, which supersedes this one.
    """
    ownership = current_ownership()
    seen: tuple[str | None] | None = None  # the fence DBOS's answer was given against
    if ownership is not None:
        async with ctx.database.session() as session:
            before = await repository.get(session, post_id)
            if before is not None and before.fence == ownership.token:
                # Claimed already by this run (its upload after its init): the checks need
                # no write lock, as nothing is written; every later write is fenced anyway.
                check_run(before)
                await _check_account(session, before)
                return
        if before is not None:
            if not await asyncio.to_thread(still_owns, ownership):
                raise SupersededError(post_id)
            seen = (before.fence,)
    async with ctx.database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is None:
            return
        check_run(post)
        await _check_account(session, post)
        if ownership is None or post.fence == ownership.token:
            return
        if seen is None:  # not asked yet (the post appeared meanwhile): ask now, as before
            if not await asyncio.to_thread(still_owns, ownership):
                raise SupersededError(post_id)
        elif post.fence != seen[0]:
            raise SupersededError(post_id)
        post.fence = ownership.token


def check_run(post: Post) -> None:
    """Raise unless the (locked) post is still this run's to act on: not final, and still on
    this run's attempt (a retry, or adoption by a newer tikpost, has its own workflow)."""
    if post.status in FINAL_STATUSES:
        raise PublishFailedError(
            Failure(post.error_code or post.status, f"The post is {post.status}; nothing more.")
        )
    ownership = current_ownership()
    if ownership is not None and service.workflow_id(post) != ownership.workflow_id:
        raise SupersededError(post.id)


async def _check_account(session: AsyncSession, post: Post) -> None:
    account = await accounts.get(session, post.account_id)
    if account is not None and account.status != "ready":
        raise AccountUnavailableError(account)


def check_fence(post: Post) -> None:
    """Raise unless this run holds the (locked) post's fence: call before writing what a side
    effect produced, such as a new publish_id."""
    check_run(post)
    ownership = current_ownership()
    if ownership is not None and post.fence != ownership.token:
        raise SupersededError(post.id)


async def record_progress(ctx: PublishContext, post_id: str, held: int) -> None:
    """The fenced write before each chunk: how many bytes TikTok holds, if the post is ours,
    still uploading, and its account still connected (else no further chunk is sent)."""
    ownership: Ownership | None = current_ownership()
    fence = ownership.token if ownership is not None else None
    async with ctx.database.session(write=True) as session:
        if await repository.set_progress_if_fenced(session, post_id, fence, held):
            return
        # Refused: say why, from what the post and its account are now.
        post = await repository.get_for_update(session, post_id)
        if post is None:
            raise SupersededError(post_id)
        check_run(post)
        await _check_account(session, post)
        raise SupersededError(post_id)


__all__ = ["SupersededError", "check_fence", "check_run", "claim", "record_progress"]
