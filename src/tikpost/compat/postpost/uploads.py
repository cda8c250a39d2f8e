"""PostPost's presigned upload, served by tikpost's own upload slots (media.upload_slots).

The slot's `public_url` is PostPost's `fileUrl`, and the post group keeps it on its timeline
until `update-post` asks for its video: only then is it resolved to the uploaded media, so a
file that never arrived is a clear "upload it first", never a post without a video.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.compat.postpost.schemas import PostPostUploadRequest
from tikpost.media.upload_slots import UploadSlot, create_upload_slot, resolve_upload_url
from tikpost.posts import repository
from tikpost.posts.models import Post
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead


async def issue(
    session: AsyncSession,
    settings: Settings,
    team: TeamRead,
    body: PostPostUploadRequest,
    idempotency_key: str | None,
) -> UploadSlot:
    """`fileName` and `contentType` are labels, cleaned and kept as an upload's are; what the
    bytes are is decided by probing them, as for any upload. A retry under the same
    `Idempotency-Key` gets the same slot."""
    return await create_upload_slot(
        session,
        settings,
        team,
        filename=body.file_name,
        content_type=body.content_type,
        idempotency_key=idempotency_key,
    )


async def uploaded(session: AsyncSession, team: TeamRead, url: str | None) -> str | None:
    """The media the group's upload URL received, or None (no URL yet, or nothing arrived)."""
    return None if url is None else await resolve_upload_url(session, team, url)


_NOTE_KEY = "postpost_upload_url"


def noted(slot: UploadSlot) -> dict[str, Any]:
    """The timeline data that records `slot` as the group's video to come."""
    return {_NOTE_KEY: slot.public_url}


async def latest(session: AsyncSession, post: Post) -> str | None:
    """The upload URL last issued for the group (the latest get-upload-url wins)."""
    events = (await repository.events_for(session, [post.id])).get(post.id, [])
    urls = [event.data[_NOTE_KEY] for event in events if _NOTE_KEY in (event.data or {})]
    return str(urls[-1]) if urls else None
