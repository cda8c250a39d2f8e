"""Streaming a raw request body (a presigned PUT: the bytes are the file) into storage.

The multipart ingest's sibling: the same cap, hash and flat memory, each chunk written as it
arrives, nothing left at the key on any error; no framing to parse.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect

from tikpost.kit.errors import ApiError
from tikpost.kit.parse import parse_uint
from tikpost.media.ingest import FIELD, ReceivedFile, too_large
from tikpost.media.storage import Storage


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
    size = 0
    digest = hashlib.sha256()
    async with storage.open_write(key) as writer:
        try:
            async for chunk in body:
                size += len(chunk)
                if size > max_bytes:
                    raise too_large(max_bytes)
                digest.update(chunk)
                await writer.write(chunk)
        except ClientDisconnect:
            raise ApiError(400, "upload_incomplete", "the client disconnected mid-upload") from None
        if size == 0:
            raise ApiError(422, "empty_file", "file: the uploaded file is empty", FIELD)
    return ReceivedFile(
        filename=filename, declared_type=declared_type, size_bytes=size, sha256=digest.hexdigest()
    )
