"""Sample media made with PyAV: real H.264 MP4s and JPEGs for demos and tests (never committed)."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
from av.container import OutputContainer
from av.video.stream import VideoStream

_RAMP = bytes(range(256)) * 40


def _fill(frame: av.VideoFrame, index: int) -> None:
    """Paint a moving gradient so the encoder has real content to compress."""
    for plane_index, plane in enumerate(frame.planes):
        base = (index * 7 + plane_index * 50) % 256
        row = _RAMP[base : base + plane.width] + bytes(plane.line_size - plane.width)
        plane.update(row * plane.height)


def make_video(
    path: Path,
    *,
    seconds: float = 4.0,
    fps: int = 30,
    width: int = 720,
    height: int = 1280,
    codec: str = "libx264",
    container: str | None = None,
) -> Path:
    """Write a real video; the defaults make a clip TikTok accepts (4 s, 30 fps, 720x1280 H.264)."""
    with av.open(str(path), mode="w", format=container) as output:
        stream = cast(VideoStream, output.add_stream(codec, rate=fps))
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        write_frames(output, stream, seconds=seconds, fps=fps)
    return path


def write_frames(output: OutputContainer, stream: VideoStream, *, seconds: float, fps: int) -> None:
    """Encode `seconds` of moving gradient into `stream` (sized and configured by the caller)
    and flush it, for samples in any codec or container."""
    for index in range(max(1, round(seconds * fps))):
        frame = av.VideoFrame(stream.width, stream.height, "yuv420p")
        _fill(frame, index)
        frame.pts, frame.time_base = index, Fraction(1, fps)
        for packet in stream.encode(frame):
            output.mux(packet)
    for packet in stream.encode():
        output.mux(packet)


def make_jpeg(width: int = 1080, height: int = 1350, shade: int = 0) -> bytes:
    """A real JPEG image as bytes."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="image2pipe") as output:
        stream = output.add_stream("mjpeg", rate=1)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuvj420p"
        frame = av.VideoFrame(width, height, "yuvj420p")
        _fill(frame, shade)
        frame.pts = 0
        for packet in stream.encode(frame):
            output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()
