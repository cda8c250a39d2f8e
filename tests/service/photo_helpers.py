"""Test images and archives for the photo carousel tests, made with PyAV (no Pillow)."""

from __future__ import annotations

import io
import stat
import zipfile

import av

from tikpost.sandbox.samples import make_jpeg

__all__ = ["make_jpeg", "make_png", "make_zip", "symlink_zip"]


def make_png(width: int = 800, height: int = 600) -> bytes:
    """A real PNG (RGB) as bytes."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="image2pipe") as output:
        stream = output.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "rgb24"
        frame = av.VideoFrame(width, height, "rgb24")
        plane = frame.planes[0]
        row = bytes((x * 3) % 256 for x in range(plane.line_size))
        plane.update(row * height)
        frame.pts = 0
        for packet in stream.encode(frame):
            output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


def make_zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as bundle:
        for name, data in entries:
            bundle.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def symlink_zip(name: str, target: str) -> bytes:
    """An archive whose one entry is a symbolic link (as `zip -y` stores it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(info, target)
    return buffer.getvalue()
