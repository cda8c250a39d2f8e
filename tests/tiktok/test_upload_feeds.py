"""Chunks streamed from a re-openable source (storage's `open_read(start, stop)`): each chunk
read as it is sent, pieces cut across chunk boundaries, a retried chunk read afresh from its
own range, and a source of the wrong length refused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import RunningSandbox, SandboxFactory, VideoFiles
from tests.tiktok.test_client_upload import (
    Recorder,
    assert_published,
    init_upload,
    small_chunk_sandbox,
    small_plan,
)
from tikpost.tiktok import plan_chunks, upload_chunks

PIECE = 100_003  # never a divisor of a chunk, so pieces straddle every chunk boundary


def ranged(
    path: Path, opened: list[tuple[int, int]], extra: bytes = b""
) -> Callable[[int, int], AsyncIterator[bytes]]:
    """`open(start, stop)` over the file, noting each range opened; `extra` bytes at its end."""

    def open_range(start: int, stop: int) -> AsyncIterator[bytes]:
        opened.append((start, stop))

        async def read() -> AsyncIterator[bytes]:
            with path.open("rb") as handle:
                handle.seek(start)
                remaining = stop - start
                while remaining and (block := handle.read(min(remaining, PIECE))):
                    remaining -= len(block)
                    yield block
            if extra:
                yield extra

        return read()

    return open_range


async def test_a_ranged_source_survives_blips_and_lost_answers(
    sandbox_factory: SandboxFactory, big_video: Path
) -> None:
    size = big_video.stat().st_size
    plan = small_plan(size)
    assert plan.total_chunk_count >= 3
    recorder = Recorder()
    recorder.fail_before_sending = {1}  # the first try of chunk 1 never leaves
    recorder.lose_answer_to = {2}  # its retry lands unseen; the third try meets 416
    opened: list[tuple[int, int]] = []
    with small_chunk_sandbox(sandbox_factory) as sandbox:
        creator = sandbox.create_creator("streamer")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        async with httpx.AsyncClient(transport=recorder) as http:
            await upload_chunks(
                init.upload_url, plan, ranged(big_video, opened), http=http, retry_backoff=0
            )
        await assert_published(sandbox, creator, big_video)
    first, last = plan.chunk_range(1)
    # The whole file once; chunk 1 afresh for each retry; the rest from where chunk 2 starts.
    assert opened == [(0, size), (first, last + 1), (first, last + 1), (last + 1, size)]
    ranges = [put[0] for put in recorder.puts]
    expected = [f"bytes {a}-{b}/{size}" for a, b in plan.ranges()]
    assert ranges == [expected[0], *[expected[1]] * 3, *expected[2:]]
    assert [put[1] for put in recorder.puts][4:] == [b - a + 1 for a, b in plan.ranges()[2:]]


@pytest.mark.parametrize("wrong", ["longer", "shorter"])
async def test_a_ranged_source_of_the_wrong_length_is_refused(
    sandbox: RunningSandbox, videos: VideoFiles, wrong: str
) -> None:
    creator = sandbox.create_creator(f"liar_{wrong}")
    size = videos.good.stat().st_size
    opened: list[tuple[int, int]] = []
    if wrong == "longer":
        plan, source = plan_chunks(size), ranged(videos.good, opened, extra=b"x")
    else:
        plan, source = plan_chunks(size + 1), ranged(videos.good, opened)
    init = await init_upload(sandbox, creator["access_token"], plan)
    assert init.upload_url
    with pytest.raises(ValueError, match="byte source"):
        await upload_chunks(init.upload_url, plan, source)
