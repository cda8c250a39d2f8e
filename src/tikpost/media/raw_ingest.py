"""Streaming a raw request body (a presigned PUT: the bytes are the file) into storage.

The multipart ingest's sibling: the same cap, hash and flat memory (`media.stream_store`),
nothing left at the key on any error; no framing to parse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect

from tikpost.kit.errors import ApiError
from tikpost.kit.parse import parse_uint
from tikpost.media.ingest import FIELD, ReceivedFile, too_large
from tikpost.media.storage import Storage
from tikpost.media.stream_store import StreamedFile


async def receive_raw(
    body: AsyncIterator[bytes],
    content_length: str | None,
    storage: Storage,
    key: str,
    max_bytes: int,
    *,
    filename: str | None,
    declared_type: str | None,
) -> ReceivedFile:
    """Store the body at `key`; `filename` and `declared_type` are the client's labels."""
    declared = parse_uint(content_length)
    if declared is not None and declared > max_bytes:
        raise too_large(max_bytes)  # refuse before reading a byte
    async with storage.open_write(key) as writer:
        file = StreamedFile(writer, max_bytes, lambda: too_large(max_bytes))
        try:
            try:
                async for chunk in body:
                    file.add(chunk)
                    await file.pump()
            except ClientDisconnect:
                raise ApiError(
                    400, "upload_incomplete", "the client disconnected mid-upload"
                ) from None
            if file.size == 0:
                raise ApiError(422, "empty_file", "file: the uploaded file is empty", FIELD)
            sha256 = await file.finish()
        except BaseException:
            file.abandon()
            raise
    return ReceivedFile(
        filename=filename, declared_type=declared_type, size_bytes=file.size, sha256=sha256
    )
