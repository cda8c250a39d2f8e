"""One Algorhythm post: its media fetched (a video by tikpost's URL import, slides here), then
posted through tikpost's intake with what TikTok has no field for kept on the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from tikpost.accounts import service as accounts
from tikpost.accounts.models import AccountApi
from tikpost.accounts.schemas import AccountRead
from tikpost.compat import replay
from tikpost.compat.algorhythm import slideshow, translate
from tikpost.compat.algorhythm.schemas import TaskCreate, TaskCreated
from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.kit.safe_fetch import UrlGuard
from tikpost.kit.url_guard import require_allowed
from tikpost.media.schemas import MediaRead
from tikpost.posts import fetched, shaped_webhooks
from tikpost.posts.consent import Consent
from tikpost.posts.intake import Intake
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead
from tikpost.teams.service import Authenticated
from tikpost.webhooks.schemas import check_webhook_url

VENDOR = "algorhythm"
PUBLISHED = "post.published"


async def require_profile(database: Database, team: TeamRead, profile_id: str) -> AccountRead:
    """Another team's account, or none: Algorhythm's 404 (nothing says which)."""
    async with database.session() as session:
        try:
            return await accounts.get_account(session, team, profile_id)
        except ApiError:
            raise ApiError(404, "profile_not_found", "Profile not found", "profile_id") from None


async def check_urls(task: TaskCreate, guard: UrlGuard, settings: Settings) -> None:
    allow_http = settings.allow_private_urls
    translate.check_url(task.media_url, "media_url", allow_http)
    if task.webhook_url is not None:
        translate.check_url(task.webhook_url, "webhook_url", allow_http)
        try:
            check_webhook_url(task.webhook_url)
        except ValueError as exc:
            raise ApiError(422, "validation_error", f"webhook_url: {exc}", "webhook_url") from None
        await require_allowed(task.webhook_url, guard, "webhook_url")


def _notes(
    task: TaskCreate, request_hash: str, left_out: list[str]
) -> list[tuple[str, Mapping[str, Any]]]:
    kept: dict[str, Any] = {"sound_id": task.sound_id} if task.sound_id else {}
    notes: list[tuple[str, Mapping[str, Any]]] = [
        replay.note(VENDOR, request_hash, "Received through the Algorhythm-compatible API", **kept)
    ]
    notes += [(text, {}) for text in left_out]
    if task.webhook_url is not None:
        shape = shaped_webhooks.declare(
            task.webhook_url,
            PUBLISHED,
            {"event": PUBLISHED, "phone_id": task.profile_id},
            {"post_url": "post_url"},
        )
        notes.append((f"Algorhythm's post.published will be sent to {task.webhook_url}", shape))
    return notes


async def submit(
    task: TaskCreate,
    key: Authenticated,
    intake: Intake,
    idempotency_key: str | None,
) -> tuple[TaskCreated, bool]:
    """Post `task`; (Algorhythm's answer, whether an earlier identical request is replayed)."""
    team = key.team
    database, storage, guard, settings = (
        intake.database,
        intake.storage,
        intake.guard,
        intake.settings,
    )
    request_hash = replay.digest(VENDOR, task.model_dump(mode="json"))
    earlier = await replay.replayed(database, team, idempotency_key, request_hash)
    if earlier is not None:
        was_business = earlier.api == AccountApi.BUSINESS
        notes = translate.left_out(task, was_business)
        return _created(earlier.id, task, notes, earlier.sound is not None), True
    profile = await require_profile(database, team, task.profile_id)
    business = profile.api == AccountApi.BUSINESS
    left_out = translate.left_out(task, business)
    await check_urls(task, guard, settings)
    translate.execute_at(task)  # refused before anything is fetched
    slides: list[MediaRead] = []
    if task.media_type == "slideshow":
        slides = await slideshow.import_slides(
            database, storage, guard, settings, team, task.media_url
        )
    try:
        try:
            post = translate.post_create(
                task,
                [slide.id for slide in slides] if task.media_type == "slideshow" else None,
                business,
            )
        except ValidationError as exc:
            raise ApiError(422, "validation_error", str(exc.errors()[0]["msg"])) from None
        done = await intake.accept(
            team,
            post,
            idempotency_key,
            Consent.api_key(key.api_key_id),
            notes=_notes(task, request_hash, left_out),
        )
    except BaseException:
        await fetched.discard(database, storage, team, slides)
        raise
    applied = translate.applies_sound(task, business)
    return _created(done.post.id, task, left_out, applied), done.replayed


def _created(post_id: str, task: TaskCreate, left_out: list[str], applied: bool) -> TaskCreated:
    return TaskCreated(
        task_id=post_id, sound_applied=applied if task.sound_id else None, notes=left_out
    )
