"""The upload URL: sequential chunk PUTs with TikTok's Content-Range rules, streamed to disk."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from starlette.responses import Response

from tikpost.sandbox import processing
from tikpost.sandbox.guard import inject_fault, state_of
from tikpost.sandbox.state import SandboxState, Upload

router = APIRouter()

CONTENT_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
# ASCII digits, at most 18 (a 4 GB video needs 10): anything else is a malformed header (400),
# never an int() that refuses thousands of digits.
RANGE = re.compile(r"bytes ([0-9]{1,18})-([0-9]{1,18})/([0-9]{1,18})")
LENGTH = re.compile(r"[0-9]{1,18}")
UPLOAD_PATH = "/upload/video/"


def _plain(status: int, message: str, upload: Upload | None = None) -> Response:
    headers = {}
    if upload is not None and upload.received_bytes:
        headers["Content-Range"] = f"bytes 0-{upload.received_bytes - 1}/{upload.video_size}"
    return Response(message, status_code=status, media_type="text/plain", headers=headers)


async def _drain(request: Request) -> None:
    """Read and drop the body so the client sees our answer rather than a reset connection."""
    async for _ in request.stream():
        pass


async def _arriving(request: Request, idle_sec: float) -> AsyncIterator[bytes]:
    """The body's blocks; TimeoutError when none comes for `idle_sec`."""
    blocks = request.stream().__aiter__()
    while True:
        try:
            async with asyncio.timeout(idle_sec):
                block = await anext(blocks)
        except StopAsyncIteration:
            return
        yield block


@router.put(UPLOAD_PATH, name="upload_video")
async def upload_video(request: Request) -> Response:
    state = state_of(request)
    upload = state.uploads.get(request.query_params.get("upload_id", ""))
    if upload is None or upload.upload_token != request.query_params.get("upload_token"):
        await _drain(request)
        return _plain(404, "No upload task for this URL.")
    post = state.posts[upload.publish_id]
    async with upload.lock:
        # Shown to operators, so a test can act while a chunk is on its way in.
        post.receiving_chunk = True
        try:
            return await _accept_chunk(request, state, upload)
        finally:
            post.receiving_chunk = False


async def _accept_chunk(request: Request, state: SandboxState, upload: Upload) -> Response:
    failed_status = await inject_fault(state, "upload")
    problem = _check_headers(request, state, upload) or (
        (failed_status, "Injected fault.") if failed_status else None
    )
    if problem is not None:
        await _drain(request)
        return _plain(problem[0], problem[1], upload)
    first = upload.received_bytes
    declared = int(request.headers["content-length"])
    received = 0
    with upload.path.open("r+b") as handle:
        handle.seek(first)
        try:
            async for block in _arriving(request, state.config.upload_idle_timeout_sec):
                received += len(block)
                if received <= declared:
                    handle.write(block)
        except TimeoutError:
            handle.truncate(first)
            return _plain(408, "The chunk stopped arriving.", upload)
        if received != declared:
            handle.truncate(first)
            return _plain(400, "Content-Length does not match the body.", upload)
    # Hash only once the chunk is known good, so a rejected chunk leaves no trace.
    with upload.path.open("rb") as handle:
        handle.seek(first)
        remaining = declared
        while remaining and (block := handle.read(min(remaining, 1024 * 1024))):
            upload.digest.update(block)
            remaining -= len(block)
    upload.received_bytes += declared
    post = state.posts[upload.publish_id]
    post.uploaded_bytes = upload.received_bytes
    post.updated_at = state.clock.now()
    if upload.received_bytes < upload.video_size:
        return _plain(206, "", upload)
    upload.complete = True
    processing.start_video_processing(state, post, upload.path)
    return _plain(201, "", upload)


def _check_headers(request: Request, state: SandboxState, upload: Upload) -> tuple[int, str] | None:
    """TikTok's answers: 403 expired URL, 400 malformed headers, 416 range out of step."""
    if state.clock.now() >= upload.expires_at:
        return 403, "The upload URL has expired."
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        return 400, "Content-Type must be video/mp4, video/quicktime or video/webm."
    match = RANGE.fullmatch(request.headers.get("content-range", "").strip())
    length = request.headers.get("content-length", "")
    if match is None or not LENGTH.fullmatch(length):
        return 400, "Content-Range and Content-Length are required."
    first, last, total = (int(group) for group in match.groups())
    if total != upload.video_size or last < first or int(length) != last - first + 1:
        return 400, "Content-Range does not agree with Content-Length or the declared video_size."
    if upload.complete or first != upload.received_bytes:
        return 416, "Content-Range does not match the upload's progress."
    index = first // upload.chunk_size if upload.chunk_size else 0
    index = min(index, upload.total_chunk_count - 1)
    if last - first + 1 != upload.expected_chunk_length(index):
        return 416, "The chunk's size does not match the declared chunk_size."
    return None
