"""Chunked FILE_UPLOAD through upload_chunks: order, memory, resume, and every PUT failure."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import RunningSandbox, SandboxFactory, VideoFiles
from tests.tiktok.conftest import SMALL_CHUNK_RULES, file_pieces, posting_client, wait_for_status
from tikpost.tiktok import ChunkPlan, InitResult, PostInfo, errors, plan_chunks, upload_chunks

PRIVATE = PostInfo(privacy_level="SELF_ONLY")
PIECE = 4096


def small_plan(size: int) -> ChunkPlan:
    """A plan under the test sandbox's small chunk rules, so a few MB make several chunks."""
    return plan_chunks(size, 1_000_000, **SMALL_CHUNK_RULES)


@contextmanager
def small_chunk_sandbox(sandbox_factory: SandboxFactory) -> Iterator[RunningSandbox]:
    with sandbox_factory(chunk_rules=SMALL_CHUNK_RULES) as sandbox:
        yield sandbox


class Recorder(httpx.AsyncBaseTransport):
    """A real HTTP transport that notes each PUT, and can lose the answer to chosen ones."""

    def __init__(self, consumed: list[int] | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.puts: list[tuple[str, int, int]] = []  # (content-range, body length, bytes read)
        self.consumed = consumed if consumed is not None else [0]
        self.lose_answer_to: set[int] = set()
        self.fail_before_sending: set[int] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            number = len(self.puts)
            body = await request.aread()  # the uploader streams each chunk
            self.puts.append((request.headers["content-range"], len(body), self.consumed[0]))
            assert request.headers["content-length"] == str(len(body))
            if number in self.fail_before_sending:
                raise httpx.ConnectError("injected before sending", request=request)
            response = await self.inner.handle_async_request(request)
            if number in self.lose_answer_to:
                await response.aread()
                raise httpx.ReadError("injected: answer lost", request=request)
            return response
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def counted_pieces(path: Path, consumed: list[int]) -> AsyncIterator[bytes]:
    """Tiny pieces, counting how far the uploader has read ahead."""
    async for piece in file_pieces(path, PIECE):
        consumed[0] += len(piece)
        yield piece


async def init_upload(sandbox: RunningSandbox, token: str, plan: ChunkPlan) -> InitResult:
    async with posting_client(sandbox, token) as client:
        return await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=plan)


async def assert_published(sandbox: RunningSandbox, creator: dict[str, str], path: Path) -> None:
    async with posting_client(sandbox, creator["access_token"]) as client:
        [post] = sandbox.posts(creator["open_id"])
        status = await wait_for_status(client, post["publish_id"])
    assert status.status == "PUBLISH_COMPLETE", status
    assert status.uploaded_bytes == path.stat().st_size
    [post] = sandbox.posts(creator["open_id"])
    assert post["media"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


async def test_multi_chunk_upload_holds_one_chunk_at_a_time(
    sandbox_factory: SandboxFactory, big_video: Path
) -> None:
    size = big_video.stat().st_size
    plan = small_plan(size)
    assert plan.total_chunk_count >= 3
    consumed = [0]
    recorder = Recorder(consumed)
    progress: list[int] = []

    async def report(done: int) -> None:
        progress.append(done)

    with small_chunk_sandbox(sandbox_factory) as sandbox:
        creator = sandbox.create_creator("chunky")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        async with httpx.AsyncClient(transport=recorder) as http:
            await upload_chunks(
                init.upload_url,
                plan,
                counted_pieces(big_video, consumed),
                http=http,
                on_progress=report,
            )
        await assert_published(sandbox, creator, big_video)

    ranges = plan.ranges()
    assert [put[0] for put in recorder.puts] == [f"bytes {a}-{b}/{size}" for a, b in ranges]
    lengths = [put[1] for put in recorder.puts]
    assert lengths[:-1] == [plan.chunk_size] * (plan.total_chunk_count - 1)
    assert lengths[-1] == plan.final_chunk_size
    assert max(lengths[:-1]) == plan.chunk_size
    for (_, last), (_, _, read_when_sent) in zip(ranges, recorder.puts, strict=True):
        # The source was read at most one small piece past the chunk being sent: nothing more
        # of the file was buffered.
        assert last + 1 <= read_when_sent < last + 1 + PIECE
    assert progress == [last + 1 for _, last in ranges]


async def test_resume_after_a_crash_from_the_status_offset(
    sandbox_factory: SandboxFactory, big_video: Path
) -> None:
    size = big_video.stat().st_size
    plan = small_plan(size)
    opened: list[tuple[int, int]] = []

    def open_range(start: int, stop: int) -> AsyncIterator[bytes]:
        opened.append((start, stop))

        async def read() -> AsyncIterator[bytes]:
            with big_video.open("rb") as handle:
                handle.seek(start)
                remaining = stop - start
                while remaining and (block := handle.read(min(remaining, 100_000))):
                    remaining -= len(block)
                    yield block

        return read()

    class CrashError(Exception):
        pass

    def crash_after_two(done: int) -> None:
        if done >= 2 * plan.chunk_size:
            raise CrashError

    with small_chunk_sandbox(sandbox_factory) as sandbox:
        creator = sandbox.create_creator("resumer")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        with pytest.raises(CrashError):
            await upload_chunks(init.upload_url, plan, open_range, on_progress=crash_after_two)
        async with posting_client(sandbox, creator["access_token"]) as client:
            status = await client.fetch_status(init.publish_id)
        assert status.status == "PROCESSING_UPLOAD"
        assert status.uploaded_bytes == 2 * plan.chunk_size
        offset = plan.resume_offset(status.uploaded_bytes)
        with pytest.raises(ValueError, match="boundary"):
            await upload_chunks(init.upload_url, plan, open_range, start_offset=offset + 1)
        await upload_chunks(init.upload_url, plan, open_range, start_offset=offset)
        await assert_published(sandbox, creator, big_video)
    assert opened == [(0, size), (offset, size)]


async def test_retries_a_chunk_after_a_server_error(
    sandbox_factory: SandboxFactory, big_video: Path
) -> None:
    plan = small_plan(big_video.stat().st_size)
    with small_chunk_sandbox(sandbox_factory) as sandbox:
        creator = sandbox.create_creator("retrier")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        statuses: list[int] = []

        async def heal_after_first_failure(response: httpx.Response) -> None:
            statuses.append(response.status_code)
            if response.status_code >= 500:
                sandbox.operator.delete("/_sandbox/faults").raise_for_status()

        async def break_after_first_chunk(done: int) -> None:
            if done == plan.chunk_size:
                fault = {"endpoint": "upload", "error_rate": 1.0, "status": 503}
                sandbox.operator.post("/_sandbox/faults", json=fault).raise_for_status()

        hooks = {"response": [heal_after_first_failure]}
        async with httpx.AsyncClient(event_hooks=hooks) as http:
            await upload_chunks(
                init.upload_url,
                plan,
                file_pieces(big_video),
                http=http,
                on_progress=break_after_first_chunk,
                retry_backoff=0.01,
            )
        assert statuses[:3] == [206, 503, 206]
        await assert_published(sandbox, creator, big_video)


async def test_persistent_server_error_surfaces_as_retryable(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    plan = plan_chunks(videos.good.stat().st_size)
    with sandbox_factory() as sandbox:
        creator = sandbox.create_creator("doomed")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        fault = {"endpoint": "upload", "error_rate": 1.0}
        sandbox.operator.post("/_sandbox/faults", json=fault).raise_for_status()
        with pytest.raises(errors.UploadServerError) as caught:
            await upload_chunks(
                init.upload_url, plan, file_pieces(videos.good), retries=2, retry_backoff=0
            )
    assert caught.value.http_status == 500
    assert caught.value.retryable


async def test_transport_blips_and_lost_answers_are_survived(
    sandbox_factory: SandboxFactory, big_video: Path
) -> None:
    plan = small_plan(big_video.stat().st_size)
    last = plan.total_chunk_count - 1
    recorder = Recorder()
    recorder.fail_before_sending = {1}  # first try of chunk 1 never leaves
    recorder.lose_answer_to = {2, last + 2}  # chunk 1's retry, and the final chunk, land unseen
    with small_chunk_sandbox(sandbox_factory) as sandbox:
        creator = sandbox.create_creator("blippy")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        async with httpx.AsyncClient(transport=recorder) as http:
            await upload_chunks(
                init.upload_url, plan, file_pieces(big_video), http=http, retry_backoff=0
            )
        await assert_published(sandbox, creator, big_video)
    # chunk0, chunk1 x3 (blip, lost answer, 416 that proves it landed), ..., final x2.
    assert len(recorder.puts) == plan.total_chunk_count + 3


async def test_expired_upload_url_is_403(sandbox: RunningSandbox, videos: VideoFiles) -> None:
    plan = plan_chunks(videos.good.stat().st_size)
    creator = sandbox.create_creator("slowpoke")
    init = await init_upload(sandbox, creator["access_token"], plan)
    assert init.upload_url
    expire = {"publish_id": init.publish_id}
    sandbox.operator.post("/_sandbox/uploads/expire", json=expire).raise_for_status()
    with pytest.raises(errors.UploadUrlExpired) as caught:
        await upload_chunks(init.upload_url, plan, file_pieces(videos.good))
    assert caught.value.http_status == 403
    assert not caught.value.retryable


async def test_unknown_upload_url_is_404(sandbox: RunningSandbox, videos: VideoFiles) -> None:
    plan = plan_chunks(videos.good.stat().st_size)
    creator = sandbox.create_creator("lost")
    init = await init_upload(sandbox, creator["access_token"], plan)
    assert init.upload_url
    forged = init.upload_url.replace("upload_token=", "upload_token=x")
    with pytest.raises(errors.UploadNotFound):
        await upload_chunks(forged, plan, file_pieces(videos.good))


async def test_out_of_step_range_is_416(sandbox_factory: SandboxFactory, big_video: Path) -> None:
    plan = small_plan(big_video.stat().st_size)
    with small_chunk_sandbox(sandbox_factory) as sandbox:
        creator = sandbox.create_creator("skipper")
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url

        async def from_second_chunk() -> AsyncIterator[bytes]:
            data = big_video.read_bytes()
            yield data[plan.chunk_size :]

        with pytest.raises(errors.UploadRangeMismatch) as caught:
            await upload_chunks(
                init.upload_url, plan, from_second_chunk(), start_offset=plan.chunk_size
            )
    assert caught.value.http_status == 416


async def test_bad_content_type_is_400(sandbox: RunningSandbox, videos: VideoFiles) -> None:
    plan = plan_chunks(videos.good.stat().st_size)
    creator = sandbox.create_creator("png_guy")
    init = await init_upload(sandbox, creator["access_token"], plan)
    assert init.upload_url
    with pytest.raises(errors.UploadRejected) as caught:
        await upload_chunks(
            init.upload_url, plan, file_pieces(videos.good), content_type="image/png"
        )
    assert caught.value.http_status == 400


async def test_source_length_must_match_the_plan(
    sandbox: RunningSandbox, videos: VideoFiles
) -> None:
    creator = sandbox.create_creator("liar")
    size = videos.good.stat().st_size
    for declared in (size + 1, size - 1):
        plan = plan_chunks(declared)
        init = await init_upload(sandbox, creator["access_token"], plan)
        assert init.upload_url
        with pytest.raises(ValueError, match="byte source"):
            await upload_chunks(init.upload_url, plan, file_pieces(videos.good))
