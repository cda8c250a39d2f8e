"""The publish workflow's transcode step: make the post's video one TikTok takes, once.

A post created with `transcode: true` whose video breaks a rule transcoding fixes (codec,
container, frame rate, resolution; see media.checks) gets an H.264/AAC MP4 made from it before
anything is sent to TikTok. The result is new media (the upload stays as it was) whose id is
derived from the post's, stored and recorded with the post's `transcoded_media_id` in one
transaction; publishing then uploads it instead. A re-run after a crash therefore either finds
that id recorded and does nothing, or transcodes again into the same key and id. The media
storage unavailable (or full) is waited out like publishing's (posts.publish.storage_wait).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tikpost.media import checks
from tikpost.media import repository as media_repository
from tikpost.media import service as media_service
from tikpost.media.ingest import ReceivedFile
from tikpost.media.models import Media
from tikpost.media.probe import ProbeFailedError
from tikpost.media.schemas import VideoProbe
from tikpost.media.storage import store_local_file
from tikpost.media.transcode import TranscodeFailedError, TranscodePlan, plan_for, transcode_file
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure
from tikpost.posts.models import Post
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.publishing import PublishFailedError
from tikpost.posts.publish.storage_wait import with_storage


def transcoded_media_id(post_id: str) -> str:
    """The same id for every run of the same post: `med_` and the post id's own part."""
    return f"med_{post_id.split('_', 1)[-1]}"


async def transcode_post(ctx: PublishContext, post_id: str) -> None:
    """Transcode the post's video if it asks for it and needs it; record what happened."""
    async with ctx.database.session() as session:
        post = await repository.get_for_update(session, post_id)
        if post is None or not post.transcode or post.transcoded_media_id or not post.media_id:
            return
        media = await media_repository.get(session, post.media_id)
    if media is None:
        raise PublishFailedError(Failure("media_missing", "The post's video no longer exists."))
    probe = VideoProbe.model_validate(media.probe)
    problems = checks.check_video(probe)
    if not problems:
        await _note(ctx, post_id, "No transcoding needed: the video already meets TikTok's rules")
        return
    unfixable = checks.first_unfixable(problems)
    if unfixable is not None:
        raise PublishFailedError(Failure(unfixable.code, f"{unfixable.message}."))
    plan = plan_for(probe)
    reasons = "; ".join(problem.message for problem in problems)
    target = f"H.264/AAC MP4 at {float(plan.fps):g} fps"
    await _note(ctx, post_id, f"Transcoding to {target} ({reasons})")
    await _transcode(ctx, post, media, plan)


async def _transcode(ctx: PublishContext, post: Post, media: Media, plan: TranscodePlan) -> None:
    async def progress(percent: int) -> None:
        await _note(ctx, post.id, f"Transcoding: {percent}%", percent=percent)

    media_id = transcoded_media_id(post.id)
    key = f"{post.team_id}/{media_id}"
    with tempfile.TemporaryDirectory(prefix="tikpost-transcode-") as directory:
        target = Path(directory) / "transcoded.mp4"

        async def from_storage() -> dict[str, Any]:
            async with media_service.local_file(ctx.storage, media.storage_key) as source:
                return await transcode_file(source, target, plan, progress)

        try:
            # The storage unavailable (reading the upload, writing the result) is waited out.
            summary = await with_storage(ctx, post.id, from_storage)
            found = await media_service.probe_media(target)
        except (TranscodeFailedError, ProbeFailedError) as exc:
            raise PublishFailedError(
                Failure("transcode_failed", f"The video could not be transcoded: {exc}.")
            ) from None
        # Stored and hashed in one read; removed again if the result cannot be used.
        size, digest = await with_storage(
            ctx, post.id, lambda: store_local_file(ctx.storage, target, key)
        )
    try:
        received = ReceivedFile(_filename(media.filename), "video/mp4", size, digest)
        row = media_service.build_media(post.team_id, media_id, key, found, received)
        result = VideoProbe.model_validate(row.probe)
        rejected = checks.check_video(result)
        if rejected:
            raise PublishFailedError(
                Failure(
                    "transcoded_video_rejected",
                    f"The transcoded video still breaks TikTok's rules: {rejected[0].message}.",
                )
            )
    except BaseException:
        await ctx.storage.delete(key)
        raise
    async with ctx.database.session(write=True) as session:
        locked = await repository.get_for_update(session, post.id)
        if locked is None:
            raise PublishFailedError(Failure("post_missing", "The post was deleted."))
        if await media_repository.get(session, media_id) is None:
            await media_repository.add_media(session, row)
        locked.transcoded_media_id = media_id
        audio = ", with AAC audio" if summary.get("audio") else ""
        await service.record(
            session,
            locked,
            locked.status,
            f"Transcoded to H.264/AAC MP4, {result.fps:g} fps, {result.width}x{result.height}"
            f"{audio} ({size} bytes, media {media_id})",
            media_id=media_id,
        )


async def _note(ctx: PublishContext, post_id: str, message: str, **data: int) -> None:
    """A timeline line at the post's current status."""
    async with ctx.database.session(write=True) as session:
        post = await repository.get_for_update(session, post_id)
        if post is not None:
            await service.record(session, post, post.status, message, **data)


def _filename(original: str | None) -> str | None:
    if not original:
        return None
    return f"{original.rsplit('.', 1)[0]}.tiktok.mp4"[:255]
