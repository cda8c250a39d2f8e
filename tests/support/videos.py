"""Sample videos for tests, encoded once per test process and linked where each test wants one.

`tikpost.sandbox.samples.make_video` is deterministic (the same arguments give the same bytes)
and costs about a second per 4 s of 720x1280 video (4.4 s for the 20 s two-chunk clips), which
thirty-odd tests paid each time. Same signature, same bytes, at the path asked for: a copy of
the one encoded file (milliseconds), never a link, so a test may rewrite its own.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from tikpost.sandbox import samples


@functools.cache
def _cache_dir() -> Path:
    made = Path(tempfile.mkdtemp(prefix="tikpost-test-videos-"))
    atexit.register(shutil.rmtree, made, ignore_errors=True)
    return made


@functools.cache
def _encoded(
    suffix: str,
    seconds: float,
    fps: int,
    width: int,
    height: int,
    codec: str,
    container: str | None,
) -> Path:
    name = f"{seconds}s-{fps}fps-{width}x{height}-{codec}-{container}{suffix}"
    return samples.make_video(
        _cache_dir() / name,
        seconds=seconds,
        fps=fps,
        width=width,
        height=height,
        codec=codec,
        container=container,
    )


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
    """`samples.make_video(path, ...)`, encoded at most once per process for these arguments."""
    source = _encoded(path.suffix, seconds, fps, width, height, codec, container)
    shutil.copyfile(source, path)
    return path
