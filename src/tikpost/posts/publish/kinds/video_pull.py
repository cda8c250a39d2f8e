"""A video TikTok pulls from a verified URL (PULL_FROM_URL): no media row, nothing to upload.

Unlike a FILE_UPLOAD init (harmless to repeat: nothing publishes until the bytes arrive), this
init alone makes TikTok download and publish the video. So the attempt is marked (`uploading`,
no publish_id) before TikTok is called; finding that mark on a re-run means a crash hid whether
TikTok accepted it, and the post fails asking for a look at the creator's profile rather than
risk publishing twice.
"""

from __future__ import annotations

from tikpost.posts import service
from tikpost.posts.models import Post
from tikpost.posts.publish.calls import (
    VIDEO_TOGGLES,
    call_tiktok,
    load_post,
    locked,
    mark_one_shot,
    video_post_info,
)
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_fence
from tikpost.tiktok import CreatorInfo, InitResult


class VideoPull:
    """The `PublishKind` of a video post TikTok downloads from its `video_url` itself."""

    url_path = "video"
    toggles = VIDEO_TOGGLES

    async def check(self, ctx: PublishContext, post: Post, info: CreatorInfo) -> None:
        """Nothing to check here: tikpost never holds the video (TikTok checks its length)."""

    async def init(self, ctx: PublishContext, post: Post) -> str:
        return await init_pull(ctx, post.id)

    async def upload(self, ctx: PublishContext, post: Post) -> None:
        """Nothing to send: TikTok downloads and processes the video."""
        async with ctx.database.session(write=True) as session:
            post = await locked(session, post.id)
            if post.status == "uploading":
                await service.record(
                    session, post, "processing", "TikTok is downloading and processing the video"
                )


async def init_pull(ctx: PublishContext, post_id: str) -> str:
    """Init with PULL_FROM_URL, at most once per attempt (see the module's docstring)."""
    post = await load_post(ctx, post_id)
    if post.publish_id:
        return post.publish_id
    await mark_one_shot(ctx, post_id, "pull the video", "Asking TikTok to pull the video URL")
    url = post.video_url
    assert url is not None
    mode = "direct" if post.mode == "direct" else "inbox"
    info = video_post_info(post)
    result: InitResult = await call_tiktok(
        ctx,
        post,
        lambda client: client.init_video(mode=mode, post_info=info, video_url=url),
        repeatable=False,
    )
    async with ctx.database.session(write=True) as session:
        post = await locked(session, post_id)
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
