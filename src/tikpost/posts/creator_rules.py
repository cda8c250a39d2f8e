"""TikTok's rules that only a fresh creator_info can check, applied as a direct post is accepted.

TikTok's Direct Post guidelines make the composer read creator_info afresh for every post and
offer only what it allows (the dashboard's composer does): exactly its privacy options, its
maximum video length, and no interaction it disabled. The API holds the same rules here, so a
caller cannot skip what the dashboard enforces, and learns of a breach as a 422 naming the
field instead of a failed post minutes later.

When creator_info cannot be read at this moment (TikTok down or throttling, the daily cap
reached, the account unusable), the post is still accepted: the publish workflow's creator
check (posts.publish.publishing.check_creator) applies the same rules, on a copy fresh at
publish time, before anything reaches TikTok, and an account that is not ready is refused by
posts.service as before.
"""

from __future__ import annotations

from tikpost.accounts import service as accounts
from tikpost.accounts.schemas import CreatorInfoRead
from tikpost.accounts.tokens import TokenSource
from tikpost.kit.errors import ApiError
from tikpost.posts.schemas import PostCreate
from tikpost.teams.schemas import TeamRead

# (the post's field, creator_info's flag, what the creator sees it called)
INTERACTIONS = (
    ("disable_comment", "comment_disabled", "comments"),
    ("disable_duet", "duet_disabled", "duets"),
    ("disable_stitch", "stitch_disabled", "stitches"),
)


async def fresh_creator_info(
    tokens: TokenSource, team: TeamRead, request: PostCreate
) -> CreatorInfoRead | None:
    """creator_info as TikTok answers it now (the creator-info route's own call), for a direct
    post; None for a draft (TikTok lets the creator choose in the app) or when it cannot be
    read now (see the module's docstring for who checks then)."""
    if request.mode != "direct":
        return None
    try:
        return await accounts.creator_info(tokens, team, request.account_id)
    except ApiError:
        return None


def check_creator(
    request: PostCreate, info: CreatorInfoRead, duration_ms: int | None
) -> dict[str, bool]:
    """Refuse what the creator does not allow; the interactions they disabled, which the
    request left unsaid, are returned to be stored switched off (as TikTok's composer greys
    them out)."""
    who = f"@{info.creator_username}"
    offered = info.privacy_level_options
    # No privacy yet: the post waits for a person to choose one (posts.service.create_post).
    if request.privacy_level is not None and request.privacy_level not in offered:
        raise ApiError(
            422,
            "privacy_not_offered",
            f"{who} does not offer privacy_level {request.privacy_level}; choose one of "
            f"{', '.join(info.privacy_level_options)} (GET /v1/accounts/{{id}}/creator-info).",
            "privacy_level",
        )
    limit_sec = info.max_video_post_duration_sec
    if duration_ms is not None and duration_ms > limit_sec * 1000:
        raise ApiError(
            422,
            "video_too_long_for_creator",
            f"the video lasts {duration_ms / 1000:.1f} s; {who} may post at most {limit_sec} s.",
            "video",
            details={"value": duration_ms / 1000, "limit": limit_sec},
        )
    switched_off: dict[str, bool] = {}
    # Photo posts have comments only (rules.check_photo_request refuses duet and stitch).
    for field, flag, name in INTERACTIONS[:1] if request.photos is not None else INTERACTIONS:
        if not getattr(info, flag):
            continue
        if field in request.model_fields_set and not getattr(request, field):
            raise ApiError(
                422,
                f"{flag}_by_creator",
                f"{who} turned {name} off in TikTok's settings, so this post cannot allow them; "
                f"omit {field} or set it to true.",
                field,
            )
        switched_off[field] = True
    return switched_off
