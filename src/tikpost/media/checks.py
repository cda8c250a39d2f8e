"""TikTok's media limits, and pure functions that list how a probed file breaks them.

One place for the numbers (Content Posting API media restrictions), used at ingest (refuse what
no post could ever use, report the rest on the media resource), when a post is created (refuse
what would fail at TikTok unless the post asks for transcoding) and after transcoding (the
output must pass). Each problem says whether transcoding can fix it, so callers decide without
knowing the rules themselves.
"""

from __future__ import annotations

from tikpost.media.schemas import ImageProbe, MediaChecks, MediaProblem, VideoProbe

MIN_DURATION_MS = 3_000
API_MAX_DURATION_MS = 600_000
MIN_FPS, MAX_FPS = 23.0, 60.0
MIN_SIDE, MAX_SIDE = 360, 4096
MAX_VIDEO_BYTES = 4 * 1024**3
# FFmpeg's demuxer names: "mov,mp4,m4a,3gp,3g2,mj2" for MP4/MOV; Matroska files are "webm" or
# "matroska" by their EBML DocType (see media.service), "matroska,webm" when recorded earlier.
VIDEO_CONTAINERS = frozenset({"mp4", "mov"})
WEBM_CODECS = frozenset({"vp8", "vp9"})
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9"})
MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = frozenset({"jpeg", "webp"})
MAX_IMAGE_SHORT_SIDE = 1080

FPS_LIMIT = f"{MIN_FPS:g} to {MAX_FPS:g} fps"
SIDE_LIMIT = f"{MIN_SIDE} to {MAX_SIDE} px a side"


def _problem(
    code: str, field: str, value: str | int | float, limit: str, message: str, fixable: bool
) -> MediaProblem:
    return MediaProblem(
        code=code,
        field=field,
        value=value,
        limit=limit,
        message=message,
        fixable_by_transcode=fixable,
    )


def container_ok(probe: VideoProbe) -> bool:
    """MP4/MOV with any TikTok codec, or WebM with VP8/VP9 (all WebM may hold)."""
    names = set(probe.container.split(","))
    if names & VIDEO_CONTAINERS:
        return True
    return "webm" in names and probe.video_codec in WEBM_CODECS


def sides_fit(width: int, height: int) -> bool:
    """Whether scaling (aspect kept) can bring both sides into 360..4096 px."""
    return max(width, height) * MIN_SIDE <= min(width, height) * MAX_SIDE


def check_video(
    probe: VideoProbe, max_duration_ms: int = API_MAX_DURATION_MS
) -> list[MediaProblem]:
    """Every rule the probe breaks, in a fixed order (format, duration, fps, size)."""
    problems: list[MediaProblem] = []
    if probe.video_codec not in VIDEO_CODECS:
        problems.append(
            _problem(
                "unsupported_video_format",
                "video_codec",
                probe.video_codec,
                "h264, hevc, vp8 or vp9",
                f"the video is encoded with {probe.video_codec}; TikTok takes H.264, H.265, VP8 "
                "or VP9",
                True,
            )
        )
    elif not container_ok(probe):
        problems.append(
            _problem(
                "unsupported_video_format",
                "container",
                probe.container,
                "mp4, mov or webm",
                f"the video is in a {probe.container} container with {probe.video_codec}; TikTok "
                "takes MP4, MOV or WebM (WebM with VP8 or VP9 only)",
                True,
            )
        )
    if not MIN_DURATION_MS <= probe.duration_ms <= max_duration_ms:
        limit = f"{MIN_DURATION_MS} to {max_duration_ms} ms"
        problems.append(
            _problem(
                "video_duration_out_of_range",
                "duration_ms",
                probe.duration_ms,
                limit,
                f"the video lasts {probe.duration_ms / 1000:.1f} s; TikTok takes "
                f"{MIN_DURATION_MS / 1000:g} s to {max_duration_ms / 1000:g} s (and at most the "
                "creator's max_video_post_duration_sec)",
                False,
            )
        )
    if not MIN_FPS <= probe.fps <= MAX_FPS:
        problems.append(
            _problem(
                "video_frame_rate_out_of_range",
                "fps",
                probe.fps,
                FPS_LIMIT,
                f"the video runs at {probe.fps:g} fps; TikTok takes {FPS_LIMIT}",
                True,
            )
        )
    if not all(MIN_SIDE <= side <= MAX_SIDE for side in (probe.width, probe.height)):
        fits = sides_fit(probe.width, probe.height)
        problems.append(
            _problem(
                "video_resolution_out_of_range",
                "resolution",
                f"{probe.width}x{probe.height}",
                SIDE_LIMIT,
                f"the video is {probe.width}x{probe.height}; TikTok takes {SIDE_LIMIT}"
                + ("" if fits else " (no scaling that keeps its aspect ratio gets there)"),
                fits,
            )
        )
    if probe.size_bytes > MAX_VIDEO_BYTES:
        problems.append(
            _problem(
                "video_too_large",
                "size_bytes",
                probe.size_bytes,
                f"{MAX_VIDEO_BYTES} bytes",
                f"the video is {probe.size_bytes} bytes; TikTok takes up to 4 GB "
                f"({MAX_VIDEO_BYTES} bytes)",
                False,
            )
        )
    return problems


def check_image(probe: ImageProbe) -> list[MediaProblem]:
    """Every photo rule the probe breaks; PNG and large photos are converted when posted."""
    problems: list[MediaProblem] = []
    if probe.format not in IMAGE_FORMATS:
        problems.append(
            _problem(
                "unsupported_image_format",
                "format",
                probe.format,
                "jpeg or webp",
                f"the image is {probe.format.upper()}; TikTok takes JPEG or WebP (tikpost converts "
                "it to JPEG when it is posted)",
                True,
            )
        )
    short = min(probe.width, probe.height)
    if short > MAX_IMAGE_SHORT_SIDE:
        problems.append(
            _problem(
                "image_resolution_too_large",
                "resolution",
                f"{probe.width}x{probe.height}",
                f"at most {MAX_IMAGE_SHORT_SIDE} px on the shorter side",
                f"the image is {probe.width}x{probe.height}; TikTok takes photos up to 1080p "
                "(tikpost scales it down when it is posted)",
                True,
            )
        )
    if probe.size_bytes > MAX_IMAGE_BYTES:
        problems.append(
            _problem(
                "image_too_large",
                "size_bytes",
                probe.size_bytes,
                f"{MAX_IMAGE_BYTES} bytes",
                f"the image is {probe.size_bytes} bytes; TikTok takes photos up to 20 MB "
                f"({MAX_IMAGE_BYTES} bytes)",
                False,
            )
        )
    return problems


def check(probe: VideoProbe | ImageProbe) -> list[MediaProblem]:
    return check_video(probe) if isinstance(probe, VideoProbe) else check_image(probe)


def summary(probe: VideoProbe | ImageProbe) -> MediaChecks:
    """The `checks` of a media resource."""
    problems = check(probe)
    return MediaChecks(ready_for_tiktok=not problems, problems=problems)


def first_unfixable(problems: list[MediaProblem]) -> MediaProblem | None:
    """What makes the media useless to any post (transcoding or not), if anything."""
    return next((problem for problem in problems if not problem.fixable_by_transcode), None)
