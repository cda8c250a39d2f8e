"""`client.media`: upload files (streamed, with progress), import URLs, unpack slide zips."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tikpost_client._base import UPLOAD_TIMEOUT, Call, model, nothing, query, seg
from tikpost_client._models import MediaList, MediaPage, MediaRead
from tikpost_client._pagination import AsyncPages, SyncPages
from tikpost_client._upload import FileSource, ProgressCallback, Upload

if TYPE_CHECKING:
    from tikpost_client._transport import AsyncTransport, SyncTransport


def _upload(
    file: FileSource,
    path: str,
    filename: str | None,
    content_type: str | None,
    on_progress: ProgressCallback | None,
) -> Call[MediaRead]:
    body = Upload(file, filename=filename, content_type=content_type, on_progress=on_progress)
    return Call("POST", path, model(MediaRead), upload=body, timeout=UPLOAD_TIMEOUT)


def _zip(
    file: FileSource, filename: str | None, on_progress: ProgressCallback | None
) -> Call[MediaList]:
    body = Upload(file, filename=filename, content_type="application/zip", on_progress=on_progress)
    return Call("POST", "/v1/media/zip", model(MediaList), upload=body, timeout=UPLOAD_TIMEOUT)


def _import(url: str, path: str = "/v1/media") -> Call[MediaRead]:
    return Call("POST", path, model(MediaRead), json={"url": url}, timeout=UPLOAD_TIMEOUT)


def _page(limit: int | None) -> Callable[[str | None], Call[MediaPage]]:
    def page(cursor: str | None) -> Call[MediaPage]:
        return Call("GET", "/v1/media", model(MediaPage), params=query(limit=limit, cursor=cursor))

    return page


def _get(media_id: str) -> Call[MediaRead]:
    return Call("GET", f"/v1/media/{seg(media_id)}", model(MediaRead))


def _delete(media_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/media/{seg(media_id)}", nothing)


class Media:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport
        self._send = transport.send

    def upload(
        self,
        file: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> MediaRead:
        """Stream a video or photo (a path, or a seekable binary file object) to the service.

        The file is read piece by piece as it is sent, never whole; `on_progress(sent, total)`
        runs as each piece leaves, and starts over from 0 if a retry sends the file again.
        """
        return self._send(_upload(file, "/v1/media", filename, content_type, on_progress))

    def import_url(self, url: str) -> MediaRead:
        """Have the service fetch the file at `url` (through its SSRF guard and size cap)."""
        return self._send(_import(url))

    def upload_zip(
        self,
        file: FileSource,
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[MediaRead]:
        """A .zip of `slide-1.jpg`, `slide-2.jpg`, ...: one image media per slide, in order."""
        return self._send(_zip(file, filename, on_progress)).items

    def get(self, media_id: str) -> MediaRead:
        return self._send(_get(media_id))

    def list(self, *, limit: int | None = None) -> SyncPages[MediaRead]:
        """Every media of the team, newest first, `limit` a page."""
        return SyncPages(self._transport, _page(limit))

    def delete(self, media_id: str) -> None:
        self._send(_delete(media_id))


class AsyncMedia:
    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport
        self._send = transport.send

    async def upload(
        self,
        file: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> MediaRead:
        return await self._send(_upload(file, "/v1/media", filename, content_type, on_progress))

    async def import_url(self, url: str) -> MediaRead:
        return await self._send(_import(url))

    async def upload_zip(
        self,
        file: FileSource,
        *,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[MediaRead]:
        return (await self._send(_zip(file, filename, on_progress))).items

    async def get(self, media_id: str) -> MediaRead:
        return await self._send(_get(media_id))

    def list(self, *, limit: int | None = None) -> AsyncPages[MediaRead]:
        return AsyncPages(self._transport, _page(limit))

    async def delete(self, media_id: str) -> None:
        await self._send(_delete(media_id))
