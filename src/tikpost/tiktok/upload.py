"""FILE_UPLOAD media transfer: planning chunks TikTok accepts, and PUTting them one at a time.

TikTok's chunk rules are easy to get subtly wrong (count is floor(size / chunk_size), the final
chunk absorbs the remainder, small files must declare chunk_size == video_size, big files must be
split). Open-source clients have shipped plans TikTok rejects, so the planner searches the whole
space of legal plans instead of trusting a formula, and tests check every size up to 4 GiB.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

from tikpost.tiktok.base import EventHooks, new_client
from tikpost.tiktok.errors import TikTokError, UnexpectedUploadStatus, upload_error
from tikpost.tiktok.responses import transport_errors
from tikpost.tiktok.upload_feeds import Feed, Held, Ranged

__all__ = [
    "MAX_VIDEO_SIZE",
    "ByteSource",
    "ChunkPlan",
    "plan_chunks",
    "upload_chunks",
]

MAX_VIDEO_SIZE = 4 * 1024**3
"""TikTok's documented 4 GB ceiling, read as binary so no file TikTok might accept is refused."""

ByteSource = AsyncIterator[bytes] | Callable[[int, int], AsyncIterator[bytes]]
"""Either a stream positioned at `start_offset`, or `open(start, stop)` for bytes [start, stop)."""

ProgressCallback = Callable[[int], Awaitable[None] | None]

# Per request, so a shared client's API-call timeout never cuts a chunk of up to 128 MB short.
CHUNK_TIMEOUT = httpx.Timeout(connect=30.0, read=300.0, write=300.0, pool=30.0)

_CONTENT_RANGE = re.compile(r"bytes\s+[0-9]{1,18}-([0-9]{1,18})/[0-9]{1,18}")


@dataclass(frozen=True)
class ChunkPlan:
    """The three numbers an init declares; `ranges()` derives what each PUT must carry.

    Construction only checks TikTok's count formula, not its size limits, so a caller can still
    describe (and send) a plan TikTok will refuse; `plan_chunks` is what guarantees legality.
    """

    video_size: int
    chunk_size: int
    total_chunk_count: int

    def __post_init__(self) -> None:
        if self.video_size <= 0 or self.chunk_size <= 0 or self.total_chunk_count <= 0:
            raise ValueError("video_size, chunk_size and total_chunk_count must be positive")
        if self.video_size // self.chunk_size != self.total_chunk_count:
            raise ValueError("total_chunk_count must equal floor(video_size / chunk_size)")

    def chunk_range(self, index: int) -> tuple[int, int]:
        """Inclusive (first, last) byte of chunk `index`; the last chunk runs to the end."""
        if not 0 <= index < self.total_chunk_count:
            raise IndexError(f"chunk index {index} outside 0..{self.total_chunk_count - 1}")
        first = index * self.chunk_size
        if index == self.total_chunk_count - 1:
            return first, self.video_size - 1
        return first, first + self.chunk_size - 1

    def ranges(self) -> list[tuple[int, int]]:
        """Every chunk's inclusive byte range, in upload order."""
        return [self.chunk_range(i) for i in range(self.total_chunk_count)]

    def chunk_index_at(self, offset: int) -> int:
        """Which chunk holds byte `offset` (the final chunk holds the remainder too)."""
        if not 0 <= offset < self.video_size:
            raise ValueError(f"offset {offset} outside 0..{self.video_size - 1}")
        return min(offset // self.chunk_size, self.total_chunk_count - 1)

    def resume_offset(self, uploaded_bytes: int) -> int:
        """Where to restart after TikTok says it holds `uploaded_bytes`: the last whole chunk."""
        if uploaded_bytes >= self.video_size:
            return self.video_size
        if uploaded_bytes <= 0:
            return 0
        return self.chunk_range(self.chunk_index_at(uploaded_bytes))[0]

    @property
    def final_chunk_size(self) -> int:
        return self.video_size - self.chunk_size * (self.total_chunk_count - 1)


def plan_chunks(
    video_size: int,
    preferred_chunk_size: int = 10_000_000,
    *,
    min_chunk_size: int = 5 * 1024 * 1024,
    max_chunk_size: int = 64_000_000,
    max_final_chunk_size: int = 128_000_000,
    max_chunk_count: int = 1000,
) -> ChunkPlan:
    """The legal plan whose chunk size is closest to `preferred_chunk_size`.

    The defaults take TikTok's strictest reading of its ambiguous "MB" (5 MiB minimum, 64,000,000
    maximum, 128,000,000 final). For each possible chunk count the legal chunk sizes form an
    interval, so trying every count (at most 1000) finds the best plan exactly and cheaply.
    """
    if not 0 < video_size <= MAX_VIDEO_SIZE:
        raise ValueError(f"video_size must be 1..{MAX_VIDEO_SIZE} bytes, got {video_size}")
    if min(min_chunk_size, max_chunk_size, max_final_chunk_size, max_chunk_count) <= 0:
        raise ValueError("chunk limits must be positive")
    if video_size < min_chunk_size:
        return ChunkPlan(video_size, video_size, 1)

    preferred = max(min_chunk_size, min(preferred_chunk_size, max_chunk_size))
    best: tuple[int, int] | None = None  # (chunk_size, count)
    best_distance = -1
    if video_size <= max_chunk_size:
        # One chunk must declare chunk_size == video_size (anything else floors to 1 but lies).
        best, best_distance = (video_size, 1), abs(video_size - preferred)
    for count in range(2, max_chunk_count + 1):
        hi = min(max_chunk_size, video_size // count)
        # floor(size / c) == count needs c > size / (count + 1); the final chunk caps c from below.
        lo = max(min_chunk_size, video_size // (count + 1) + 1)
        lo = max(lo, -(-(video_size - max_final_chunk_size) // (count - 1)))
        if hi < min_chunk_size:
            break  # larger counts only shrink the chunk further
        if lo > hi:
            continue
        chunk = max(lo, min(preferred, hi))
        distance = abs(chunk - preferred)
        if best is None or distance < best_distance:
            best, best_distance = (chunk, count), distance
    if best is None:
        raise ValueError(
            f"no chunk plan for {video_size} bytes within chunk {min_chunk_size}..{max_chunk_size}"
            f", final <= {max_final_chunk_size}, count <= {max_chunk_count}"
        )
    return ChunkPlan(video_size, best[0], best[1])


def _accepted_through(response: httpx.Response) -> int | None:
    """Last byte TikTok holds, from its `Content-Range: bytes 0-N/TOTAL` response header."""
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    return int(match.group(1)) if match else None


async def _put_chunk(
    http: httpx.AsyncClient,
    upload_url: str,
    plan: ChunkPlan,
    index: int,
    body: Callable[[int], AsyncIterator[bytes]],
    content_type: str,
    retries: int,
    retry_backoff: float,
) -> None:
    """PUT one chunk, retrying outages; a retry that meets 416 checks whether the first landed.

    `body(attempt)` gives the chunk's bytes afresh for each attempt."""
    first, last = plan.chunk_range(index)
    is_last = index == plan.total_chunk_count - 1
    headers = {
        "Content-Type": content_type,
        "Content-Length": str(last - first + 1),
        "Content-Range": f"bytes {first}-{last}/{plan.video_size}",
    }
    # The path only: a real upload URL carries its token in the query.
    endpoint = httpx.URL(upload_url).path
    attempt = 0
    while True:
        content = body(attempt)
        try:
            with transport_errors(endpoint):
                response = await http.put(
                    upload_url, content=content, headers=headers, timeout=CHUNK_TIMEOUT
                )
        except TikTokError:
            if attempt >= retries:
                raise
        else:
            status = response.status_code
            if status == (201 if is_last else 206):
                return
            if status in (201, 206):
                raise UnexpectedUploadStatus(
                    "unexpected_upload_status",
                    f"chunk {index + 1}/{plan.total_chunk_count} answered {status}",
                    http_status=status,
                )
            if status == 416 and attempt > 0 and (_accepted_through(response) or -1) >= last:
                return  # the earlier attempt landed; only its answer was lost
            error = upload_error(
                status,
                f"chunk {index + 1}/{plan.total_chunk_count}: {response.text[:200]}",
                endpoint=endpoint,
            )
            if not error.retryable or attempt >= retries:
                raise error
        finally:
            closer = getattr(content, "aclose", None)
            if closer is not None:
                await closer()
        attempt += 1
        await asyncio.sleep(retry_backoff * 2 ** (attempt - 1))


async def upload_chunks(
    upload_url: str,
    plan: ChunkPlan,
    source: ByteSource,
    *,
    content_type: str = "video/mp4",
    http: httpx.AsyncClient | None = None,
    event_hooks: EventHooks | None = None,
    start_offset: int = 0,
    on_progress: ProgressCallback | None = None,
    retries: int = 3,
    retry_backoff: float = 0.5,
) -> None:
    """Send the file's chunks to `upload_url` in order, resuming at `start_offset`.

    A callable source is opened once, at `start_offset`, so storage can seek, and each chunk
    streams from it as it is read: memory stays at one source piece, and reading overlaps
    sending (a chunk read whole before its PUT left the socket idle meanwhile); a retry
    re-opens that chunk's range, and the rest of the file after it. A plain iterator must
    already be positioned at `start_offset`; it cannot be re-read, so each chunk is held (one
    chunk, at most 128 MB) until it is sent. `on_progress` receives the total bytes
    TikTok holds after each chunk, which is what a resumable caller records.
    """
    if start_offset == plan.video_size:
        return
    if not 0 <= start_offset < plan.video_size or (
        plan.chunk_range(plan.chunk_index_at(start_offset))[0] != start_offset
    ):
        raise ValueError(f"start_offset {start_offset} is not a chunk boundary of {plan}")
    first_index = plan.chunk_index_at(start_offset)
    owned = http is None
    client = http or new_client(CHUNK_TIMEOUT, event_hooks)
    ranges = plan.ranges()[first_index:]
    feed: Feed = (
        Ranged(source, start_offset, plan.video_size)
        if callable(source)
        else Held(source, [last - first + 1 for first, last in ranges])
    )
    try:
        for index, (first, last) in enumerate(ranges, first_index):
            body = await feed.chunk(first, last)
            await _put_chunk(
                client, upload_url, plan, index, body, content_type, retries, retry_backoff
            )
            if on_progress is not None:
                result = on_progress(plan.chunk_range(index)[1] + 1)
                if inspect.isawaitable(result):
                    await result
        await feed.end()
    finally:
        await feed.close()
        if owned:
            await client.aclose()
