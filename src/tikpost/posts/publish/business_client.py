"""A business account's calls in the Content Posting client's shapes.

Every kind of post shares the workflow's creator check (`creator_info`) and status polling
(`fetch_status`); a business account answers both through the Business API (video settings,
publish status), so this wrapper lets those steps stay as they are for it, and adds the one
call only business posts make, `publish_video`.
"""

from __future__ import annotations

from tikpost.accounts import business
from tikpost.accounts.models import Account
from tikpost.tiktok import CreatorInfo, PublishStatus
from tikpost.tiktok.business import BusinessAccountClient, BusinessPostInfo


class BusinessPosting:
    def __init__(self, client: BusinessAccountClient, account: Account) -> None:
        self._client = client
        self._account = account

    async def creator_info(self) -> CreatorInfo:
        return await business.creator_info(self._client, self._account)

    async def fetch_status(self, publish_id: str) -> PublishStatus:
        """`post_ids` are strings at the Business API, integers in creator-facing ids."""
        found = await self._client.publish_status(publish_id)
        return PublishStatus(
            status=found.status,
            fail_reason=found.reason if found.is_failed else None,
            publicaly_available_post_id=[int(i) for i in found.post_ids if i.isdigit()],
        )

    async def publish_video(self, video_url: str, post_info: BusinessPostInfo) -> str:
        return await self._client.publish_video(video_url, post_info)
