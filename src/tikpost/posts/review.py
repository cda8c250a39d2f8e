"""The review queue: a post that needs a person's consent waits for it before any workflow runs.

Automated callers (pipelines, AI agents) create posts with `"review": "required"`, or their team
makes it the default; TikTok's rules ask that a person consents to what is posted in their name.
A held post sits in `awaiting_review` with no workflow, so nothing reaches TikTok until a person
approves it. Approving, rejecting and editing take the post's row lock, as cancel does (see
posts.fencing), so two of them racing serialise and the later one finds the status changed (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import repository as accounts
from tikpost.accounts import service as account_service
from tikpost.accounts.schemas import CreatorInfoRead
from tikpost.accounts.tokens import TokenSource
from tikpost.kit.db import Database, utcnow
from tikpost.kit.errors import ApiError
from tikpost.media import service as media
from tikpost.posts import business_rules, creator_rules, repository, rules, schemas, service
from tikpost.posts.consent import Consent
from tikpost.posts.models import Post
from tikpost.posts.publish.workflow import start_publishing
from tikpost.posts.schemas import PostUpdate
from tikpost.posts.statuses import PostStatus
from tikpost.teams.schemas import TeamRead
from tikpost.webhooks import service as webhooks
from tikpost.webhooks.workflow import start_deliveries

HELD = PostStatus.AWAITING_REVIEW
# What `PostCreate` takes that an edit may change; the media and the account stay as created.
EDITABLE = tuple(PostUpdate.model_fields)


__all__ = ["Consent", "after_commit", "announce", "approve", "edit", "reject"]


async def announce(session: AsyncSession, post: Post) -> list[str]:
    """Record the `post.awaiting_review` deliveries (sent by `after_commit`)."""
    body = await service.read(session, post)
    extra = [post.webhook_url] if post.webhook_url else []
    return await webhooks.emit(
        session, post.team_id, "post.awaiting_review", body.model_dump(mode="json"), extra
    )


async def after_commit(post: Post, deliveries: Sequence[str] = ()) -> None:
    """What follows a committed change: the publish workflow for a post now on its way (the
    same enqueue as intake), and any webhook deliveries recorded meanwhile."""
    if post.status in (PostStatus.QUEUED, PostStatus.SCHEDULED):
        await start_publishing(post)
    await start_deliveries(deliveries)


async def _held_post(session: AsyncSession, team: TeamRead, post_id: str, action: str) -> Post:
    post = await service.get_post(session, team, post_id)
    if post.status != HELD:
        raise ApiError(
            409,
            "post_not_awaiting_review",
            f"the post is {post.status}: only a post awaiting review can be {action}",
        )
    return post


async def approve(session: AsyncSession, team: TeamRead, post_id: str, consent: Consent) -> Post:
    """The person's consent: the post goes on as if just created (queued, or scheduled)."""
    post = await _held_post(session, team, post_id, "approved")
    account = await accounts.get_for_team(session, team.id, post.account_id)
    if account is not None and account.status != "ready":
        raise ApiError(
            409,
            f"account_{account.status}",
            f"the account is {account.status}: connect it again before approving",
            "account_id",
        )
    if post.media_id is None and post.video_url is None and not post.photos:
        # A vendor's post group (compat/postpost) is held before its video is attached.
        raise ApiError(
            422,
            "media_required",
            "this post has no video or photos yet: attach them before approving",
            "video",
        )
    if post.mode == "direct" and post.privacy_level is None:
        raise ApiError(
            422,
            service.PRIVACY_REQUIRED,
            "choose who can see this post first: set privacy_level to one of the creator's "
            "options (PATCH /v1/posts/{id}, or the dashboard's review page), then approve",
            "privacy_level",
        )
    now = utcnow()
    post.reviewed_at = post.consent_at = now
    post.consent, post.consent_by = consent.kind, consent.by
    post.review_note = None
    if post.scheduled_at is not None and post.scheduled_at > now:
        await service.record(
            session,
            post,
            PostStatus.SCHEDULED,
            f"Approved; scheduled for {post.scheduled_at.isoformat()}",
            consent=consent.kind,
        )
    else:
        await service.record(
            session,
            post,
            PostStatus.QUEUED,
            "Approved; waiting for its turn on the account's queue",
            consent=consent.kind,
        )
    return post


async def reject(
    session: AsyncSession, team: TeamRead, post_id: str, reason: str, consent: Consent
) -> Post:
    """No consent: the post ends cancelled, the reason kept as its error and in its timeline."""
    post = await _held_post(session, team, post_id, "rejected")
    post.reviewed_at = utcnow()
    post.review_note = reason
    post.error_code = "review_rejected"
    post.error_message = f"Rejected in review: {reason}"
    await service.record(
        session, post, PostStatus.CANCELLED, post.error_message, by=consent.kind, reason=reason
    )
    return post


async def fresh_creator(
    database: Database, tokens: TokenSource, team: TeamRead, post_id: str
) -> CreatorInfoRead | None:
    """creator_info as TikTok answers it now, for an edit of a direct post (read before the
    edit's write transaction, as intake does); None when it cannot be read now, as the publish
    workflow checks it again anyway."""
    async with database.session() as session:
        post = await repository.get(session, post_id)
    if post is None or post.team_id != team.id or post.mode != "direct":
        return None
    try:
        return await account_service.creator_info(tokens, team, post.account_id)
    except ApiError:
        return None


async def edit(
    session: AsyncSession,
    team: TeamRead,
    post_id: str,
    changes: PostUpdate,
    creator: CreatorInfoRead | None = None,
) -> Post:
    """Change a held post (it stays held, and any approval is void), or move a scheduled one;
    `creator` (`fresh_creator`) holds the edit to the creator's own settings, as a new post."""
    fields = changes.model_dump(exclude_unset=True)
    post = await service.get_post(session, team, post_id)
    if post.status == PostStatus.SCHEDULED and set(fields) == {"scheduled_at"}:
        when = fields["scheduled_at"]
        if when is None:
            raise ApiError(
                422, "scheduled_at_required", "give the new time to reschedule", "scheduled_at"
            )
        return await service.reschedule_post(session, team, post_id, when)
    if post.status != HELD:
        raise ApiError(
            409,
            "post_not_editable",
            f"the post is {post.status}: only a post awaiting review can be edited "
            "(a scheduled post can be given a new scheduled_at alone)",
        )
    fields.update(await _check(session, team, post, fields, creator))
    for name, value in fields.items():
        setattr(post, name, value)
    if post.review_reason == service.PRIVACY_REQUIRED and post.privacy_level is not None:
        post.review_reason = None
    post.reviewed_at = post.consent = post.consent_by = post.consent_at = None
    await service.record(
        session, post, HELD, "Edited; waiting for review again", fields=sorted(fields)
    )
    return post


async def _check(
    session: AsyncSession,
    team: TeamRead,
    post: Post,
    fields: dict[str, Any],
    creator: CreatorInfoRead | None,
) -> dict[str, bool]:
    """The rules of POST /v1/posts, on the post as it would be after the edit; returns the
    interactions the creator turned off, to be stored off (as intake does)."""
    request = schemas.PostCreate.model_validate({**_as_created(post), **fields})
    rules.check_request(request)
    account = await accounts.get_for_team(session, team.id, post.account_id)
    if account is not None:
        business_rules.adjusted(request, account)
    duration_ms: int | None = None
    if post.media_type == "video" and post.media_id is not None:
        video = await media.get_media(session, team.id, post.media_id)
        duration_ms = rules.check_video(request, video, transcode=post.transcode).duration_ms
    if creator is None or request.mode != "direct":
        return {}
    return creator_rules.check_creator(request, creator, duration_ms)


def _as_created(post: Post) -> dict[str, Any]:
    """The stored post as the request that would create it: what it set, no defaults, so the
    rules about fields a kind of post does not take see only what the post really has."""
    body: dict[str, Any] = {"account_id": post.account_id, "mode": post.mode}
    if post.media_type == "photo":
        body["photos"] = post.photos
    elif post.media_id is not None:
        body["video"] = post.media_id
    else:
        body["video_url"] = post.video_url
    for name in EDITABLE:
        value = getattr(post, name)
        if name != "scheduled_at" and value is not None and value is not False:
            body[name] = value
    return body
