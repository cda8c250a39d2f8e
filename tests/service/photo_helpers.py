"""Test images and archives for the photo carousel tests, made with PyAV (no Pillow), and the
requests those tests share."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from typing import Any

import av
import httpx

from tests.service.conftest import RunningService
from tests.service.publishing_helpers import post
from tests.support.api import Api
from tikpost.media.links import MediaLinks
from tikpost.sandbox.samples import make_jpeg

__all__ = [
    "declared_sizes_zip",
    "make_jpeg",
    "make_png",
    "make_zip",
    "post",
    "pulled_match_sent",
    "served_sha256",
    "symlink_zip",
    "upload_bytes",
    "upload_zip",
]


def upload_bytes(api: httpx.Client, name: str, data: bytes) -> dict[str, Any]:
    return Api(api).upload_bytes(name, data)


def upload_zip(api: httpx.Client, data: bytes) -> httpx.Response:
    return api.post("/v1/media/zip", files={"file": ("slides.zip", data, "application/zip")})


def pulled_match_sent(api: httpx.Client, final: dict[str, Any], pulled: dict[str, Any]) -> None:
    """The images the sandbox downloaded are, in order, exactly the media the post names."""
    sent = [api.get(f"/v1/media/{media_id}").json()["sha256"] for media_id in final["photos"]]
    assert [photo["sha256"] for photo in pulled["photos"]] == sent


def served_sha256(svc: RunningService, media_ids: list[str]) -> list[str]:
    """What tikpost's signed links actually serve for each media (hashed by us, not by it)."""
    links = MediaLinks(svc.settings.secret_key.get_secret_value(), svc.url)
    digests = []
    with httpx.Client(timeout=30) as anonymous:
        for media_id in media_ids:
            response = anonymous.get(links.url(media_id))
            assert response.status_code == 200, response.text
            digests.append(hashlib.sha256(response.content).hexdigest())
    return digests


def make_png(width: int = 800, height: int = 600, *, noise: bool = False) -> bytes:
    """A real PNG (RGB) as bytes: a gradient, or with `noise` random pixels, which do not
    compress (about width*height*3 bytes)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="image2pipe") as output:
        stream = output.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "rgb24"
        frame = av.VideoFrame(width, height, "rgb24")
        plane = frame.planes[0]
        if noise:
            plane.update(os.urandom(plane.line_size * height))
        else:
            plane.update(bytes((x * 3) % 256 for x in range(plane.line_size)) * height)
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


def declared_sizes_zip(count: int, declared: int) -> bytes:
    """`count` stored entries slide-1.jpg… of 80 KB each whose central directory claims
    `declared` bytes apiece: headers a bomb would write, without building the bomb."""
    data = make_zip([(f"slide-{n}.jpg", bytes(80 * 1024)) for n in range(1, count + 1)])
    forged = bytearray(data)
    start = 0
    while (found := forged.find(b"PK\x01\x02", start)) != -1:
        forged[found + 24 : found + 28] = declared.to_bytes(4, "little")  # uncompressed size
        start = found + 4
    return bytes(forged)


def symlink_zip(name: str, target: str) -> bytes:
    """An archive whose one entry is a symbolic link (as `zip -y` stores it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        bundle.writestr(info, target)
    return buffer.getvalue()
