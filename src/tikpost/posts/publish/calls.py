"""Reaching TikTok for one post, as every kind of post does: the post's row, locked or not, and
a call as its account with a live token, patiently (see posts.publish.outage)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tikpost.accounts.models import Account, AccountApi
from tikpost.kit.errors import ApiError
from tikpost.kit.logs import log_context
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure, PublishFailedError, describe
from tikpost.posts.models import Post
from tikpost.posts.publish.business_client import BusinessPosting
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_fence
from tikpost.posts.publish.outage import patient
from tikpost.tiktok import PostInfo, PublishStatus, errors

T = TypeVar("T")

# The interactions a video post may turn off; TikTok offers photo posts comments only.
VIDEO_TOGGLES = ("disable_comment", "disable_duet", "disable_stitch")


async def load_post(ctx: PublishContext, post_id: str) -> Post:
    """The post alone (a photo post has no single media row to load with it)."""
    async with ctx.database.session() as session:
        post = await repository.get_for_update(session, post_id)
    if post is None:
        raise PublishFailedError(Failure("post_missing", "The post was deleted."))
    return post


async def locked(session: Any, post_id: str) -> Post:
    post = await repository.get_for_update(session, post_id)
    if post is None:
        raise PublishFailedError(Failure("post_missing", "The post was deleted."))
    return post


async def call_tiktok(
    ctx: PublishContext,
    post: Post,
    action: Callable[[Any], Awaitable[T]],
    *,
    repeatable: bool = True,
) -> T:
    """Call TikTok as the post's account, with a live token, patiently (see posts.publish.outage).
    `action` gets the Content Posting client, or for a business account a `BusinessPosting`.

    A call that is not `repeatable` (an init that publishes by itself) follows a mark: the
    post `uploading` without a publish_id. When TikTok refuses it for now, the mark goes, so
    the step may ask again after the wait instead of finding an outcome it cannot know."""

    async def with_client(token: str, account: Account) -> T:
        if account.api == AccountApi.BUSINESS:
            try:
                app = ctx.tokens.business_app()
            except ApiError as exc:
                raise PublishFailedError(Failure(exc.code, exc.message)) from exc
            async with app.account_client(token, account.open_id) as business:
                return await action(BusinessPosting(business, account))
        async with ctx.tiktok.posting_client(token) as client:
            return await action(client)

    scope = log_context.set({**(log_context.get() or {}), "account_id": post.account_id})
    try:
        return await patient(
            lambda: ctx.tokens.call_as(post.account_id, with_client), repeatable=repeatable
        )
    except errors.TikTokError as exc:
        if not repeatable and exc.retryable:
            async with ctx.database.session(write=True) as session:
                post_now = await locked(session, post.id)
                if post_now.status == "uploading" and not post_now.publish_id:
                    check_fence(post_now)
                    refused = f"TikTok turned the request down ({describe(exc)}): nothing is sent"
                    await service.record(session, post_now, "queued", refused)
        raise
    finally:
        log_context.reset(scope)


def video_post_info(post: Post) -> PostInfo | None:
    """A video's post_info (either kind of video); drafts (inbox) carry none."""
    if post.mode != "direct":
        return None
    return PostInfo(
        title=post.title,
        privacy_level=post.privacy_level or "SELF_ONLY",
        disable_comment=post.disable_comment,
        disable_duet=post.disable_duet,
        disable_stitch=post.disable_stitch,
        video_cover_timestamp_ms=post.video_cover_timestamp_ms,
        brand_content_toggle=post.brand_content_toggle,
        brand_organic_toggle=post.brand_organic_toggle,
        is_aigc=post.is_aigc,
    )


async def fetch_status(ctx: PublishContext, post: Post, publish_id: str) -> PublishStatus:
    status: PublishStatus = await call_tiktok(
        ctx, post, lambda client: client.fetch_status(publish_id)
    )
    return status


async def mark_one_shot(ctx: PublishContext, post_id: str, asking: str, note: str) -> None:
    """Before a call that publishes by itself (a pull: video URL, photos, the Business API),
    mark the attempt (`uploading`, no publish_id). Finding the mark on a re-run means a crash
    hid whether TikTok accepted `asking` (what was asked, for the message), so the post fails
    asking for a look at the creator's profile rather than risk publishing twice."""
    async with ctx.database.session(write=True) as session:
        post = await locked(session, post_id)
        check_fence(post)
        if post.status == "uploading":
            raise PublishFailedError(
                Failure(
                    "pull_outcome_unknown",
                    f"The worker stopped while asking TikTok to {asking}; TikTok may have "
                    "accepted it. Check the creator's profile before retrying, to avoid a "
                    "duplicate.",
                )
            )
        await service.record(session, post, "uploading", note)
