"""Converting a video TikTok would refuse into an H.264/AAC MP4 it takes, in a child process.

The input is an upload, so hostile: FFmpeg decodes it in C, and a crafted file could crash,
spin or eat memory. As with probing (media.probe), the parent runs
`python -m tikpost.media.transcode …` under resource limits and a deadline scaled by the
video's duration, opens nothing with FFmpeg itself, and trusts only the JSON lines the child
prints: `{"progress": 40}` as it goes, then `{"done": {...}}` or `{"error": "..."}`.

The child streams: it demuxes packet by packet, pushes each decoded frame through an FFmpeg
filter graph (frame rate, scale, pixel format) and muxes each encoded packet at once, so memory
stays flat whatever the length. Only the demuxers probing allows are allowed here too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from tikpost.media.checks import MAX_FPS, MAX_SIDE, MAX_VIDEO_BYTES, MIN_FPS, MIN_SIDE
from tikpost.media.child import child_process
from tikpost.media.faults import FULL_ERRNOS, StorageFullError
from tikpost.media.probe import ALLOWED_FORMATS
from tikpost.media.schemas import VideoProbe

# Too slow a frame rate is raised to this; too fast is lowered to MAX_FPS.
DEFAULT_FPS = 30
BASE_DEADLINE_SEC = 120.0
# Seconds of wall time allowed per second of video, on top of the base.
DEADLINE_PER_VIDEO_SEC = 10.0
MAX_ADDRESS_SPACE = 8 * 1024**3
MAX_LINE_BYTES = 4096
MAX_LINES = 1000
PROGRESS_STEP = 20
AUDIO_RATE = 48_000
AUDIO_FRAME_SIZE = 1024
X264_OPTIONS = {"preset": "veryfast", "crf": "21"}
FAILED = "the video could not be decoded or re-encoded"


class TranscodeFailedError(Exception):
    """Transcoding did not produce a file; the message is safe to show the client."""


@dataclass(frozen=True)
class TranscodePlan:
    """What the output will be: a constant frame rate and even sides within TikTok's limits
    (swapped by the child when the source's rotation flag turns the picture a quarter)."""

    fps: Fraction
    width: int
    height: int
    duration_ms: int


def target_fps(fps: float) -> Fraction:
    """Keep a rate TikTok takes; raise a slower one to 30 fps, lower a faster one to 60."""
    if not fps or fps < MIN_FPS:
        return Fraction(DEFAULT_FPS)
    if fps > MAX_FPS:
        return Fraction(int(MAX_FPS))
    # The probe rounds to 3 decimals: snap back to the whole or NTSC (n*1000/1001) rate it was.
    for exact in (Fraction(round(fps)), Fraction(round(fps * 1.001) * 1000, 1001)):
        if abs(float(exact) - fps) < 0.002:
            return exact
    return Fraction(fps).limit_denominator(100)


def target_size(width: int, height: int) -> tuple[int, int]:
    """Scale (aspect kept) so each side is within 360..4096 px, both sides even (4:2:0)."""
    scale = 1.0
    if min(width, height) < MIN_SIDE:
        scale = MIN_SIDE / min(width, height)
    if max(width, height) * scale > MAX_SIDE:
        scale = MAX_SIDE / max(width, height)

    def even(side: int) -> int:
        scaled = 2 * round(side * scale / 2)
        return min(MAX_SIDE, max(MIN_SIDE, scaled))

    return even(width), even(height)


def plan_for(probe: VideoProbe) -> TranscodePlan:
    width, height = target_size(probe.width, probe.height)
    return TranscodePlan(target_fps(probe.fps), width, height, probe.duration_ms)


def deadline_sec(plan: TranscodePlan) -> float:
    return BASE_DEADLINE_SEC + DEADLINE_PER_VIDEO_SEC * plan.duration_ms / 1000


def video_encoder() -> str:
    """libx264 when PyAV's FFmpeg has it (the usual wheels do), else FFmpeg's own choice."""
    import av

    return "libx264" if "libx264" in av.codecs_available else "h264"


async def transcode_file(
    source: Path,
    target: Path,
    plan: TranscodePlan,
    on_progress: Callable[[int], Awaitable[None]],
) -> dict[str, Any]:
    """Write `target` from `source` per `plan` in a child process; returns the child's summary
    (`width`, `height`, `fps`, `audio`). `on_progress(percent)` is awaited as the child reports."""
    deadline = deadline_sec(plan)
    async with child_process(_command(source, target, plan), line_limit=MAX_LINE_BYTES) as process:
        try:
            async with asyncio.timeout(deadline):
                assert process.stdout is not None
                result = await _follow(process.stdout, on_progress)
                await process.wait()
        except TimeoutError:
            raise TranscodeFailedError(f"transcoding took longer than {deadline:g} s") from None
    if process.returncode != 0 or result is None:
        raise TranscodeFailedError(FAILED)
    return result


async def _follow(
    stream: asyncio.StreamReader, on_progress: Callable[[int], Awaitable[None]]
) -> dict[str, Any] | None:
    """Read the child's JSON lines until it closes stdout; the `done` summary, if any."""
    for _ in range(MAX_LINES):
        try:
            line = await stream.readline()
        except ValueError:  # a line over the limit: not our child's output
            raise TranscodeFailedError(FAILED) from None
        if not line:
            return None
        try:
            message = json.loads(line)
        except ValueError:
            raise TranscodeFailedError(FAILED) from None
        if not isinstance(message, dict):
            raise TranscodeFailedError(FAILED)
        if "no_space" in message:
            # Where it writes is this server's temporary disk: full, it is waited out like
            # the media storage's own (posts.publish.storage_wait), not a verdict on the video.
            raise StorageFullError(f"transcoding: {message['no_space']}")
        if "error" in message:
            raise TranscodeFailedError(str(message["error"]))
        if "done" in message and isinstance(message["done"], dict):
            return message["done"]
        if isinstance(message.get("progress"), int):
            await on_progress(message["progress"])
    raise TranscodeFailedError(FAILED)


def _command(source: Path, target: Path, plan: TranscodePlan) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tikpost.media.transcode",
        str(source),
        str(target),
        f"{plan.fps.numerator}/{plan.fps.denominator}",
        str(plan.width),
        str(plan.height),
        str(plan.duration_ms),
    ]


# Everything below runs in the child.


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def run(source: Path, target: Path, plan: TranscodePlan) -> dict[str, Any]:
    """Decode, convert and encode packet by packet; report progress every PROGRESS_STEP %."""
    import av

    av.logging.set_level(None)
    options = {"format_whitelist": ALLOWED_FORMATS, "protocol_whitelist": "file"}
    with (
        av.open(str(source), options=options) as source_file,
        av.open(str(target), mode="w", format="mp4") as output,
    ):
        if not source_file.streams.video:
            raise TranscodeFailedError("the file has no video stream")
        video_in = source_file.streams.video[0]
        video_in.thread_type = "AUTO"
        audio_in = source_file.streams.audio[0] if source_file.streams.audio else None
        video = _VideoPath(output, video_in, plan, _rotation(source, options))
        audio = _AudioPath(output) if audio_in is not None else None
        expected = max(1, math.ceil(plan.duration_ms / 1000 * plan.fps))
        reported = 0
        streams = [video_in] if audio_in is None else [video_in, audio_in]
        for packet in source_file.demux(streams):
            for frame in packet.decode():
                if packet.stream is video_in:
                    video.push(frame)
                elif audio is not None:
                    audio.push(frame)
            done = min(99, 100 * video.frames // expected)
            if done >= reported + PROGRESS_STEP:
                reported = done - done % PROGRESS_STEP
                _emit({"progress": reported})
        video.finish()
        if audio is not None:
            audio.finish()
        if video.frames == 0:
            raise TranscodeFailedError("the video has no decodable frame")
    _emit({"progress": 100})
    return {
        "width": video.stream.width,
        "height": video.stream.height,
        "fps": float(plan.fps),
        "audio": audio is not None,
        "frames": video.frames,
    }


def _rotation(source: Path, options: dict[str, str]) -> int:
    """The display rotation (degrees counter-clockwise) of the first frame: phones store
    portrait video sideways with this flag, which an MP4 re-encoded frame by frame would lose.
    Read in a pass of its own because the output's size must be known before anything is
    muxed, and audio may come first."""
    import av

    with av.open(str(source), options=options) as container:
        frame = next(container.decode(container.streams.video[0]), None)
        return round(frame.rotation) % 360 if frame is not None else 0


# The filters that apply a display rotation to the pixels (as the ffmpeg tool does).
ROTATIONS = {90: ["transpose=cclock"], 180: ["hflip", "vflip"], 270: ["transpose=clock"]}


class _VideoPath:
    """Frames through rotation, `fps`, `scale`, `setsar` and `format` filters into H.264."""

    def __init__(self, output: Any, source: Any, plan: TranscodePlan, rotation: int) -> None:
        import av

        width, height = plan.width, plan.height
        if rotation in (90, 270):
            width, height = height, width
        self.output = output
        self.stream = output.add_stream(video_encoder(), rate=plan.fps)
        self.stream.width, self.stream.height = width, height
        self.stream.pix_fmt = "yuv420p"
        # The muxer may change the stream's time base once writing starts; frames keep this.
        self.time_base = 1 / plan.fps
        self.stream.time_base = self.time_base
        self.stream.codec_context.thread_count = min(4, os.cpu_count() or 1)
        if self.stream.codec_context.name == "libx264":
            self.stream.options = dict(X264_OPTIONS)
        graph = av.filter.Graph()
        turns = [graph.add(*spec.split("=", 1)) for spec in ROTATIONS.get(rotation, [])]
        chain = [
            graph.add_buffer(template=source),
            *turns,
            graph.add("fps", f"fps={plan.fps.numerator}/{plan.fps.denominator}"),
            graph.add("scale", f"{width}:{height}"),
            graph.add("setsar", "1"),
            graph.add("format", "yuv420p"),
            graph.add("buffersink"),
        ]
        for upstream, downstream in itertools.pairwise(chain):
            upstream.link_to(downstream)
        graph.configure()
        self.graph = graph
        self.frames = 0

    def push(self, frame: Any) -> None:
        self.graph.push(frame)
        self._drain()

    def finish(self) -> None:
        self.graph.push(None)
        self._drain()
        for packet in self.stream.encode(None):
            self.output.mux(packet)

    def _drain(self) -> None:
        import av

        while True:
            try:
                frame = self.graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            # Renumbered: a constant rate from zero, whatever the source's timestamps were.
            frame.pts = self.frames
            frame.time_base = self.time_base
            self.frames += 1
            for packet in self.stream.encode(frame):
                self.output.mux(packet)


class _AudioPath:
    """Any audio, resampled to 48 kHz stereo in AAC-sized frames, encoded as AAC."""

    def __init__(self, output: Any) -> None:
        import av

        self.output = output
        self.stream = output.add_stream("aac", rate=AUDIO_RATE)
        self.stream.layout = "stereo"
        self.stream.time_base = Fraction(1, AUDIO_RATE)
        self.resampler = av.AudioResampler(
            format="fltp", layout="stereo", rate=AUDIO_RATE, frame_size=AUDIO_FRAME_SIZE
        )
        self.samples = 0

    def push(self, frame: Any) -> None:
        frame.pts = None
        self._encode(self.resampler.resample(frame))

    def finish(self) -> None:
        self._encode(self.resampler.resample(None))
        for packet in self.stream.encode(None):
            self.output.mux(packet)

    def _encode(self, frames: Iterator[Any] | list[Any]) -> None:
        for frame in frames:
            frame.pts = self.samples
            frame.time_base = Fraction(1, AUDIO_RATE)
            self.samples += frame.samples
            for packet in self.stream.encode(frame):
                self.output.mux(packet)


def _limit_resources(plan: TranscodePlan) -> None:
    """Backstops to the parent's deadline: memory, CPU seconds (all threads count) and the
    largest file the child may write (TikTok's 4 GB)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    resource.setrlimit(resource.RLIMIT_AS, (MAX_ADDRESS_SPACE, MAX_ADDRESS_SPACE))
    cpu = int(deadline_sec(plan) * (os.cpu_count() or 1)) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_VIDEO_BYTES, MAX_VIDEO_BYTES))


def _parse_args(argv: list[str]) -> tuple[Path, Path, TranscodePlan]:
    source, target, fps, width, height, duration_ms = argv[1:7]
    plan = TranscodePlan(Fraction(fps), int(width), int(height), int(duration_ms))
    return Path(source), Path(target), plan


def main(argv: list[str]) -> int:
    """Progress lines, then one `done` or `error` line; a failure is a verdict, not a crash."""
    source, target, plan = _parse_args(argv)
    _limit_resources(plan)
    try:
        _emit({"done": run(source, target, plan)})
    except TranscodeFailedError as failure:
        _emit({"error": str(failure)})
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
            _emit({"no_space": str(exc)})
        else:
            _emit({"error": f"{FAILED} ({type(exc).__name__})"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
