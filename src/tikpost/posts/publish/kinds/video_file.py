"""A video this server holds, sent to TikTok in chunks (FILE_UPLOAD).

Init is harmless to repeat (nothing publishes until the bytes arrive), so a recorded
publish_id is reused and the upload resumes from what TikTok holds for it; a one-hour upload
URL that expired is initialised again, once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.media import repository as media_repository
from tikpost.media.models import Media
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure, PublishFailedError
from tikpost.posts.models import Post
from tikpost.posts.publish.calls import (
    VIDEO_TOGGLES,
    call_tiktok,
    fetch_status,
    locked,
    video_post_info,
)
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_fence, record_progress
from tikpost.posts.publish.storage_wait import with_storage
from tikpost.runtime.workflows import busy
from tikpost.tiktok import ChunkPlan, CreatorInfo, InitResult, errors, plan_chunks, upload_chunks


class VideoFile:
    """The `PublishKind` of a video post with an uploaded (or imported) media row."""

    url_path = "video"
    toggles = VIDEO_TOGGLES

    async def check(self, ctx: PublishContext, post: Post, info: CreatorInfo) -> None:
        """The video no longer than the creator may post."""
        limit_ms = info.max_video_post_duration_sec * 1000
        media = await _media_of(ctx, post)
        if media.probe.get("duration_ms", 0) > limit_ms:
            raise PublishFailedError(
                Failure(
                    "video_too_long_for_creator",
                    f"The video lasts {media.probe['duration_ms'] / 1000:.1f} s; "
                    f"@{info.creator_username} may post at most "
                    f"{info.max_video_post_duration_sec} s.",
                )
            )

    async def init(self, ctx: PublishContext, post: Post) -> str:
        return await init_at_tiktok(ctx, post)

    async def upload(self, ctx: PublishContext, post: Post) -> None:
        """Resume from what TikTok holds for the recorded publish_id; re-init once if the
        one-hour upload URL expired."""
        post_id = post.id
        # The media storage down (see publish.storage_wait): each try resumes from what TikTok
        # holds.
        media = await with_storage(ctx, post_id, lambda: _send_video(ctx, post_id))
        async with ctx.database.session(write=True) as session:
            post = await locked(session, post_id)
            if post.status == "uploading":
                post.uploaded_bytes = media.size_bytes
                await service.record(
                    session, post, "processing", "Uploaded; TikTok is processing it"
                )


async def _video_of(session: AsyncSession, post: Post | None) -> Media:
    """The video to send for `post`: the transcoded one when the post made one."""
    media_id = post and (post.transcoded_media_id or post.media_id)
    media = await media_repository.get(session, media_id) if media_id else None
    if media is None:
        raise PublishFailedError(Failure("media_missing", "The post's video no longer exists."))
    return media


async def _load(ctx: PublishContext, post_id: str) -> tuple[Post, Media]:
    """The post and its video, in one read."""
    async with ctx.database.session() as session:
        post = await repository.get_for_update(session, post_id)
        media = await _video_of(session, post)
    assert post is not None  # a missing post has no video either
    return post, media


async def _media_of(ctx: PublishContext, post: Post) -> Media:
    """The video of a post this step has just read, without reading the post again."""
    async with ctx.database.session() as session:
        return await _video_of(session, post)


async def init_at_tiktok(ctx: PublishContext, post: Post, *, again: bool = False) -> str:
    """Init once: a recorded publish_id is returned, never replaced (unless `again`). `post`
    is as this step read it just before."""
    if post.publish_id and not again:
        return post.publish_id
    post_id = post.id
    media = await _media_of(ctx, post)
    plan = plan_chunks(media.size_bytes)
    mode = "direct" if post.mode == "direct" else "inbox"
    if not again:
        await _mark(ctx, post_id, "uploading", "Starting the upload at TikTok")
    try:
        result: InitResult = await call_tiktok(
            ctx,
            post,
            lambda client: client.init_video(
                mode=mode, post_info=video_post_info(post), chunk_plan=plan
            ),
        )
    except errors.TikTokError as exc:
        # Refused (a cap, an outage): nothing is at TikTok, so the post may be cancelled again.
        if not again:
            await _mark(ctx, post_id, "queued", f"TikTok refused the upload init ({exc.code})")
        raise
    async with ctx.database.session(write=True) as session:
        post = await locked(session, post_id)
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
        post = await locked(session, post_id)
        check_fence(post)
        if post.status != status and not post.publish_id:
            await service.record(session, post, status, message)


async def _send_video(ctx: PublishContext, post_id: str) -> Media:
    for reinit in (False, True):
        post, media = await _load(ctx, post_id)
        publish_id, upload_url = post.publish_id, post.upload_url
        assert publish_id is not None
        assert upload_url is not None
        status = await fetch_status(ctx, post, publish_id)
        plan = plan_chunks(media.size_bytes)
        held = status.uploaded_bytes or 0
        if status.status == "PROCESSING_UPLOAD" and held < plan.video_size:
            try:
                await _send(ctx, post_id, media, plan, upload_url, plan.resume_offset(held))
            except errors.UploadUrlExpired:
                if reinit:
                    raise
                await init_at_tiktok(ctx, post, again=True)
                continue
        break
    return media


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
            http=ctx.tiktok.shared_http(),
            event_hooks=ctx.tiktok.event_hooks,
            start_offset=offset,
            on_progress=progress,
        )
