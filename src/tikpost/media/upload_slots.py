"""Presigned upload URLs served by tikpost: one PUT of the raw bytes, for one team, for an hour.

Hosted APIs tikpost stands in for (PostPeer, PostPost) hand their clients an upload URL and a
URL to put in the post. Here the PUT URL carries an HMAC-signed token naming the slot and its
expiry, so it needs no API key (a browser or `curl -T` can use it) and cannot be altered; the
slot's row makes it single-use and binds the bytes to the team that asked. The bytes take the
multipart upload's path (cap, hash, flat memory, probe), so they become ordinary media.

The slot is claimed for the duration of the PUT, in a short transaction of its own: two PUTs of
one URL cannot both land, and no write lock is held while gigabytes stream in. An upload that
fails (bad media, too large, a dropped connection) releases the claim, so it may be retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.crypto import Signer
from tikpost.kit.db import Database, utcnow
from tikpost.kit.errors import ApiError
from tikpost.kit.ids import new_id
from tikpost.media import repository, service
from tikpost.media.ingest import _clean_filename
from tikpost.media.models import UploadSlot as SlotRow
from tikpost.media.raw_ingest import receive_raw
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges, Storage
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead

UPLOAD_SLOT_TTL = timedelta(hours=1)
PATH_PREFIX = "/v1/uploads/"
PURPOSE = "upload-slot"


@dataclass(frozen=True)
class UploadSlot:
    """`put_url` takes the bytes; `public_url` names them in a post (`resolve_upload_url`)."""

    slot_id: str
    put_url: str
    public_url: str
    expires_at: datetime


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), PURPOSE)


async def create_upload_slot(
    session: AsyncSession,
    settings: Settings,
    team: TeamRead,
    *,
    filename: str | None,
    content_type: str | None,
    idempotency_key: str | None = None,
) -> UploadSlot:
    """A new slot for `team`; the caller's unit of work commits it. `filename` and
    `content_type` are the client's labels, kept as an upload's are (the probe decides).

    With `idempotency_key` the slot's id is derived from the team and the key, so a retried
    request finds the slot the first one made and answers with the same URLs (the same labels
    are required, as a replayed post needs the same body)."""
    labels = (_clean_filename(filename), (content_type or None) and content_type[:200])
    if idempotency_key is None:
        return _urls(settings, await _add(session, new_id("upl"), team, labels))
    slot_id = _keyed_id(settings, team, idempotency_key)
    existing = await repository.get_slot_for_team(session, team.id, slot_id)
    if existing is None:
        try:
            async with session.begin_nested():
                return _urls(settings, await _add(session, slot_id, team, labels))
        except IntegrityError:  # the same key's request, at the same moment
            existing = await repository.get_slot_for_team(session, team.id, slot_id)
            if existing is None:
                raise
    if (existing.filename, existing.content_type) != labels:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
            "Idempotency-Key",
        )
    return _urls(settings, existing)


async def _add(
    session: AsyncSession, slot_id: str, team: TeamRead, labels: tuple[str | None, str | None]
) -> SlotRow:
    filename, content_type = labels
    expires_at = datetime.now(UTC).replace(microsecond=0) + UPLOAD_SLOT_TTL
    slot = SlotRow(
        id=slot_id,
        team_id=team.id,
        # Shown back to people like an upload's filename (the multipart ingest's rule).
        filename=filename,
        content_type=content_type,
        expires_at=expires_at,
    )
    return await repository.add_slot(session, slot)


def _keyed_id(settings: Settings, team: TeamRead, idempotency_key: str) -> str:
    """`upl_` and 32 hex characters, the same for the same team and key (never a dot or a
    slash: a token starts with the id and a dot)."""
    mac = _signer(settings).signature(f"idempotency\0{team.id}\0{idempotency_key}")
    return "upl_" + hashlib.sha256(mac.encode()).hexdigest()[:32]


def _urls(settings: Settings, slot: SlotRow) -> UploadSlot:
    """The slot's URLs, rebuilt from its row: the same every time it is asked."""
    expires_at = slot.expires_at
    token = _signer(settings).sign(f"{slot.id}.{int(expires_at.timestamp())}")
    base = f"{settings.public_url}{PATH_PREFIX}"
    return UploadSlot(slot.id, f"{base}{token}", f"{base}{slot.id}", expires_at)


async def resolve_upload_url(session: AsyncSession, team: TeamRead, url: str) -> str | None:
    """The media id behind a slot's `public_url` (or its `put_url`), if the slot is `team`'s
    and its bytes have arrived; None otherwise, another team's slot included. Read from the
    database, never fetched over HTTP."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.path.startswith(PATH_PREFIX):
        return None
    # A put_url's token starts with the slot id and a dot; the lookup is scoped to the team.
    slot_id = parts.path[len(PATH_PREFIX) :].split(".", 1)[0]
    if not slot_id.startswith("upl_") or "/" in slot_id:
        return None
    slot = await repository.get_slot_for_team(session, team.id, slot_id)
    return slot.media_id if slot is not None and slot.used_at is not None else None


def _slot_id(settings: Settings, token: str) -> str:
    """The slot a token names: 403 if we did not sign it, 410 once it has expired."""
    value = _signer(settings).unsign(token)
    slot_id, _, expires = (value or "").rpartition(".")
    if value is None or not slot_id or not expires.isdigit():
        raise ApiError(403, "upload_token_invalid", "this upload URL is not valid")
    if int(expires) <= datetime.now(UTC).timestamp():
        raise _expired()
    return slot_id


def _expired() -> ApiError:
    return ApiError(410, "upload_url_expired", "this upload URL has expired; ask for a new one")


async def _claim(database: Database, slot_id: str) -> SlotRow:
    async with database.session(write=True) as session:
        slot = await repository.get_slot_for_update(session, slot_id)
        if slot is None:
            raise ApiError(403, "upload_token_invalid", "this upload URL is not valid")
        if slot.used_at is not None:
            raise ApiError(409, "upload_url_used", "this upload URL was already used")
        if slot.claimed_at is not None:
            raise ApiError(
                409, "upload_in_progress", "an upload to this URL is already in progress"
            )
        if slot.expires_at <= utcnow():
            raise _expired()
        slot.claimed_at = utcnow()
        return slot


async def _release(database: Database, slot_id: str) -> None:
    async with database.session(write=True) as session:
        slot = await repository.get_slot_for_update(session, slot_id)
        if slot is not None and slot.used_at is None:
            slot.claimed_at = None


async def receive(
    database: Database,
    storage: Storage,
    settings: Settings,
    token: str,
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
) -> MediaRead:
    """The PUT: check the token, claim the slot, stream the bytes, record them as media."""
    slot = await _claim(database, _slot_id(settings, token))
    media_id = new_id("med")
    key = f"{slot.team_id}/{media_id}"
    files = FileChanges(storage)
    files.created(key)
    try:
        received = await receive_raw(
            body,
            content_length,
            storage,
            key,
            settings.max_media_bytes,
            filename=slot.filename,
            declared_type=content_type or slot.content_type,
        )
        async with database.session(write=True) as session:
            media = await service.record_stored(session, storage, slot.team_id, media_id, received)
            claimed = await repository.get_slot_for_update(session, slot.id)
            assert claimed is not None
            claimed.used_at, claimed.media_id = utcnow(), media_id
    except BaseException:
        await files.rollback()
        await _release(database, slot.id)
        raise
    await files.commit()
    return media
