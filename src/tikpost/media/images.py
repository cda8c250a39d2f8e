"""Making photos acceptable to TikTok: JPEG or WebP, at most 1080 px on the shorter side.

TikTok takes no PNG, and fails a whole carousel (`picture_size_check_failed`, without saying
which image) when one photo's shorter side exceeds 1080 px. Such images are re-encoded here into
new stored media (the original stays as uploaded), so the carousel TikTok pulls always passes.

Decoding runs in a child process with resource limits, like probing: an upload is hostile
input and FFmpeg parses it in C, so a crafted image must never take the server down with it.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.errors import ApiError
from tikpost.kit.ids import new_id
from tikpost.media import repository
from tikpost.media.checks import IMAGE_FORMATS, MAX_IMAGE_SHORT_SIDE
from tikpost.media.child import child_process
from tikpost.media.faults import FULL_ERRNOS, StorageFullError
from tikpost.media.ingest import ReceivedFile
from tikpost.media.probe import ProbeFailedError, probe_file
from tikpost.media.schemas import ImageProbe, MediaRead
from tikpost.media.service import build_media, to_read
from tikpost.media.storage import FileChanges, store_local_file

CONVERT_TIMEOUT_SEC = 120.0
MAX_ADDRESS_SPACE = 4 * 1024**3
# FFmpeg's JPEG quantiser range: 2 is near-lossless; 3 keeps a 1080 px photo well under 20 MB.
JPEG_QMIN, JPEG_QMAX = 2, 3
ALLOWED_FORMATS = "jpeg_pipe,png_pipe,webp_pipe"
# The child's exit status when the disk it writes to is full: a 507, not a bad image.
NO_SPACE_EXIT = 28


def needs_conversion(probe: ImageProbe) -> bool:
    """PNG (TikTok takes none) or a shorter side past 1080 px."""
    return (
        probe.format not in IMAGE_FORMATS or min(probe.width, probe.height) > MAX_IMAGE_SHORT_SIDE
    )


def target_size(width: int, height: int) -> tuple[int, int]:
    """Shorter side at most 1080 px, aspect kept, both sides even (JPEG's 4:2:0 chroma)."""
    scale = min(1.0, MAX_IMAGE_SHORT_SIDE / min(width, height))
    new_w, new_h = max(2, round(width * scale)), max(2, round(height * scale))
    return new_w - new_w % 2, new_h - new_h % 2


async def convert_to_jpeg(source: Path, image_format: str, target: Path) -> None:
    """Re-encode `source` (of the probed `image_format`) as a JPEG within TikTok's limits, in a
    child process with a deadline; the format is named so FFmpeg never guesses from a name."""
    command = [sys.executable, "-m", "tikpost.media.images", str(source), image_format, str(target)]
    async with child_process(command) as process:
        try:
            async with asyncio.timeout(CONVERT_TIMEOUT_SEC):
                await process.wait()
        except TimeoutError:
            raise ProbeFailedError("the image could not be converted in time") from None
    if process.returncode == NO_SPACE_EXIT:
        raise StorageFullError("converting an image: no space left for the JPEG")
    if process.returncode != 0 or not await asyncio.to_thread(target.exists):
        raise ProbeFailedError("the image could not be converted to JPEG")


async def store_image(
    session: AsyncSession, files: FileChanges, team_id: str, path: Path, filename: str | None
) -> MediaRead:
    """Probe a local image file and keep it as new media of the team (the file is copied)."""
    try:
        found = await probe_file(path)
    except ProbeFailedError as failure:
        raise ApiError(422, "unsupported_image", f"{filename}: {failure}", filename) from None
    if found.get("kind") != "image":
        raise ApiError(422, "not_an_image", f"{filename} is not a JPEG, PNG or WebP", filename)
    media_id = new_id("med")
    key = f"{team_id}/{media_id}"
    files.created(key)
    size, sha256 = await store_local_file(files.storage, path, key)
    received = ReceivedFile(filename, None, size, sha256)
    media = await repository.add_media(
        session, build_media(team_id, media_id, key, found, received)
    )
    return to_read(media)


def _convert(source: Path, image_format: str, target: Path) -> None:
    """Run in the child: decode the first frame, scale, encode one baseline JPEG."""
    import av

    av.logging.set_level(None)
    demuxer = f"{image_format}_pipe"
    if demuxer not in ALLOWED_FORMATS.split(","):
        raise ValueError(image_format)
    options = {"protocol_whitelist": "file"}
    with av.open(str(source), format=demuxer, options=options) as container:
        frame = next(container.decode(video=0))
    width, height = target_size(frame.width, frame.height)
    # Alpha (PNG, WebP) is dropped: JPEG has none, and TikTok shows photos full-bleed.
    picture = frame.reformat(width=width, height=height, format="yuvj420p", interpolation="AREA")
    with av.open(str(target), mode="w", format="image2pipe") as output:
        stream = output.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuvj420p"
        stream.codec_context.options = {"qmin": str(JPEG_QMIN), "qmax": str(JPEG_QMAX)}
        picture.pts = 0
        for packet in stream.encode(picture):
            output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)


def main(argv: list[str]) -> int:
    from tikpost.media.probe import _limit_resources

    _limit_resources()
    try:
        _convert(Path(argv[1]), argv[2], Path(argv[3]))
    except OSError as error:
        return NO_SPACE_EXIT if error.errno in FULL_ERRNOS else 1
    except Exception:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
