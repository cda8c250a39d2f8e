"""Publishing a photo carousel: TikTok pulls each photo from a signed link to this server.

Unlike a video there is no upload step: init names the photos' links (in carousel order, with
the cover index) and TikTok downloads them itself, so the post goes straight to `processing`.
The links expire after two hours; TikTok pulls right after init, and a retry makes new ones.

Unlike a video init, a repeated photo init is not harmless: TikTok pulls and publishes each one.
So the attempt is marked (`uploading`, no publish_id yet) before TikTok is called; finding that
mark on a re-run means a crash hid whether TikTok accepted the init, and the post fails asking
for a look at the creator's profile rather than risk publishing the carousel twice.
"""

from __future__ import annotations

from tikpost.media.links import MediaLinks
from tikpost.posts import service
from tikpost.posts.models import Post
from tikpost.posts.publish.calls import call_tiktok, locked, mark_one_shot
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_fence
from tikpost.tiktok import CreatorInfo, InitResult
from tikpost.tiktok.models import PhotoPostInfo


class Photos:
    """The `PublishKind` of a photo carousel."""

    url_path = "photo"
    # Photo posts have comments only: TikTok offers no duet or stitch for them.
    toggles = ("disable_comment",)

    async def check(self, ctx: PublishContext, post: Post, info: CreatorInfo) -> None:
        """Nothing beyond the shared checks: TikTok sets no length for a carousel."""

    async def init(self, ctx: PublishContext, post: Post) -> str:
        return await init_photos_at_tiktok(ctx, post)

    async def upload(self, ctx: PublishContext, post: Post) -> None:
        """Nothing to upload: TikTok pulls the photos after init."""


def photo_post_info(post: Post) -> PhotoPostInfo:
    """Drafts (MEDIA_UPLOAD) carry only their text; the creator chooses the rest in the app."""
    if post.mode != "direct":
        return PhotoPostInfo(title=post.title, description=post.description)
    return PhotoPostInfo(
        title=post.title,
        description=post.description,
        privacy_level=post.privacy_level or "SELF_ONLY",
        disable_comment=post.disable_comment,
        auto_add_music=post.auto_add_music,
        brand_content_toggle=post.brand_content_toggle,
        brand_organic_toggle=post.brand_organic_toggle,
    )


async def init_photos_at_tiktok(ctx: PublishContext, post: Post) -> str:
    """Init once (a recorded publish_id is returned as is): TikTok then pulls the photos."""
    if post.publish_id:
        return post.publish_id
    photo_ids = list(post.photos or [])
    await mark_one_shot(
        ctx, post.id, "pull the photos", f"Asking TikTok to pull {len(photo_ids)} photo(s)"
    )
    links = MediaLinks.for_settings(ctx.settings)
    urls = [links.url(photo_id) for photo_id in photo_ids]
    mode = "direct" if post.mode == "direct" else "inbox"
    info = photo_post_info(post)
    cover = post.photo_cover_index or 0
    result: InitResult = await call_tiktok(
        ctx,
        post,
        lambda client: client.init_photos(
            mode=mode, post_info=info, photo_urls=urls, cover_index=cover
        ),
        repeatable=False,
    )
    async with ctx.database.session(write=True) as session:
        post_now = await locked(session, post.id)
        check_fence(post_now)
        post_now.publish_id, post_now.upload_url = result.publish_id, None
        await service.record(
            session,
            post_now,
            "processing",
            f"Initialised at TikTok ({result.publish_id}); TikTok is pulling "
            f"{len(urls)} photo(s) from signed links",
            publish_id=result.publish_id,
        )
    return result.publish_id
