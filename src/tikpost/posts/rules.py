"""What TikTok will refuse, checked before anything is queued, each with the field to fix.

The limits are TikTok's (Content Posting API media restrictions; the media ones live in
tikpost.media.checks): catching them here turns a post that would fail minutes later at TikTok
into an immediate, specific 422.
"""

from __future__ import annotations

from tikpost.kit.errors import ApiError
from tikpost.media import checks
from tikpost.media.schemas import MediaRead, VideoProbe
from tikpost.posts.schemas import PostCreate

TITLE_MAX_UTF16 = 2200
# Fields TikTok takes only on Direct Post; a draft's creator sets these in the TikTok app.
DIRECT_ONLY = (
    "title",
    "privacy_level",
    "disable_comment",
    "disable_duet",
    "disable_stitch",
    "brand_organic_toggle",
    "brand_content_toggle",
    "is_aigc",
    "video_cover_timestamp_ms",
)


PHOTO_TITLE_MAX_UTF16 = 90
PHOTO_DESCRIPTION_MAX_UTF16 = 4000
MEDIA_SOURCES = ("video", "photos", "video_url")
PHOTO_ONLY = ("photo_cover_index", "description", "auto_add_music")
# post_info fields TikTok's photo init does not take.
VIDEO_ONLY = ("disable_duet", "disable_stitch", "is_aigc", "video_cover_timestamp_ms")
# A photo draft (MEDIA_UPLOAD) still takes title and description; these are DIRECT_POST only.
PHOTO_DIRECT_ONLY = (
    "privacy_level",
    "disable_comment",
    "brand_organic_toggle",
    "brand_content_toggle",
    "auto_add_music",
)


def utf16_length(text: str) -> int:
    """TikTok counts captions in UTF-16 code units: most emoji count two."""
    return len(text.encode("utf-16-le")) // 2


def _invalid(code: str, message: str, field: str) -> ApiError:
    return ApiError(422, code, message, field)


def check_request(request: PostCreate) -> None:
    """Rules that need nothing but the request."""
    _check_one_source(request)
    if request.photos is not None:
        check_photo_request(request, request.photos)
        return
    for name in PHOTO_ONLY:
        if name in request.model_fields_set:
            raise _invalid("not_for_videos", f"{name} applies to photo posts only (`photos`)", name)
    if request.mode == "draft":
        for name in DIRECT_ONLY:
            if name in request.model_fields_set:
                raise _invalid(
                    "not_for_drafts",
                    f"{name} cannot be set on a draft: TikTok lets the creator choose it when "
                    "finishing the draft in the app. Use mode=direct to set it here.",
                    name,
                )
        return
    check_privacy(request)
    if request.title is not None and utf16_length(request.title) > TITLE_MAX_UTF16:
        raise _invalid(
            "title_too_long",
            f"title is {utf16_length(request.title)} UTF-16 units; TikTok allows "
            f"{TITLE_MAX_UTF16} (emoji count as two).",
            "title",
        )


def check_privacy(request: PostCreate) -> None:
    """Branded content is never private. A direct post naming no privacy is not refused: it
    takes its account's default or waits for a person to choose (posts.service.create_post)."""
    if request.brand_content_toggle and request.privacy_level == "SELF_ONLY":
        raise _invalid(
            "branded_content_private",
            "Branded content visibility cannot be set to private (SELF_ONLY).",
            "privacy_level",
        )


def _check_one_source(request: PostCreate) -> None:
    """Exactly one of video, photos (and video_url, where the schema has it)."""
    given = [name for name in MEDIA_SOURCES if getattr(request, name, None) is not None]
    if not given:
        raise _invalid("media_required", "give one of video, video_url or photos", "video")
    if len(given) > 1:
        raise _invalid(
            "media_conflict",
            f"give only one of video, video_url or photos, not {' and '.join(given)}",
            given[1],
        )


def check_photo_request(request: PostCreate, photos: list[str]) -> None:
    """TikTok's photo init: fewer fields than video, shorter title, drafts keep their text."""
    for name in VIDEO_ONLY:
        if name in request.model_fields_set:
            raise _invalid(
                "not_for_photos",
                f"{name} applies to videos only: TikTok's photo posts do not take it",
                name,
            )
    if request.mode == "draft":
        for name in PHOTO_DIRECT_ONLY:
            if name in request.model_fields_set:
                raise _invalid(
                    "not_for_drafts",
                    f"{name} cannot be set on a photo draft: the creator chooses it in the "
                    "TikTok app. Use mode=direct to set it here.",
                    name,
                )
    else:
        check_privacy(request)
    for name, text, limit in (
        ("title", request.title, PHOTO_TITLE_MAX_UTF16),
        ("description", request.description, PHOTO_DESCRIPTION_MAX_UTF16),
    ):
        if text is not None and utf16_length(text) > limit:
            raise _invalid(
                f"{name}_too_long",
                f"{name} is {utf16_length(text)} UTF-16 units; TikTok allows {limit} on photo "
                "posts (emoji count as two).",
                name,
            )
    cover = request.photo_cover_index
    if cover is not None and cover >= len(photos):
        raise _invalid(
            "cover_index_out_of_range",
            f"photo_cover_index {cover} is past the last photo (index {len(photos) - 1})",
            "photo_cover_index",
        )


def check_video(request: PostCreate, media: MediaRead, *, transcode: bool = False) -> VideoProbe:
    """TikTok's video limits (media.checks) against what probing measured in the bytes.

    With `transcode`, what transcoding fixes (format, frame rate, resolution) is left to the
    workflow's transcode step; anything else is refused now, naming the value and the limit.
    """
    probe = media.probe
    if media.kind != "video" or not isinstance(probe, VideoProbe):
        raise _invalid("not_a_video", f"media {media.id} is an image, not a video", "video")
    for problem in checks.check_video(probe):
        if transcode and problem.fixable_by_transcode:
            continue
        hint = (
            '; post with "transcode": true to have tikpost convert it'
            if problem.fixable_by_transcode
            else ""
        )
        raise ApiError(
            422,
            problem.code,
            f"{problem.message}{hint}",
            "video",
            details={"value": problem.value, "limit": problem.limit},
        )
    cover = request.video_cover_timestamp_ms
    if cover is not None and cover > probe.duration_ms:
        raise _invalid(
            "cover_timestamp_out_of_range",
            f"video_cover_timestamp_ms {cover} is past the video's end ({probe.duration_ms} ms)",
            "video_cover_timestamp_ms",
        )
    return probe
