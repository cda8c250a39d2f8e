"""A video to a business account: published through TikTok's API for Business, which pulls it
from a verified URL (`/business/video/publish/`), with the post's commercial sound.

A video this server holds goes as a signed media link (`media.links`; the transcoded copy if
there is one); a `video_url` under a verified prefix goes as it is. Like every pull, the
publish call alone makes TikTok publish, so the attempt is marked (`uploading`, no publish_id)
before TikTok is called, and a re-run finding the mark fails asking for a look at the profile
rather than risk publishing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tikpost.accounts.business import PUBLIC
from tikpost.kit.db import utcnow
from tikpost.media.links import MediaLinks
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure, PublishFailedError
from tikpost.posts.models import Post
from tikpost.posts.publish.calls import VIDEO_TOGGLES, call_tiktok, locked, mark_one_shot
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_fence
from tikpost.tiktok import CreatorInfo
from tikpost.tiktok.business import BusinessPostInfo, MusicSoundInfo

# "Each account can publish up to 15 posts per day" (the Business API's publish page).
POSTS_PER_DAY = 15
DAY = timedelta(days=1)


class BusinessVideo:
    """The `PublishKind` of a video post to a business account."""

    url_path = "video"
    toggles = VIDEO_TOGGLES

    async def check(self, ctx: PublishContext, post: Post, info: CreatorInfo) -> None:
        """Public only: a privacy set otherwise (an edit in review, say) cannot be honoured.
        And no more than TikTok's posts a day for the account: TikTok's refusal of one more is
        the same code as any throttling, so tikpost counts, and the workflow waits for the
        window (or fails the post, with `on_cap: fail`) as it does for the daily cap."""
        if post.mode == "direct" and post.privacy_level not in (None, PUBLIC):
            raise PublishFailedError(
                Failure(
                    "business_videos_are_public",
                    "Videos published through TikTok's API for Business are public; set "
                    f"privacy_level {PUBLIC} and retry.",
                )
            )
        if post.publish_id:
            return
        async with ctx.database.session() as session:
            sent = await repository.sent_since(session, post.account_id, utcnow() - DAY)
        if sent >= POSTS_PER_DAY:
            raise PublishFailedError(
                Failure(
                    "daily_post_cap",
                    f"@{info.creator_username} published {sent} posts through TikTok's API for "
                    f"Business in the last 24 hours; TikTok allows {POSTS_PER_DAY} a day.",
                )
            )

    async def init(self, ctx: PublishContext, post: Post) -> str:
        return await publish_at_tiktok(ctx, post)

    async def upload(self, ctx: PublishContext, post: Post) -> None:
        """Nothing to send: TikTok pulls the video after the publish call."""


def business_post_info(post: Post) -> BusinessPostInfo:
    """A draft (`upload_to_draft`) takes no other field; a direct post all of them."""
    if post.mode != "direct":
        return BusinessPostInfo(upload_to_draft=True)
    sound: dict[str, Any] | None = post.sound
    return BusinessPostInfo(
        caption=post.title,
        is_brand_organic=post.brand_organic_toggle,
        is_branded_content=post.brand_content_toggle,
        disable_comment=post.disable_comment,
        disable_duet=post.disable_duet,
        disable_stitch=post.disable_stitch,
        is_ai_generated=post.is_aigc,
        thumbnail_offset=post.video_cover_timestamp_ms,
        music_sound_info=(
            MusicSoundInfo(
                music_sound_id=sound["id"],
                # Always sent: TikTok's default for both is 0, a silent post.
                music_sound_volume=sound["volume"],
                video_original_sound_volume=sound["original_volume"],
                music_sound_start=sound.get("start_ms"),
                music_sound_end=sound.get("end_ms"),
            )
            if sound
            else None
        ),
    )


def _video_url(ctx: PublishContext, post: Post) -> str:
    media_id = post.transcoded_media_id or post.media_id
    if media_id is not None:
        return MediaLinks.for_settings(ctx.settings).url(media_id)
    assert post.video_url is not None
    return post.video_url


async def publish_at_tiktok(ctx: PublishContext, post: Post) -> str:
    """Publish once (a recorded share_id is returned as is): TikTok then pulls the video."""
    if post.publish_id:
        return post.publish_id
    await mark_one_shot(
        ctx,
        post.id,
        "publish the video",
        "Asking TikTok's API for Business to publish the video",
    )
    url, info = _video_url(ctx, post), business_post_info(post)
    share_id: str = await call_tiktok(
        ctx, post, lambda client: client.publish_video(url, info), repeatable=False
    )
    sound = info.music_sound_info
    heard = (
        f" with sound {sound.music_sound_id} (volume {sound.music_sound_volume}, original "
        f"sound {sound.video_original_sound_volume})"
        if sound
        else ""
    )
    async with ctx.database.session(write=True) as session:
        post_now = await locked(session, post.id)
        check_fence(post_now)
        post_now.publish_id, post_now.upload_url = share_id, None
        await service.record(
            session,
            post_now,
            "processing",
            f"Sent to TikTok's API for Business ({share_id}){heard}; TikTok is pulling and "
            "processing the video",
            publish_id=share_id,
        )
    return share_id
