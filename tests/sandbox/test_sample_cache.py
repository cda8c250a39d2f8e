"""tests.support.videos hands out the bytes `make_video` makes, encoded once per process."""

from __future__ import annotations

from pathlib import Path

from tests.support.videos import make_video
from tikpost.sandbox import samples


def test_each_test_gets_its_own_file_of_the_same_bytes(tmp_path: Path) -> None:
    first = make_video(tmp_path / "a.mp4", seconds=1)
    second = make_video(tmp_path / "b.mp4", seconds=1)
    fresh = samples.make_video(tmp_path / "fresh.mp4", seconds=1)
    assert first.read_bytes() == second.read_bytes() == fresh.read_bytes()
    first.write_bytes(b"a test may spoil its own copy")
    assert make_video(tmp_path / "c.mp4", seconds=1).read_bytes() == fresh.read_bytes()
    other = make_video(tmp_path / "d.webm", seconds=1, codec="libvpx-vp9", width=64, height=64)
    assert other.read_bytes() != fresh.read_bytes()
