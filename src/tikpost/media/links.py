"""Signed, expiring media links: how TikTok (which only pulls photos by URL) reaches our bytes.

A link is `<public_url>/v1/media/{id}/content?exp=<unix seconds>&sig=<HMAC>`. It needs no API
key, because TikTok has none of ours; instead the HMAC (a key derived for this purpose only)
covers the media id and the expiry, so a link cannot be guessed, altered to reach other media,
or used after it expires. Users verify the `<public_url>/v1/media/` prefix with TikTok once.

Serving honours one `Range` (206): pullers resume or split large downloads that way.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from tikpost.deps import SessionDep, SettingsDep, StorageDep
from tikpost.kit.crypto import Signer
from tikpost.kit.errors import ApiError
from tikpost.media import repository
from tikpost.settings import Settings

PURPOSE = "media-link"
LINK_TTL_SEC = 2 * 3600
PATH_PREFIX = "/v1/media/"
# ASCII digits only (`\d` takes other scripts' too), and few enough that int() is cheap and
# bounded: a longer number is a header we cannot read, which serves the whole object.
_RANGE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})")
MAX_EXPIRY = 2**63 - 1

router = APIRouter(prefix="/v1", tags=["media"])


class MediaLinks:
    """Makes and checks links for one secret key and public URL."""

    def __init__(self, secret_key: str, public_url: str, ttl_sec: int = LINK_TTL_SEC) -> None:
        self._signer = Signer(secret_key, PURPOSE)
        self._public_url = public_url.rstrip("/")
        self._ttl = ttl_sec

    @classmethod
    def for_settings(cls, settings: Settings) -> MediaLinks:
        return cls(settings.secret_key.get_secret_value(), settings.public_url)

    @property
    def prefix(self) -> str:
        """What users verify with TikTok as a URL prefix (every link starts with it)."""
        return f"{self._public_url}{PATH_PREFIX}"

    def url(self, media_id: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + self._ttl)
        signature = self._signer.signature(_signed_value(media_id, expires))
        return f"{self.prefix}{media_id}/content?exp={expires}&sig={signature}"

    def check(self, media_id: str, expires: int, signature: str, now: float | None = None) -> None:
        """Raise 403 for a signature we did not make or a link past its expiry."""
        if not self._signer.verify(_signed_value(media_id, expires), signature):
            raise ApiError(403, "link_invalid", "this media link is not valid")
        if expires < (time.time() if now is None else now):
            raise ApiError(403, "link_expired", "this media link has expired; ask for a new one")


def _signed_value(media_id: str, expires: int) -> str:
    return f"{media_id}:{expires}"


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, stop) for a single satisfiable `bytes=` range; None serves the whole object.

    Several ranges, or a header we cannot read, get the whole object (allowed by RFC 9110);
    a well-formed range wholly past the end is 416.
    """
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        start, stop = max(0, size - int(last)), size
    else:
        start = int(first)
        stop = min(size, int(last) + 1) if last else size
        if last and int(last) < start:
            return None
    if start >= size or start >= stop:
        raise ApiError(
            416,
            "range_not_satisfiable",
            f"the object has {size} bytes",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, stop


@router.get("/media/{media_id}/content")
async def media_content(
    media_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    exp: Annotated[
        int,
        Query(ge=0, le=MAX_EXPIRY, description="Expiry, Unix seconds (part of the signed link)."),
    ],
    sig: Annotated[str, Query(max_length=100, description="The link's signature.")],
) -> Response:
    """The media's bytes for whoever holds a signed link (TikTok pulling a photo); no API key."""
    MediaLinks.for_settings(settings).check(media_id, exp, sig)
    media = await repository.get(session, media_id)
    if media is None:
        raise ApiError(404, "media_not_found", "the linked media no longer exists")
    size = media.size_bytes
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=300",
        "X-Content-Type-Options": "nosniff",
    }
    status, start, stop = 200, 0, size
    found = _byte_range(request.headers.get("range"), size)
    if found is not None:
        status, (start, stop) = 206, found
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    headers["Content-Length"] = str(stop - start)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media.content_type)
    key = media.storage_key

    async def body() -> AsyncIterator[bytes]:
        async for block in storage.open_read(key, start, stop):
            yield block

    return StreamingResponse(
        body(), status_code=status, headers=headers, media_type=media.content_type
    )


# HEAD answers with the same headers (pullers check size and type first); one operation in
# the OpenAPI schema is enough.
router.add_api_route(
    "/media/{media_id}/content", media_content, methods=["HEAD"], include_in_schema=False
)
