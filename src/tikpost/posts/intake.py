"""Accepting a post: the one use case behind POST /v1/posts.

The order matters and lives here once. URL imports (an unverified `video_url`, photos by URL)
commit in their own short transactions before the post's, so a download never holds the write
lock; if the post is then refused or replayed, what they fetched is discarded again. Publishing
starts only after the post's transaction commits, so the workflow never reads a post that is
not there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tikpost.accounts.tokens import TokenSource
from tikpost.kit.db import Database
from tikpost.kit.url_guard import UrlGuard
from tikpost.media.storage import FileChanges, Storage
from tikpost.posts import creator_rules, fetched, photos, review, service, video_url
from tikpost.posts.consent import Consent
from tikpost.posts.schemas import PostCreate, PostRead
from tikpost.posts.statuses import PostStatus
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead


@dataclass(frozen=True)
class Accepted:
    """The post as stored, and whether an Idempotency-Key replay returned it (nothing new)."""

    post: PostRead
    replayed: bool


@dataclass(frozen=True)
class Intake:
    """What accepting a post needs from the process, as one object.

    Every way in (the API, the dashboard's publish button, each compat vendor's route) takes
    this whole rather than its five parts, so a new need of the intake is added here once.
    """

    database: Database
    storage: Storage
    guard: UrlGuard
    settings: Settings
    tokens: TokenSource

    async def accept(
        self,
        team: TeamRead,
        request: PostCreate,
        idempotency_key: str | None,
        consent: Consent,
        notes: Sequence[tuple[str, Mapping[str, Any]]] = (),
    ) -> Accepted:
        """Import the request's URLs, store the post, and start publishing it once committed.

        `consent` is how the person agreed to this post (the API key, or the dashboard session
        whose publish button was pressed); it is stored on the post. `notes` are timeline lines
        (message, data) written in the post's own transaction, so the publish workflow, which
        starts after the commit, always sees them: a compat vendor's fields that TikTok has no
        place for, such as a sound id, or a webhook in the vendor's shape.
        """
        database, storage, guard = self.database, self.storage, self.guard
        settings, tokens = self.settings, self.tokens
        # TikTok's creator_info, fresh (posts.creator_rules), read before any write transaction.
        creator = await creator_rules.fresh_creator_info(tokens, team, request)
        # A `video_url` not verified with TikTok is fetched first, in its own transaction.
        imported = await video_url.prepare(
            database, storage, guard, settings, team, request, idempotency_key
        )
        # Likewise photos given by URL (all or nothing: a failed item leaves none behind).
        imported_photos = await photos.import_urls(
            database, storage, guard, settings, team, request, idempotency_key
        )
        fetched_media = [media for media in (imported, *imported_photos.values()) if media]
        # Photos converted for TikTok are new files: removed again unless the post commits.
        files = FileChanges(storage)
        try:
            async with database.session(write=True) as session:
                post, created = await service.create_post(
                    session,
                    team,
                    request,
                    idempotency_key,
                    files,
                    imported,
                    {index: media.id for index, media in imported_photos.items()},
                    transcode_default=settings.transcode_default,
                    creator=creator,
                    consent=consent,
                )
                if created:
                    for message, data in notes:
                        await service.record(session, post, post.status, message, **data)
                # A post held for review gets no workflow, only its `post.awaiting_review` event.
                held = created and post.status == PostStatus.AWAITING_REVIEW
                deliveries = await review.announce(session, post) if held else []
                body = await service.read(session, post)
        except BaseException:
            await files.rollback()
            await fetched.discard(database, storage, team, fetched_media)
            raise
        if created:
            await review.after_commit(post, deliveries)
        else:
            await fetched.discard(database, storage, team, fetched_media)
        return Accepted(body, replayed=not created)
