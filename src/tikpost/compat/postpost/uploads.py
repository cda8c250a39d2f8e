"""PostPost's presigned upload, served by tikpost's own upload slots (media.upload_slots).

The slot's `public_url` is PostPost's `fileUrl`, and it is what the post group remembers until
`update-post` asks for its video: only then is it resolved to the uploaded media, so a file
that never arrived is a clear "upload it first", never a post without a video.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.compat.postpost.schemas import PostPostUploadRequest
from tikpost.media.upload_slots import UploadSlot, create_upload_slot, resolve_upload_url
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead


async def issue(
    session: AsyncSession, settings: Settings, team: TeamRead, body: PostPostUploadRequest
) -> UploadSlot:
    """`fileName` and `contentType` are labels, cleaned and kept as an upload's are; what the
    bytes are is decided by probing them, as for any upload."""
    return await create_upload_slot(
        session, settings, team, filename=body.file_name, content_type=body.content_type
    )


async def uploaded(session: AsyncSession, team: TeamRead, url: str | None) -> str | None:
    """The media the group's upload URL received, or None (no URL yet, or nothing arrived)."""
    return None if url is None else await resolve_upload_url(session, team, url)
