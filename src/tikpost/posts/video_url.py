"""Posts given a `video_url` instead of a media id: pulled by TikTok, or imported by tikpost.

Under a prefix the user verified with TikTok (TIKPOST_VERIFIED_URL_PREFIXES) the URL goes to
TikTok as PULL_FROM_URL: tikpost never fetches it, and TikTok refuses any other URL anyway
(`url_ownership_unverified`). Such a post has no media row, so the video rules that need a probe
(duration, frame rate, size) are TikTok's to apply after its download.

Any other URL is imported here, before the post is accepted: fetched through the SSRF guard,
stored and probed like an upload, so every video rule applies and a bad URL is a 422 on the
request rather than a failed post minutes later; the post then uploads it by FILE_UPLOAD. The
import commits in its own short transaction: holding the post's write transaction (SQLite's
database-wide write lock) open for a download of minutes would stall every other writer. If
the post is then refused, `posts.fetched.discard` deletes the imported media again, row and file.
"""

from __future__ import annotations

from tikpost.kit.db import Database
from tikpost.kit.safe_fetch import UrlGuard, require_allowed
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges, Storage
from tikpost.media.url_import import import_media
from tikpost.posts import fetched
from tikpost.posts.schemas import PostCreate
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead


def is_verified(url: str, prefixes: list[str]) -> bool:
    """Whether TikTok will pull `url` itself: it starts with a prefix verified with TikTok."""
    return any(prefix and url.startswith(prefix) for prefix in prefixes)


def pulls_from_url(request: PostCreate, settings: Settings) -> bool:
    return request.video_url is not None and is_verified(
        request.video_url, settings.verified_url_prefixes
    )


async def prepare(
    database: Database,
    storage: Storage,
    guard: UrlGuard,
    settings: Settings,
    team: TeamRead,
    request: PostCreate,
    idempotency_key: str | None,
) -> MediaRead | None:
    """Check the request's URLs; import an unverified `video_url` and return its media.

    Called before the post's own transaction. A replayed Idempotency-Key imports nothing (the
    stored post is returned as is), and the request-only rules run first so a doomed request
    fetches nothing.
    """
    if request.webhook_url is not None:
        await require_allowed(str(request.webhook_url), guard, "webhook_url")
    if request.video_url is None or pulls_from_url(request, settings):
        return None
    if not await fetched.worth_fetching(database, team, request, idempotency_key):
        return None
    files = FileChanges(storage)
    try:
        async with database.session(write=True) as session:
            return await import_media(
                session,
                files,
                team.id,
                request.video_url,
                guard,
                settings.max_media_bytes,
                field="video_url",
                timeout_sec=settings.media_fetch_timeout_sec,
            )
    except BaseException:
        await files.rollback()
        raise
