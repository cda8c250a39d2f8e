"""What an uploaded file really is, measured by PyAV (FFmpeg) in a child process.

FFmpeg parses hostile input in C: a crafted file can crash it, spin forever or eat memory. The
parent therefore runs `python -m tikpost.media.probe PATH` with a deadline and trusts nothing
but the JSON line it prints; the server itself never opens an upload with FFmpeg.

Only the demuxers for formats TikTok takes (MP4/MOV, WebM/Matroska, JPEG, PNG, WebP), plus AVI
(self-contained like them; transcoded to MP4 before TikTok sees it), and only the `file`
protocol are allowed: FFmpeg's playlist and concat demuxers would otherwise follow
links inside an upload to other local files or internal URLs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from tikpost.media.child import child_process

PROBE_TIMEOUT_SEC = 60.0
MAX_OUTPUT_BYTES = 64 * 1024
MAX_ADDRESS_SPACE = 4 * 1024**3
ALLOWED_FORMATS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,jpeg_pipe,png_pipe,webp_pipe"
IMAGE_CODECS = {"mjpeg": "jpeg", "png": "png", "webp": "webp"}
UNSUPPORTED = "not a video (MP4, MOV, WebM, AVI) or image (JPEG, PNG, WebP) that could be read"
# A carousel's zip sent where one file is expected: say where it goes instead.
ZIP_ELSEWHERE = "a .zip archive; a carousel's slides go as one zip to POST /v1/media/zip"


class ProbeFailedError(Exception):
    """The file is not media we can use; the message is safe to show the client."""


async def probe_file(path: Path) -> dict[str, Any]:
    """The child's verdict on `path`: `{"kind": "video" | "image", ...measurements}`."""
    deadline = PROBE_TIMEOUT_SEC
    async with child_process(_probe_command(path)) as process:
        try:
            async with asyncio.timeout(deadline):
                assert process.stdout is not None
                output = await _read_bounded(process.stdout)
                await process.wait()
        except TimeoutError:
            raise ProbeFailedError(f"file could not be analysed within {deadline:g} s") from None
    return _parse_verdict(output, process.returncode)


async def _read_bounded(stream: asyncio.StreamReader) -> bytes:
    """All of the child's output, or its first MAX_OUTPUT_BYTES (a verdict is one short line)."""
    output = bytearray()
    while len(output) <= MAX_OUTPUT_BYTES and (block := await stream.read(MAX_OUTPUT_BYTES)):
        output += block
    return bytes(output[:MAX_OUTPUT_BYTES])


def _probe_command(path: Path) -> list[str]:
    return [sys.executable, "-m", "tikpost.media.probe", str(path)]


def _parse_verdict(output: bytes, returncode: int | None) -> dict[str, Any]:
    try:
        verdict = json.loads(output)
    except ValueError:
        verdict = None
    if returncode != 0 or not isinstance(verdict, dict):
        # A crash (signal, out of memory) on an upload is the upload's fault, not the server's.
        raise ProbeFailedError(UNSUPPORTED)
    if "error" in verdict:
        raise ProbeFailedError(str(verdict["error"]))
    return verdict


def measure(path: Path) -> dict[str, Any]:
    """Run in the child: open with the allowlists above and decode one frame to be sure."""
    import av

    av.logging.set_level(None)
    options = {"format_whitelist": ALLOWED_FORMATS, "protocol_whitelist": "file"}
    with av.open(str(path), options=options) as container:
        if not container.streams.video:
            raise ProbeFailedError("file has no video or image stream")
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        width, height = stream.codec_context.width, stream.codec_context.height
        fmt = container.format.name
        if next(container.decode(stream), None) is None:
            raise ProbeFailedError("file has no decodable frame")
        if not width or not height:
            raise ProbeFailedError("file has no picture size")
        if fmt.endswith("_pipe"):
            if codec not in IMAGE_CODECS:
                raise ProbeFailedError(UNSUPPORTED)
            return {
                "kind": "image",
                "format": IMAGE_CODECS[codec],
                "width": width,
                "height": height,
            }
        rate = stream.average_rate or stream.guessed_rate
        if container.duration is not None:
            seconds = container.duration / av.time_base
        elif stream.duration is not None and stream.time_base is not None:
            seconds = float(stream.duration * stream.time_base)
        else:
            seconds = 0.0
        return {
            "kind": "video",
            "container": fmt,
            "brand": str(container.metadata.get("major_brand", "")).strip(),
            "video_codec": codec,
            "duration_ms": round(seconds * 1000),
            "fps": round(float(rate), 3) if rate else 0.0,
            "width": width,
            "height": height,
        }


def _limit_resources() -> None:
    """Backstops to the parent's deadline: a decompression bomb hits a memory error instead of
    the host's OOM killer, and a spinning demuxer runs out of CPU time even if orphaned."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    resource.setrlimit(resource.RLIMIT_AS, (MAX_ADDRESS_SPACE, MAX_ADDRESS_SPACE))
    cpu = int(PROBE_TIMEOUT_SEC) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def main(argv: list[str]) -> int:
    """Print one JSON line; any failure to read the file is a verdict, not a crash."""
    _limit_resources()
    try:
        result = measure(Path(argv[1]))
    except ProbeFailedError as failure:
        result = {"error": str(failure)}
    except Exception:
        result = {"error": ZIP_ELSEWHERE if zipfile.is_zipfile(argv[1]) else UNSUPPORTED}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
