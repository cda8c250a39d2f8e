"""Sample videos for tests, encoded once per test process and copied where each test wants one.

`tikpost.sandbox.samples.make_video` is deterministic (the same arguments give the same bytes)
and costs about a second per 4 s of 720x1280 video (4.4 s for the 20 s two-chunk clips), which
thirty-odd tests paid each time. Same arguments, same bytes, at the path asked for: a copy of
the one encoded file (milliseconds), never a link, so a test may rewrite its own.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tikpost.sandbox import samples


@functools.cache
def _cache_dir() -> Path:
    made = Path(tempfile.mkdtemp(prefix="tikpost-test-videos-"))
    atexit.register(shutil.rmtree, made, ignore_errors=True)
    return made


@functools.cache
def _encoded(suffix: str, **options: Any) -> Path:
    name = "-".join(f"{key}={value}" for key, value in sorted(options.items())) or "defaults"
    return samples.make_video(_cache_dir() / f"{name}{suffix}", **options)


def make_video(path: Path, **options: Any) -> Path:
    """`samples.make_video(path, **options)`, encoded at most once per process for them."""
    shutil.copyfile(_encoded(path.suffix, **options), path)
    return path
