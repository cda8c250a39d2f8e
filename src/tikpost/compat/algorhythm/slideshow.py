"""A slideshow's `media_url`: a zip of slides, fetched through the SSRF guard and unpacked
exactly as `POST /v1/media/zip` unpacks an upload (`media.zipped`), into image media.

The download lands in a private temporary directory, never in media storage: only the slides
are kept, and they are committed in their own short transaction before the post's (as a
`photos` URL import is), then deleted again if the post is not created.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.kit.safe_fetch import UrlGuard
from tikpost.media import url_import, zipped
from tikpost.media.ingest import FIELD
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges, LocalStorage, Storage
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead

URL_FIELD = "media_url"


async def import_slides(
    database: Database,
    storage: Storage,
    guard: UrlGuard,
    settings: Settings,
    team: TeamRead,
    url: str,
) -> list[MediaRead]:
    files = FileChanges(storage)
    try:
        with tempfile.TemporaryDirectory(prefix="tikpost-zip-") as directory:
            root = Path(directory)
            await url_import.download(
                LocalStorage(root),
                "upload",
                url,
                guard,
                min(settings.max_media_bytes, zipped.MAX_ZIP_BYTES),
                field=URL_FIELD,
                timeout_sec=settings.media_fetch_timeout_sec,
            )
            async with database.session(write=True) as session:
                slides = await zipped.store_slides(session, files, team.id, root)
    except ApiError as exc:
        await files.rollback()
        if exc.field != FIELD:
            raise
        raise ApiError(
            exc.status, exc.code, f"{URL_FIELD}: {exc.message}", URL_FIELD, details=exc.details
        ) from None
    except BaseException:
        await files.rollback()
        raise
    await files.commit()
    return slides
