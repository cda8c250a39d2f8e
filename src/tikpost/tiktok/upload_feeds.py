"""Where each chunk's bytes come from, for `upload_chunks`: streamed from a re-openable
source, or held from a plain iterator.

A profile of a 1 GB upload put the uploader's CPU in copying: chunks joined into one 10 MB
`bytes` (twice per byte), then asyncio's socket transport copying the unsent rest of that write
twice more; and each chunk was read whole before its PUT began, leaving the socket idle
meanwhile. From a source that can open any range (storage), a chunk now streams as it is read,
its pieces passed on as they came; only a plain iterator, which cannot be read again for a
retry, has each chunk held as the list of its pieces.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Protocol

Body = Callable[[int], AsyncIterator[bytes]]
"""A chunk's bytes afresh for each attempt (the argument): 0 for the first try."""


class Feed(Protocol):
    async def chunk(self, first: int, last: int) -> Body:
        """The next chunk, bytes `first`..`last` inclusive; chunks are asked for in order."""
        ...

    async def end(self) -> None:
        """After the last chunk: the source must hold nothing more."""
        ...

    async def close(self) -> None: ...


async def rechunk(
    source: AsyncIterator[bytes], lengths: list[int]
) -> AsyncGenerator[list[bytes], None]:
    """Cut an arbitrary byte stream into exactly `lengths`, each chunk the list of its pieces.

    Nothing is joined: the source's pieces are passed on as they came, and only a piece that
    straddles two chunks is cut (copying that piece, once). Joining each chunk into one bytes
    object copied every byte twice, and the event loop's socket transport then copied the
    unsent rest of a 10 MB write twice more: the uploader's largest CPU cost in a profile.
    Memory stays at one chunk plus one source piece.
    """
    lengths_iter = iter(lengths)
    want = next(lengths_iter, None)
    pieces: list[bytes] = []
    have = 0
    async for piece in source:
        while piece:
            if want is None:
                raise ValueError("byte source yielded more bytes than the plan declares")
            take = want - have
            if len(piece) > take:
                pieces.append(piece[:take])
                piece = piece[take:]
            else:
                pieces.append(piece)
                take, piece = len(piece), b""
            have += take
            if have == want:
                yield pieces
                pieces, have = [], 0
                want = next(lengths_iter, None)
    if want is not None:
        raise ValueError("byte source ended before the plan's video_size")


async def _stream(pieces: list[bytes]) -> AsyncIterator[bytes]:
    """The chunk as a one-shot stream of its pieces. Given `bytes`, httpx keeps them on the
    request, which a reference cycle with the response keeps alive until the garbage collector
    runs: the uploader then held dozens of 10 MB chunks at once (bench/upload.py measured
    341 MB for a 1 GB file). A generator lets each chunk go as soon as it is sent; a retry
    makes a new one over the same pieces."""
    for piece in pieces:
        yield piece


class Held:
    """Chunks of a plain iterator, each held as the list of its pieces for any retry."""

    def __init__(self, source: AsyncIterator[bytes], lengths: list[int]) -> None:
        self._chunks = rechunk(source, lengths)

    async def chunk(self, first: int, last: int) -> Body:
        pieces = await anext(self._chunks)  # rechunk raises if the source ends early
        return lambda _attempt: _stream(pieces)

    async def end(self) -> None:
        async for _ in self._chunks:  # rechunk checks that nothing is left over
            pass

    async def close(self) -> None:
        await self._chunks.aclose()


class Ranged:
    """Chunks streamed straight from `open(start, stop)`, never held: a piece that straddles
    two chunks is split and its rest kept for the next. A retried chunk is read afresh from
    its own range, and the chunks after it from a stream re-opened where they start."""

    def __init__(
        self, open_range: Callable[[int, int], AsyncIterator[bytes]], start: int, size: int
    ) -> None:
        self._open = open_range
        self._size = size
        self._stream = open_range(start, size)
        self._rest = b""
        self._whole = True  # the shared stream stands exactly at the next chunk's first byte

    async def chunk(self, first: int, last: int) -> Body:
        if not self._whole:
            await _close(self._stream)
            self._stream, self._rest = self._open(first, self._size), b""
            self._whole = True

        def body(attempt: int) -> AsyncIterator[bytes]:
            if attempt == 0:
                return self._take(last - first + 1)
            self._whole = False  # the first try stopped somewhere inside the chunk
            return _exactly(self._open(first, last + 1), last - first + 1)

        return body

    async def _take(self, length: int) -> AsyncGenerator[bytes, None]:
        self._whole = False
        left = length
        while left:
            if self._rest:
                piece, self._rest = self._rest, b""
            else:
                got = await anext(self._stream, None)
                if got is None:
                    raise ValueError("byte source ended before the plan's video_size")
                piece = got
            if len(piece) > left:
                piece, self._rest = piece[:left], piece[left:]
            left -= len(piece)
            if piece:
                yield piece
        self._whole = True

    async def end(self) -> None:
        if not self._whole:
            return  # the last chunk was re-read from its own range, which checked its length
        if self._rest:
            raise ValueError("byte source yielded more bytes than the plan declares")
        async for piece in self._stream:
            if piece:
                raise ValueError("byte source yielded more bytes than the plan declares")

    async def close(self) -> None:
        # We opened these streams, so we close them (files, storage responses) even on failure.
        await _close(self._stream)


async def _exactly(stream: AsyncIterator[bytes], length: int) -> AsyncGenerator[bytes, None]:
    """A re-opened range, checked to hold the chunk's bytes exactly, and closed after."""
    sent = 0
    try:
        async for piece in stream:
            sent += len(piece)
            if sent > length:
                raise ValueError("byte source yielded more bytes than the plan declares")
            yield piece
        if sent < length:
            raise ValueError("byte source ended before the plan's video_size")
    finally:
        await _close(stream)


async def _close(stream: AsyncIterator[bytes]) -> None:
    closer = getattr(stream, "aclose", None)
    if closer is not None:
        await closer()
