"""What TikTok's processing finds in the bytes: PyAV opens the real file and measures it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import av

from tikpost.sandbox.config import MediaRules

VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9"})
WEBM_CODECS = frozenset({"vp8", "vp9"})
PHOTO_CODECS = {"mjpeg": "jpeg", "webp": "webp"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def check_video(
    path: Path, rules: MediaRules, max_duration_sec: int
) -> tuple[dict[str, Any], str | None]:
    """Return the media summary and TikTok's fail_reason, or None when TikTok would accept it."""
    summary: dict[str, Any] = {"size_bytes": path.stat().st_size, "sha256": sha256_of(path)}
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return summary, "file_format_check_failed"
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            format_name = container.format.name
            rate = stream.average_rate or stream.guessed_rate
            fps = float(rate) if rate else 0.0
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = 0.0
            summary.update(
                container=format_name,
                video_codec=codec,
                duration_ms=round(duration * 1000),
                fps=round(fps, 3),
                width=stream.codec_context.width,
                height=stream.codec_context.height,
            )
    except (av.FFmpegError, OSError, ValueError):
        return summary, "file_format_check_failed"
    return summary, _video_verdict(summary, rules, max_duration_sec)


def _video_verdict(summary: dict[str, Any], rules: MediaRules, max_duration_sec: int) -> str | None:
    names = set(summary["container"].split(","))
    codec = summary["video_codec"]
    is_mp4 = bool(names & {"mp4", "mov"})
    is_webm = "webm" in names and codec in WEBM_CODECS
    if not (is_mp4 or is_webm) or codec not in VIDEO_CODECS:
        return "file_format_check_failed"
    seconds = summary["duration_ms"] / 1000
    if seconds < rules.min_duration_sec or seconds > max_duration_sec:
        return "duration_check_failed"
    if not rules.min_fps <= summary["fps"] <= rules.max_fps:
        return "frame_rate_check_failed"
    sides = (summary["width"], summary["height"])
    if not all(rules.min_side_px <= side <= rules.max_side_px for side in sides):
        return "picture_size_check_failed"
    return None


def check_photo(path: Path, rules: MediaRules) -> tuple[dict[str, Any], str | None]:
    """JPEG or WebP, at most 20 MB, shorter side at most 1080 px (one bad image fails all)."""
    summary: dict[str, Any] = {"size_bytes": path.stat().st_size, "sha256": sha256_of(path)}
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            summary.update(
                format=PHOTO_CODECS.get(stream.codec_context.name, stream.codec_context.name),
                width=stream.codec_context.width,
                height=stream.codec_context.height,
            )
    except (av.FFmpegError, OSError, ValueError, IndexError):
        return summary, "file_format_check_failed"
    if summary["format"] not in {"jpeg", "webp"} or summary["size_bytes"] > rules.max_photo_bytes:
        return summary, "file_format_check_failed"
    if min(summary["width"], summary["height"]) > rules.max_photo_short_side_px:
        return summary, "picture_size_check_failed"
    return summary, None
