"""PostPost's post group, kept as the tikpost post it becomes.

PostPost creates a post group before its video exists (`create-post`, then `get-upload-url`,
the upload, then `update-post` to `scheduled`). tikpost cannot accept a post without its video,
so the group is stored as a tikpost post held in `awaiting_review` — the state in which nothing
reaches TikTok — with no video yet. The request's own rules run at once (rules.check_request);
once the video is attached, `update-post` to `scheduled` runs everything else through the
review queue's edit (the media checks and the creator's fresh creator_info, as for any post) and
approves it with the caller's API key as the creator's consent, or, where the team reviews
every post, leaves it held for a person (PostPost's "pending").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import repository as accounts
from tikpost.accounts.schemas import CreatorInfoRead
from tikpost.compat.postpost import translate, uploads
from tikpost.compat.postpost.schemas import PostPostCreate, PostPostUpdate, PostPostUploadRequest
from tikpost.kit.errors import ApiError
from tikpost.media.upload_slots import UploadSlot
from tikpost.posts import repository, review, rules, service
from tikpost.posts.consent import Consent
from tikpost.posts.models import Post
from tikpost.posts.schemas import PostUpdate
from tikpost.posts.statuses import FINAL_STATUSES, PostStatus
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead

# Stands in for the video the group does not have yet, so the request's own rules can run.
_VIDEO_TO_COME = "postpost_upload"
# Being sent to TikTok: too late to change anything.
_ON_ITS_WAY = frozenset({PostStatus.UPLOADING, PostStatus.PROCESSING})


async def create(
    session: AsyncSession, team: TeamRead, body: PostPostCreate, idempotency_key: str | None
) -> tuple[Post, bool]:
    """Store the group (held, no video); (post, created). Replays as POST /v1/posts does."""
    open_id = translate.open_id_of(body)
    account = await accounts.find_by_open_id(session, team.id, open_id)
    if account is None:
        raise translate.invalid(
            f"no connected TikTok account tiktok-{open_id} in your team", "platforms"
        )
    request = translate.to_post_create(body, account.id)
    digest = service.request_hash(request)
    if idempotency_key is not None:
        existing = await repository.find_by_idempotency_key(session, team.id, idempotency_key)
        if existing is not None:
            return service.replayed(existing, digest), False
    rules.check_request(request.model_copy(update={"video": _VIDEO_TO_COME}))
    fields = request.model_dump(exclude={"video", "webhook_url", "photos", "transcode", "review"})
    post = Post(
        team_id=team.id,
        status=PostStatus.AWAITING_REVIEW,
        review_required=True,
        idempotency_key=idempotency_key,
        request_hash=digest,
        **fields,
    )
    return await service.add_once(
        session,
        team,
        post,
        "PostPost draft: waiting for its video (get-upload-url) and update-post to scheduled",
    )


async def upload_for(
    session: AsyncSession,
    settings: Settings,
    team: TeamRead,
    group_id: str,
    body: PostPostUploadRequest,
    idempotency_key: str | None,
) -> UploadSlot:
    """A presigned upload URL whose file becomes the group's video (the latest one asked)."""
    post = await service.get_post(session, team, group_id)
    if not translate.is_draft(post):
        raise ApiError(
            409,
            "post_group_not_draft",
            f"the post group is {translate.post_status(post)}: its video is already attached",
            "postGroupId",
        )
    slot = await uploads.issue(session, settings, team, body, idempotency_key)
    if await uploads.latest(session, post) == slot.public_url:
        return slot  # a retried request: the group already waits for this upload
    # On the timeline, not in `video_url`: a reviewer approving the group in the dashboard
    # before its upload must meet `media_required`, not a pull from tikpost's own upload URL.
    await service.record(
        session, post, post.status, "Upload URL issued for the video", **uploads.noted(slot)
    )
    return slot


async def schedule(
    session: AsyncSession,
    settings: Settings,
    team: TeamRead,
    group_id: str,
    when: datetime | None,
    consent: Consent,
    creator: CreatorInfoRead | None,
) -> tuple[Post, list[str]]:
    """`update-post` to `scheduled`: a draft takes its uploaded video and goes on (queued, or
    scheduled for `when`); a group already on its way keeps going, at `when` if given."""
    post = await service.get_post(session, team, group_id)
    if not translate.is_draft(post):
        _still_updatable(post)
        if when is not None:
            post = await review.edit(session, team, group_id, PostUpdate(scheduled_at=when))
        return post, []
    media_id = await uploads.uploaded(session, team, await uploads.latest(session, post))
    if media_id is None:
        raise translate.invalid(
            "TikTok requires a video: upload it to the uploadUrl from get-upload-url first",
            "postGroupId",
        )
    post.media_id = media_id
    post.transcode = settings.transcode_default
    changes = PostUpdate() if when is None else PostUpdate(scheduled_at=translate.future(when))
    post = await review.edit(session, team, group_id, changes, creator)
    if team.review_by_default:
        return post, await review.announce(session, post)
    return await review.approve(session, team, group_id, consent), []


async def update(
    session: AsyncSession,
    settings: Settings,
    team: TeamRead,
    group_id: str,
    changes: PostPostUpdate,
    consent: Consent,
    creator: CreatorInfoRead | None,
) -> tuple[Post, list[str]]:
    """PostPost's update-post: `status` (else the group's own) decides; `scheduledTime` moves it.
    Returns the post and the webhook deliveries to send once committed."""
    post = await service.get_post(session, team, group_id)
    when = changes.scheduled_time
    if changes.status == "draft" or (changes.status is None and translate.is_draft(post)):
        return await keep_as_draft(session, team, group_id, when), []
    return await schedule(session, settings, team, group_id, when, consent, creator)


async def keep_as_draft(
    session: AsyncSession, team: TeamRead, group_id: str, when: datetime | None
) -> Post:
    """`update-post` to `draft` (or a new time alone on a draft): only a draft stays one."""
    post = await service.get_post(session, team, group_id)
    if not translate.is_draft(post):
        _still_updatable(post)
        raise ApiError(
            409,
            "cannot_unschedule",
            "tikpost does not take a post on its way to TikTok back to draft: "
            "delete it (delete-post) and create it again",
            "status",
        )
    if when is not None:
        post.scheduled_at = when
        await service.record(session, post, post.status, f"Draft's time set to {when.isoformat()}")
    return post


def _still_updatable(post: Post) -> None:
    if post.status in FINAL_STATUSES or post.status in _ON_ITS_WAY:
        raise ApiError(
            400,
            "post_not_updatable",
            f"the post is {translate.post_status(post)}: only draft or scheduled posts can "
            "be updated",
            "status",
        )


async def delete(session: AsyncSession, team: TeamRead, group_id: str) -> None:
    """Cancelled, not erased: tikpost keeps a post's timeline. Deleting twice is fine."""
    post = await service.get_post(session, team, group_id)
    if post.status != PostStatus.CANCELLED:
        await service.cancel_post(session, team, group_id, via="the PostPost API")


async def account_open_id(session: AsyncSession, team: TeamRead, post: Post) -> str:
    """The account's open_id, PostPost's `platformId`."""
    account = await accounts.get_for_team(session, team.id, post.account_id)
    return account.open_id if account is not None else ""
