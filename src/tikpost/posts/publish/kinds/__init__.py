"""The kinds of post on their way to TikTok, decided once per post by `kind_of`.

Every kind goes through the same workflow steps (creator check, init, upload, status); what a
step does for it is here: a video this server holds is sent in chunks (`video_file`), one
TikTok downloads from a verified URL needs no upload (`video_pull`), and a photo carousel is
pulled from signed links (`photos`). The last two publish on init alone, so neither is ever
initialised twice (see their modules).
"""

from __future__ import annotations

from typing import Protocol

from tikpost.accounts.models import AccountApi
from tikpost.posts.models import Post
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.kinds.business_video import BusinessVideo
from tikpost.posts.publish.kinds.photos import Photos
from tikpost.posts.publish.kinds.video_file import VideoFile
from tikpost.posts.publish.kinds.video_pull import VideoPull
from tikpost.tiktok import CreatorInfo


class PublishKind(Protocol):
    """What differs between kinds of post at TikTok. Each method is safe to repeat, as the
    step calling it may be run again after a crash."""

    @property
    def url_path(self) -> str:
        """The post's kind in its TikTok URL: tiktok.com/@user/<url_path>/<id>."""
        ...

    @property
    def toggles(self) -> tuple[str, ...]:
        """The post's `disable_*` fields TikTok offers for this kind."""
        ...

    async def check(self, ctx: PublishContext, post: Post, info: CreatorInfo) -> None:
        """Raise PublishFailedError if the creator may not post this (beyond privacy)."""
        ...

    async def init(self, ctx: PublishContext, post: Post) -> str:
        """The post's publish_id: the recorded one, or a new one from TikTok's init."""
        ...

    async def upload(self, ctx: PublishContext, post: Post) -> None:
        """Whatever TikTok needs after init, then the post `processing`."""
        ...


VIDEO_FILE, VIDEO_PULL, PHOTOS = VideoFile(), VideoPull(), Photos()
BUSINESS_VIDEO = BusinessVideo()


def kind_of(post: Post) -> PublishKind:
    """For a business account, a video through the Business API; else a photo carousel; a
    video TikTok pulls, given by a verified `video_url` (see posts.video_url) with no media
    row; else a video this server uploads."""
    if post.api == AccountApi.BUSINESS:
        return BUSINESS_VIDEO
    if post.media_type == "photo":
        return PHOTOS
    if post.media_id is None and post.video_url:
        return VIDEO_PULL
    return VIDEO_FILE


__all__ = ["PublishKind", "kind_of"]
