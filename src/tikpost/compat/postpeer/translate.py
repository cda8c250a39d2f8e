"""PostPeer ⇄ tikpost: a PostPeer post request becomes one native `PostCreate` for its TikTok
target, and a native post reads back as PostPeer's post object.

Only names and shapes change here. Every rule (caption length, privacy offered, branded
content, media checks, idempotency) stays in tikpost's services, which see the native request
exactly as if it had come through POST /v1/posts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from tikpost.compat.postpeer import schemas
from tikpost.kit.errors import ApiError
from tikpost.posts.schemas import PostCreate

TIKTOK = "tiktok"

# A mediaItems URL → a tikpost media id when it names one of the team's uploads, else None.
Resolve = Callable[[str], Awaitable[str | None]]


def bad(code: str, message: str, field: str | None = None) -> ApiError:
    """PostPeer answers 400 to a request it cannot take (it documents no 422)."""
    return ApiError(400, code, message, field)


def when(text: str, timezone: str, field: str) -> datetime:
    """`scheduledFor` in `timezone` (IANA) unless it carries its own offset, as aware UTC."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad("invalid_timezone", f"unknown IANA timezone {timezone!r}", "timezone") from None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise bad("invalid_datetime", f"{field} is not an ISO 8601 date and time", field) from None


def tiktok_target(request: schemas.CreatePostRequest) -> schemas.PlatformTarget:
    """The request's one TikTok target (tikpost posts to TikTok only, one account a post)."""
    targets = [target for target in request.platforms if target.platform.lower() == TIKTOK]
    if not targets:
        raise bad(
            "no_tiktok_target",
            "tikpost publishes to TikTok only: add a platform entry with platform 'tiktok'",
            "platforms",
        )
    return targets[0]


def refusal(target: schemas.PlatformTarget, first_tiktok: schemas.PlatformTarget) -> str | None:
    """Why tikpost does not post to `target` (another platform, or a second TikTok account)."""
    if target.platform.lower() != TIKTOK:
        return (
            f"tikpost publishes to TikTok only; {target.platform!r} is not served here "
            "(post to it through its own API)"
        )
    if target is not first_tiktok:
        return "tikpost posts to one TikTok account per request: send one request per account"
    return None


def scheduled_at(request: schemas.CreatePostRequest) -> datetime | None:
    text = request.scheduledFor or request.scheduledAt
    field = "scheduledFor" if request.scheduledFor else "scheduledAt"
    if text is None:
        if not request.publishNow:
            raise bad(
                "publish_time_required",
                "give publishNow: true, or scheduledFor (ISO 8601) to schedule the post",
                "publishNow",
            )
        return None
    return when(text, request.timezone, field)


def tiktok_options(target: schemas.PlatformTarget) -> schemas.TikTokOptions:
    try:
        return schemas.TikTokOptions.model_validate(target.platformSpecificData or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        field = f"platformSpecificData.{where}" if where else "platformSpecificData"
        raise bad("validation_error", f"{field}: {first.get('msg')}", field) from None


async def to_native(
    request: schemas.CreatePostRequest, resolve: Resolve
) -> tuple[schemas.PlatformTarget, PostCreate]:
    """The TikTok target and the native post it asks for."""
    target = tiktok_target(request)
    options = tiktok_options(target)
    items = request.mediaItems or []
    kinds = {item.type for item in items}
    if not items:
        raise bad("media_required", "TikTok posts need a video or images", "mediaItems")
    if "gif" in kinds:
        raise bad("gif_not_supported", "TikTok takes no GIFs: send a video", "mediaItems")
    if kinds == {"video"} and len(items) > 1:
        raise bad("one_video", "a TikTok post holds one video", "mediaItems")
    if len(kinds) > 1:
        raise bad("mixed_media", "a TikTok post is one video or only images", "mediaItems")
    sources = [await resolve(item.url) or item.url for item in items]
    resolved = [source != item.url for source, item in zip(sources, items, strict=True)]
    text = target.content if target.content is not None else request.content
    photo = kinds == {"image"}
    draft = options.draft
    fields: dict[str, object] = {
        "account_id": target.accountId,
        "mode": "draft" if draft else "direct",
        "scheduled_at": scheduled_at(request),
    }
    if photo:
        fields.update(photos=sources, photo_cover_index=options.photoCoverIndex)
        fields.update(description=text or None, auto_add_music=options.autoAddMusic)
    elif resolved[0]:
        fields["video"] = sources[0]
    else:
        fields["video_url"] = sources[0]
    # Switches go to tikpost only when on (its defaults are off), so one that does not apply
    # (duets on photos, disclosures on drafts) is refused by tikpost's rules only if asked for.
    switches = {
        "disable_comment": options.disableComment,
        "disable_duet": options.disableDuet,
        "disable_stitch": options.disableStitch,
        "brand_organic_toggle": options.brandOrganicToggle,
        "brand_content_toggle": options.brandContentToggle,
        "is_aigc": options.isAigc,
    }
    fields.update({name: True for name, on in switches.items() if on})
    # A draft takes no privacy, and a video draft no caption: the creator finishes it in the
    # TikTok app (photo drafts keep their description).
    if not draft:
        fields["privacy_level"] = options.privacyLevel
    if not draft and not photo:
        fields.update(title=text or None, video_cover_timestamp_ms=options.videoCoverTimestampMs)
    return target, _native(fields)


def _native(fields: dict[str, object]) -> PostCreate:
    try:
        return PostCreate.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ())) or None
        raise bad("validation_error", f"{field}: {first.get('msg')}", field) from None
