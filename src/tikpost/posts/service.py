"""Rules for posts: accepting one, reading them, cancelling and retrying.

Services never commit; the endpoint's unit of work does, and only after it commits is the
publish workflow enqueued (keyed by the post, so enqueueing twice is harmless).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import repository as accounts
from tikpost.accounts.schemas import CreatorInfoRead
from tikpost.kit.db import utcnow
from tikpost.kit.errors import ApiError
from tikpost.kit.ids import new_id
from tikpost.media import service as media
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges
from tikpost.posts import business_rules, creator_rules, photos, repository, rules
from tikpost.posts.consent import Consent
from tikpost.posts.failures import Failure
from tikpost.posts.models import Post, PostEvent
from tikpost.posts.schemas import PostCreate, PostError, PostEventRead, PostPage, PostRead
from tikpost.posts.statuses import FINAL_STATUSES, PostStatus
from tikpost.teams.schemas import TeamRead

PAGE_SIZE = 50
CANCELLABLE = frozenset({PostStatus.AWAITING_REVIEW, PostStatus.SCHEDULED, PostStatus.QUEUED})
RETRYABLE = frozenset({PostStatus.FAILED, PostStatus.CANCELLED})
# `Post.review_reason` of a direct post held until a person chooses its privacy.
PRIVACY_REQUIRED = "privacy_level_required"


def request_hash(request: PostCreate) -> str:
    """Same body, same hash: what makes a repeated Idempotency-Key the same request."""
    body = request.model_dump(mode="json", exclude_unset=True)
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def workflow_id(post: Post) -> str:
    """The post's id, and a new id per retry (DBOS returns a finished id's result, not reruns)."""
    return post.id if post.attempt == 1 else f"{post.id}.{post.attempt}"


async def record(session: AsyncSession, post: Post, status: str, message: str, **data: Any) -> None:
    """Move the post to `status` and write the step into its timeline."""
    post.status = status
    post.updated_at = utcnow()
    if status in FINAL_STATUSES:
        post.finished_at = post.updated_at
    await repository.add_event(
        session, PostEvent(post_id=post.id, status=status, message=message, data=data)
    )


async def record_if_open(session: AsyncSession, post_id: str, message: str, **data: Any) -> None:
    """A timeline line on a post still in flight, its status unchanged: what a wait says."""
    post = await repository.get_for_update(session, post_id)
    if post is not None and post.status not in FINAL_STATUSES:
        await record(session, post, post.status, message, **data)


async def fail(session: AsyncSession, post: Post, failure: Failure) -> None:
    """End the post with `failure`: its error fields and the timeline's last line."""
    post.error_code = failure.code
    post.error_message = failure.message
    post.fail_reason = failure.fail_reason
    await record(session, post, "failed", failure.message, code=failure.code)


async def create_post(
    session: AsyncSession,
    team: TeamRead,
    request: PostCreate,
    idempotency_key: str | None,
    files: FileChanges,
    imported: MediaRead | None = None,
    imported_photos: Mapping[int, str] | None = None,
    *,
    transcode_default: bool = False,
    creator: CreatorInfoRead | None = None,
    consent: Consent,
) -> tuple[Post, bool]:
    """Validate everything TikTok would refuse, then store the post; (post, created).

    `files` records media written for the post (photos converted for TikTok), so the caller
    removes them if the post is not committed. `imported_photos` maps each URL item of
    `photos` to the media `photos.import_urls` fetched for it. `transcode_default` is the
    server's TIKPOST_TRANSCODE_DEFAULT, for requests that do not say `transcode`. `creator`
    is a fresh creator_info for a direct post (None when it could not be read: the publish
    workflow checks it then); `consent` is how the person agreed to the post.
    """
    digest = request_hash(request)
    if idempotency_key is not None:
        existing = await repository.find_by_idempotency_key(session, team.id, idempotency_key)
        if existing is not None:
            return replayed(existing, digest), False
    rules.check_request(request)
    account = await accounts.get_for_team(session, team.id, request.account_id)
    if account is None:
        raise ApiError(422, "account_not_found", "no such account", "account_id")
    if account.status != "ready":
        raise ApiError(
            409,
            f"account_{account.status}",
            f"the account is {account.status}: connect it again (POST /v1/accounts/connect)",
            "account_id",
        )
    request = business_rules.adjusted(request, account)
    request = _with_default_privacy(request, account.default_privacy_level)
    # A direct post with no privacy, even from the account's default, waits for a person.
    privacy_missing = request.mode == "direct" and request.privacy_level is None
    media_id: str | None = None
    photo_ids: list[str] | None = None
    duration_ms: int | None = None
    transcode = transcode_default if request.transcode is None else request.transcode
    if request.photos is not None:
        photo_ids = await photos.prepare_photos(
            session, files, team.id, request.photos, imported_photos
        )
    elif request.video_url is not None:
        # `imported`: the URL fetched by posts.video_url.prepare; None: TikTok pulls it.
        if imported is not None:
            duration_ms = rules.check_video(request, imported, transcode=transcode).duration_ms
            business_rules.check_size(account, imported.size_bytes)
            media_id = imported.id
        elif request.transcode:
            raise ApiError(
                422,
                "cannot_transcode_pulled_url",
                "TikTok downloads a video_url under a verified prefix itself, so tikpost cannot "
                "transcode it: upload the video (POST /v1/media) or use an unverified URL.",
                "transcode",
            )
    else:
        assert request.video is not None
        try:
            video = await media.get_media(session, team.id, request.video)
        except ApiError as exc:
            raise ApiError(422, "media_not_found", "no such media", "video") from exc
        duration_ms = rules.check_video(request, video, transcode=transcode).duration_ms
        business_rules.check_size(account, video.size_bytes)
        media_id = video.id
    scheduled = request.scheduled_at is not None and request.scheduled_at > utcnow()
    # Held for review (posts.review): no workflow until a person approves.
    held = request.review == "required" or (request.review is None and team.review_by_default)
    held = held or privacy_missing
    fields = request.model_dump(exclude={"video", "webhook_url", "photos", "transcode", "review"})
    if creator is not None:
        fields.update(creator_rules.check_creator(request, creator, duration_ms))
    if photo_ids is not None:
        fields.update(
            media_type="photo", photos=photo_ids, photo_cover_index=request.photo_cover_index or 0
        )
    post = Post(
        team_id=team.id,
        status="awaiting_review" if held else "scheduled" if scheduled else "queued",
        review_required=held,
        api=account.api,
        review_reason=PRIVACY_REQUIRED if privacy_missing else None,
        media_id=media_id,
        # Photos are converted at creation (posts.photos); transcoding is for videos.
        transcode=transcode and media_id is not None,
        webhook_url=str(request.webhook_url) if request.webhook_url else None,
        idempotency_key=idempotency_key,
        request_hash=digest,
        **fields,
    )
    if not held:
        # A held post's consent is given on approval (posts.review), not by its caller.
        post.consent, post.consent_by, post.consent_at = consent.kind, consent.by, utcnow()
    # A held post keeps the time asked for: approval decides whether it is still ahead.
    post.scheduled_at = request.scheduled_at if scheduled or held else None
    if privacy_missing:
        return await add_once(
            session,
            team,
            post,
            "Waiting for a person to choose who can see it: the post names no privacy_level and "
            "the account has no default_privacy_level (tikpost never guesses one)",
            reason=PRIVACY_REQUIRED,
        )
    if held:
        message = "Waiting for a person's review (the dashboard's review queue)"
    elif post.scheduled_at:
        message = f"Scheduled for {post.scheduled_at.isoformat()}"
    else:
        message = "Accepted; waiting for its turn on the account's queue"
    return await add_once(session, team, post, message)


def _with_default_privacy(request: PostCreate, default: str | None) -> PostCreate:
    """A direct post naming no privacy takes the account's default, set by a person; it is
    then checked like a given one (rules here, creator_info in `creator_rules`)."""
    if request.mode != "direct" or request.privacy_level is not None or default is None:
        return request
    with_default = request.model_copy(update={"privacy_level": default})
    rules.check_privacy(with_default)
    return with_default


async def add_once(
    session: AsyncSession, team: TeamRead, post: Post, first_line: str, **data: Any
) -> tuple[Post, bool]:
    """Insert the new `post` with the first line of its timeline; (post, created). When another
    request with the same Idempotency-Key committed first, that one's post is the answer (its
    body must be the same request).

    One flush writes both rows (the id is made here, not at the flush, so the line can name its
    post), and only a post with a key, the one thing that can collide, pays for a SAVEPOINT:
    a create is the API's hottest write."""
    post.id = new_id("post")
    first = PostEvent(post_id=post.id, status=post.status, message=first_line, data=data)
    key = post.idempotency_key
    try:
        async with session.begin_nested() if key is not None else contextlib.nullcontext():
            session.add_all((post, first))
            await session.flush()
    except IntegrityError:
        if key is None:
            raise
        existing = await repository.find_by_idempotency_key(session, team.id, key)
        if existing is None:
            raise
        return replayed(existing, post.request_hash or ""), False
    return post, True


def replayed(existing: Post, digest: str) -> Post:
    """The stored post for a repeated Idempotency-Key, if the request is the same one."""
    if existing.request_hash != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
            "Idempotency-Key",
        )
    return existing


async def read(session: AsyncSession, post: Post) -> PostRead:
    events = await repository.events_for(session, [post.id])
    return to_read(post, events[post.id])


def to_read(post: Post, events: list[PostEvent]) -> PostRead:
    error = (
        PostError(
            code=post.error_code, message=post.error_message or "", fail_reason=post.fail_reason
        )
        if post.error_code
        else None
    )
    fields: dict[str, Any] = {
        name: getattr(post, name) for name in PostRead.model_fields if hasattr(post, name)
    }
    fields.update(
        video=post.media_id,
        transcoded_video=post.transcoded_media_id,
        error=error,
        events=[PostEventRead.model_validate(event) for event in events],
    )
    return PostRead.model_validate(fields)


async def get_post(session: AsyncSession, team: TeamRead, post_id: str) -> Post:
    post = await repository.get_for_team(session, team.id, post_id)
    if post is None:
        raise ApiError(404, "post_not_found", f"no post with id {post_id}", "id")
    return post


async def list_posts(
    session: AsyncSession,
    team: TeamRead,
    *,
    status: str | None,
    account_id: str | None,
    cursor: str | None,
    limit: int = PAGE_SIZE,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
) -> PostPage:
    posts = await repository.list_for_team(
        session,
        team.id,
        status=status,
        account_id=account_id,
        before_id=cursor,
        limit=limit + 1,
        created_from=created_from,
        created_before=created_before,
    )
    page, more = posts[:limit], len(posts) > limit
    events = await repository.events_for(session, [post.id for post in page])
    return PostPage(
        items=[to_read(post, events[post.id]) for post in page],
        next_cursor=page[-1].id if more and page else None,
    )


async def posts_between(
    session: AsyncSession, team: TeamRead, start: datetime, end: datetime, limit: int = 500
) -> list[PostRead]:
    """Posts planned for (scheduled_at) or finished in [start, end), for a calendar."""
    posts = await repository.in_window(session, team.id, start, end, limit)
    events = await repository.events_for(session, [post.id for post in posts])
    return [to_read(post, events[post.id]) for post in posts]


async def cancel_post(
    session: AsyncSession, team: TeamRead, post_id: str, *, via: str = "the API"
) -> Post:
    """Under the post's row lock, which the workflow's steps take too (see posts.publish.fencing):
    the workflow marks the post `uploading` before anything that can reach TikTok, so a cancel
    either lands first, and the workflow stops at its next check, or is refused."""
    post = await get_post(session, team, post_id)
    if post.status not in CANCELLABLE:
        raise ApiError(
            409,
            "post_not_cancellable",
            f"the post is {post.status}: only scheduled or queued posts can be cancelled, "
            "before tikpost starts sending it to TikTok",
        )
    post.error_code = "cancelled"
    post.error_message = f"Cancelled through {via} before the upload started."
    await record(session, post, "cancelled", f"Cancelled through {via}")
    return post


async def retry_post(session: AsyncSession, team: TeamRead, post_id: str) -> Post:
    post = await get_post(session, team, post_id)
    if post.status not in RETRYABLE:
        raise ApiError(
            409,
            "post_not_retryable",
            f"the post is {post.status}: only failed or cancelled posts can be retried",
        )
    post.attempt += 1
    post.publish_id = post.upload_url = post.tiktok_post_id = post.post_url = None
    post.error_code = post.error_message = post.fail_reason = None
    post.uploaded_bytes = 0
    post.finished_at = None
    status = "scheduled" if delay_seconds(post) else "queued"
    if post.review_required and post.consent is None:
        # Never approved (rejected, or cancelled while held): back to the review queue.
        status = PostStatus.AWAITING_REVIEW
        post.reviewed_at = post.review_note = None
    await record(session, post, status, f"Retry requested (attempt {post.attempt})")
    return post


async def reschedule_post(
    session: AsyncSession, team: TeamRead, post_id: str, when: datetime
) -> Post:
    """Move a scheduled post to `when`, under the row lock cancel takes.

    Its workflow is already enqueued, delayed to the old time, and DBOS cannot move it; so the
    post goes on as a new attempt (a new workflow id, enqueued by the caller after commit) and
    the old workflow, when it wakes, finds it is not the post's current one and does nothing.
    """
    post = await get_post(session, team, post_id)
    if post.status != PostStatus.SCHEDULED:
        raise ApiError(
            409,
            "post_not_reschedulable",
            f"the post is {post.status}: only a scheduled post can be rescheduled",
        )
    if when <= utcnow():
        raise ApiError(
            422, "scheduled_at_in_past", "the new time must be in the future", "scheduled_at"
        )
    post.scheduled_at = when
    post.attempt += 1
    await record(session, post, PostStatus.SCHEDULED, f"Rescheduled for {when.isoformat()}")
    return post


def delay_seconds(post: Post, now: datetime | None = None) -> float | None:
    if post.scheduled_at is None:
        return None
    return max(0.0, (post.scheduled_at - (now or utcnow())).total_seconds())
