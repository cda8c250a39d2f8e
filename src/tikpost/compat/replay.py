"""`Idempotency-Key` for vendor requests whose media tikpost receives first.

The native replay check compares the stored post's request, media ids included; a vendor
request that streams or fetches its media gets new media ids each time, so it would never
match. Here the vendor's own request (with the file's SHA-256, or its URL) is hashed and kept
on the post's first timeline lines (`intake.accept_post(notes=…)`); a retry with the same key
and the same request returns the stored post, a different request under the key is refused
as the native API refuses it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.posts import repository, service
from tikpost.posts.schemas import PostRead
from tikpost.teams.schemas import TeamRead

KEY = "compat"


def digest(vendor: str, request: Mapping[str, Any]) -> str:
    body = json.dumps({"vendor": vendor, **request}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def note(vendor: str, request_hash: str, message: str, **data: Any) -> tuple[str, dict[str, Any]]:
    """A timeline line (for `accept_post(notes=…)`) marking the post as this vendor request."""
    return message, {KEY: {"vendor": vendor, "request_hash": request_hash, **data}}


def compat_data(post: PostRead) -> dict[str, Any]:
    """What the vendor's route kept on the post's timeline, merged (empty for a native post)."""
    merged: dict[str, Any] = {}
    for event in post.events:
        found = event.data.get(KEY)
        if isinstance(found, dict):
            merged.update(found)
    return merged


async def replayed(
    database: Database, team: TeamRead, idempotency_key: str | None, request_hash: str
) -> PostRead | None:
    """The post an earlier identical request made under this key, or None if there is none."""
    if idempotency_key is None:
        return None
    async with database.session() as session:
        post = await repository.find_by_idempotency_key(session, team.id, idempotency_key)
        if post is None:
            return None
        stored = await service.read(session, post)
    if compat_data(stored).get("request_hash") != request_hash:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request",
            "Idempotency-Key",
        )
    return stored
