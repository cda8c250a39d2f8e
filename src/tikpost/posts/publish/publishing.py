"""The work inside each publish step: talking to TikTok for one post, safely repeatable."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from tikpost.accounts import repository as accounts
from tikpost.kit.logs import log_context
from tikpost.media import repository as media_repository
from tikpost.media.models import Media
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure, describe
from tikpost.posts.failures import PublishFailedError as PublishFailedError  # re-exported
from tikpost.posts.models import Post
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_fence, check_run, record_progress
from tikpost.posts.publish.outage import patient
from tikpost.posts.publish.storage_wait import with_storage
from tikpost.runtime.workflows import busy
from tikpost.tiktok import (
    ChunkPlan,
    CreatorInfo,
    InitResult,
    PostInfo,
    PublishStatus,
    errors,
    plan_chunks,
    upload_chunks,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def _load(ctx: PublishContext, post_id: str) -> tuple[Post, Media]:
    """The post and the video to send: the transcoded one when the post made one."""
    async with ctx.database.session() as session:
        post = await repository.get_for_update(session, post_id)
        media_id = post and (post.transcoded_media_id or post.media_id)
        media = await media_repository.get(session, media_id) if media_id else None
    if post is None or media is None:
        raise PublishFailedError(Failure("media_missing", "The post's video no longer exists."))
    return post, media


async def load_post(ctx: PublishContext, post_id: str) -> Post:
    """The post alone (a photo post has no single media row to load with it)."""
    async with ctx.database.session() as session:
        post = await repository.get_for_update(session, post_id)
    if post is None:
        raise PublishFailedError(Failure("post_missing", "The post was deleted."))
    return post


async def _tiktok(
    ctx: PublishContext,
    post: Post,
    action: Callable[[Any], Awaitable[T]],
    *,
    repeatable: bool = True,
) -> T:
    """Call TikTok as the post's account, with a live token, patiently (see posts.publish.outage).

    A call that is not `repeatable` (an init that publishes by itself) follows a mark: the
    post `uploading` without a publish_id. When TikTok refuses it for now, the mark goes, so
    the step may ask again after the wait instead of finding an outcome it cannot know."""

    async def with_client(token: str) -> T:
        async with ctx.tiktok.posting_client(token) as client:
            return await action(client)

    scope = log_context.set({**(log_context.get() or {}), "account_id": post.account_id})
    try:
        return await patient(
            lambda: ctx.tokens.call(post.account_id, with_client), repeatable=repeatable
        )
    except errors.TikTokError as exc:
        if not repeatable and exc.retryable:
            async with ctx.database.session(write=True) as session:
                locked = await _locked(session, post.id)
                if locked.status == "uploading" and not locked.publish_id:
                    check_fence(locked)
                    refused = f"TikTok turned the request down ({describe(exc)}): nothing is sent"
                    await service.record(session, locked, "queued", refused)
        raise
    finally:
        log_context.reset(scope)


async def check_creator(ctx: PublishContext, post_id: str) -> None:
    """TikTok's UX rules: privacy among the creator's options, their max duration, and the
    interactions they disabled (those stay off, as TikTok's composer greys them out)."""
    post = await load_post(ctx, post_id)
    check_run(post)
    info: CreatorInfo = await _tiktok(ctx, post, lambda client: client.creator_info())
    if post.mode == "direct" and post.privacy_level not in info.privacy_level_options:
        raise PublishFailedError(
            Failure(
                "privacy_not_offered",
                f"@{info.creator_username} does not offer {post.privacy_level}; choose one of "
                f"{', '.join(info.privacy_level_options)}.",
            )
        )
    photo = post.media_type == "photo"
    limit_ms = info.max_video_post_duration_sec * 1000
    media = None if photo or pulls_from_url(post) else (await _load(ctx, post_id))[1]
    if media is not None and media.probe.get("duration_ms", 0) > limit_ms:
        raise PublishFailedError(
            Failure(
                "video_too_long_for_creator",
                f"The video lasts {media.probe['duration_ms'] / 1000:.1f} s; "
                f"@{info.creator_username} may post at most {info.max_video_post_duration_sec} s.",
            )
        )
    async with ctx.database.session(write=True) as session:
        # Cancelled or retried while TikTok answered: this run stops here.
        post = await _locked(session, post_id)
        check_run(post)
        turned_off = []
        toggles = [
            ("disable_comment", info.comment_disabled),
            ("disable_duet", info.duet_disabled),
            ("disable_stitch", info.stitch_disabled),
        ]
        # Photo posts have comments only: TikTok offers no duet or stitch for them.
        for name, disabled in toggles[:1] if photo else toggles:
            if post.mode == "direct" and disabled and not getattr(post, name):
                setattr(post, name, True)
                turned_off.append(name.removeprefix("disable_"))
        note = (
            f"; {', '.join(turned_off)} off as the creator's settings require" if turned_off else ""
        )
        await service.record(
            session, post, post.status, f"Creator info checked for @{info.creator_username}{note}"
        )


async def _locked(session: Any, post_id: str) -> Post:
    post = await repository.get_for_update(session, post_id)
    if post is None:
        raise PublishFailedError(Failure("post_missing", "The post was deleted."))
    return post


def _post_info(post: Post) -> PostInfo | None:
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


async def init_at_tiktok(ctx: PublishContext, post_id: str, *, again: bool = False) -> str:
    """Init once: a recorded publish_id is returned, never replaced (unless `again`)."""
    if pulls_from_url(await load_post(ctx, post_id)):
        return await init_pull(ctx, post_id)
    post, media = await _load(ctx, post_id)
    if post.publish_id and not again:
        return post.publish_id
    plan = plan_chunks(media.size_bytes)
    mode = "direct" if post.mode == "direct" else "inbox"
    if not again:
        await _mark(ctx, post_id, "uploading", "Starting the upload at TikTok")
    try:
        result: InitResult = await _tiktok(
            ctx,
            post,
            lambda client: client.init_video(
                mode=mode, post_info=_post_info(post), chunk_plan=plan
            ),
        )
    except errors.TikTokError as exc:
        # Refused (a cap, an outage): nothing is at TikTok, so the post may be cancelled again.
        if not again:
            await _mark(ctx, post_id, "queued", f"TikTok refused the upload init ({exc.code})")
        raise
    async with ctx.database.session(write=True) as session:
        post = await _locked(session, post_id)
        check_fence(post)
        post.publish_id, post.upload_url, post.uploaded_bytes = (
            result.publish_id,
            result.upload_url,
            0,
        )
        await service.record(
            session,
            post,
            "uploading",
            f"Initialised at TikTok ({result.publish_id}); uploading {media.size_bytes} bytes "
            f"in {plan.total_chunk_count} chunk(s)",
            publish_id=result.publish_id,
        )
    return result.publish_id


async def _mark(ctx: PublishContext, post_id: str, status: str, message: str) -> None:
    """`uploading` before an upload init leaves, `queued` again if TikTok refused it: while
    `uploading` the API refuses to cancel, since the post may be reaching TikTok. (A repeated
    upload init is harmless: a re-run finding the mark just inits again.)"""
    async with ctx.database.session(write=True) as session:
        post = await _locked(session, post_id)
        check_fence(post)
        if post.status != status and not post.publish_id:
            await service.record(session, post, status, message)


async def upload_to_tiktok(ctx: PublishContext, post_id: str) -> None:
    """Resume from what TikTok holds for the recorded publish_id; re-init once if the
    one-hour upload URL expired. Photo posts have nothing to upload: TikTok pulls them."""
    post = await load_post(ctx, post_id)
    if post.media_type == "photo":
        return
    if pulls_from_url(post):
        await record_pulling(ctx, post_id)
        return
    # The media storage down (see publish.storage_wait): each try resumes from what TikTok holds.
    media = await with_storage(ctx, post_id, lambda: _send_video(ctx, post_id))
    async with ctx.database.session(write=True) as session:
        post = await _locked(session, post_id)
        if post.status == "uploading":
            post.uploaded_bytes = media.size_bytes
            await service.record(session, post, "processing", "Uploaded; TikTok is processing it")


async def _send_video(ctx: PublishContext, post_id: str) -> Media:
    for reinit in (False, True):
        post, media = await _load(ctx, post_id)
        publish_id, upload_url = post.publish_id, post.upload_url
        assert publish_id is not None
        assert upload_url is not None
        status = await _fetch_status(ctx, post, publish_id)
        plan = plan_chunks(media.size_bytes)
        held = status.uploaded_bytes or 0
        if status.status == "PROCESSING_UPLOAD" and held < plan.video_size:
            try:
                await _send(ctx, post_id, media, plan, upload_url, plan.resume_offset(held))
            except errors.UploadUrlExpired:
                if reinit:
                    raise
                await init_at_tiktok(ctx, post_id, again=True)
                continue
        break
    return media


async def _fetch_status(ctx: PublishContext, post: Post, publish_id: str) -> PublishStatus:
    status: PublishStatus = await _tiktok(ctx, post, lambda client: client.fetch_status(publish_id))
    return status


async def _send(
    ctx: PublishContext, post_id: str, media: Media, plan: ChunkPlan, url: str, offset: int
) -> None:
    """Send the chunks from `offset`, each after a fenced write (see posts.publish.fencing); on
    shutdown, stop between chunks (the one being sent finishes, within the grace period)."""
    storage = ctx.storage

    def source(start: int, stop: int) -> AsyncIterator[bytes]:
        return storage.open_read(media.storage_key, start, stop)

    async with busy() as section:

        async def progress(held: int) -> None:
            await record_progress(ctx, post_id, held)
            if held < plan.video_size:
                await section.boundary()

        await record_progress(ctx, post_id, offset)
        await upload_chunks(
            url,
            plan,
            source,
            content_type=media.content_type,
            event_hooks=ctx.tiktok.event_hooks,
            start_offset=offset,
            on_progress=progress,
        )


async def fetch_outcome(ctx: PublishContext, post_id: str) -> dict[str, Any]:
    """TikTok's status for the post's publish_id, with the username for the post's URL."""
    post = await load_post(ctx, post_id)
    assert post.publish_id is not None
    status = await _fetch_status(ctx, post, post.publish_id)
    outcome: dict[str, Any] = {**status.model_dump(mode="json"), "is_final": status.is_final}
    if status.is_final:
        async with ctx.database.session() as session:
            account = await accounts.get(session, post.account_id)
        outcome["username"] = account.username if account else None
    return outcome


# Videos TikTok pulls from a verified URL (PULL_FROM_URL): no media row, no upload step.


def pulls_from_url(post: Post) -> bool:
    """A video post given by a verified `video_url` (see posts.video_url): TikTok fetches it."""
    return post.media_type != "photo" and post.media_id is None and bool(post.video_url)


async def init_pull(ctx: PublishContext, post_id: str) -> str:
    """Init with PULL_FROM_URL, at most once per attempt.

    Unlike a FILE_UPLOAD init (harmless to repeat: nothing publishes until the bytes arrive),
    this init alone makes TikTok download and publish the video. So the attempt is marked
    (`uploading`, no publish_id) before TikTok is called; finding that mark on a re-run means a
    crash hid whether TikTok accepted it, and the post fails asking for a look at the creator's
    profile rather than risk publishing twice.
    """
    post = await load_post(ctx, post_id)
    if post.publish_id:
        return post.publish_id
    async with ctx.database.session(write=True) as session:
        post = await _locked(session, post_id)
        check_fence(post)
        if post.status == "uploading":
            raise PublishFailedError(
                Failure(
                    "pull_outcome_unknown",
                    "The worker stopped while asking TikTok to pull the video; TikTok may have "
                    "accepted it. Check the creator's profile before retrying, to avoid a "
                    "duplicate.",
                )
            )
        await service.record(session, post, "uploading", "Asking TikTok to pull the video URL")
    url = post.video_url
    assert url is not None
    mode = "direct" if post.mode == "direct" else "inbox"
    info = _post_info(post)
    result: InitResult = await _tiktok(
        ctx,
        post,
        lambda client: client.init_video(mode=mode, post_info=info, video_url=url),
        repeatable=False,
    )
    async with ctx.database.session(write=True) as session:
        post = await _locked(session, post_id)
        check_fence(post)
        post.publish_id, post.upload_url, post.uploaded_bytes = result.publish_id, None, 0
        await service.record(
            session,
            post,
            "uploading",
            f"Initialised at TikTok ({result.publish_id}); TikTok is downloading {url}",
            publish_id=result.publish_id,
        )
    return result.publish_id


async def record_pulling(ctx: PublishContext, post_id: str) -> None:
    """The upload step of a pulled video: nothing to send, TikTok downloads and processes."""
    async with ctx.database.session(write=True) as session:
        post = await _locked(session, post_id)
        if post.status == "uploading":
            await service.record(
                session, post, "processing", "TikTok is downloading and processing the video"
            )
