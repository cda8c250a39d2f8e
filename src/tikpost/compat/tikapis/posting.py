"""One tikapis request: stream `videoFile` into media, then post it through tikpost's intake.

The file is streamed (never held in memory) in its own short transaction, like
`POST /v1/media`; the form's text fields arrive around it and are read once it is stored.
Whatever refuses the post afterwards (a replay, a rule, no account) deletes that media again.
"""

from __future__ import annotations

from fastapi import Request

from tikpost.accounts import service as accounts
from tikpost.compat import replay
from tikpost.compat.tikapis import translate
from tikpost.compat.tikapis.schemas import PostAccepted
from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.media import service as media_service
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges, Storage
from tikpost.posts import fetched
from tikpost.posts.consent import Consent
from tikpost.posts.intake import Intake
from tikpost.posts.schemas import PostCreate
from tikpost.settings import Settings
from tikpost.teams.schemas import TeamRead
from tikpost.teams.service import Authenticated

VENDOR = "tikapis"


async def choose_account(database: Database, team: TeamRead, wanted: str | None) -> str:
    """The account to post to: `accountId` if given, else the team's one account (tikapis
    users connect one); 404 as tikapis answers when there is none."""
    async with database.session() as session:
        listed = await accounts.list_accounts(session, team)
    if wanted is not None:
        if not any(account.id == wanted for account in listed):
            raise ApiError(404, "account_not_found", translate.NOT_CONNECTED, "accountId")
        return wanted
    if not listed:
        raise ApiError(404, "account_not_found", translate.NOT_CONNECTED)
    ready = [account for account in listed if account.status == "ready"]
    if len(listed) == 1 or len(ready) == 1:
        return (ready or listed)[0].id
    raise translate.bad_request(
        "several TikTok accounts are connected to this key's team: name one as form field "
        "accountId",
        "accountId",
    )


async def require_an_account(database: Database, team: TeamRead) -> None:
    async with database.session() as session:
        if not await accounts.list_accounts(session, team):
            raise ApiError(404, "account_not_found", translate.NOT_CONNECTED)


async def receive(
    database: Database,
    storage: Storage,
    settings: Settings,
    team: TeamRead,
    request: Request,
    form: dict[str, str],
) -> MediaRead:
    files = FileChanges(storage)
    try:
        async with database.session(write=True) as session:
            media = await media_service.upload_media(
                session,
                files,
                team.id,
                request.stream(),
                request.headers.get("content-type"),
                request.headers.get("content-length"),
                settings.max_media_bytes,
                field=translate.FILE_FIELD,
                form=form,
            )
    except BaseException:
        await files.rollback()
        raise
    await files.commit()
    return media


async def submit(
    request: Request,
    key: Authenticated,
    intake: Intake,
    idempotency_key: str | None,
) -> tuple[PostAccepted, bool]:
    """Post the request's video; (tikapis' answer, whether it replayed an earlier request)."""
    team = key.team
    database, storage = intake.database, intake.storage
    # Refused before a byte is streamed when no account could ever take the video.
    await require_an_account(database, team)
    form: dict[str, str] = {}
    media = await receive(database, storage, intake.settings, team, request, form)
    try:
        return await _post(key, intake, idempotency_key, form, media)
    except BaseException:
        await fetched.discard(database, storage, team, [media])
        raise


async def _post(
    key: Authenticated,
    intake: Intake,
    idempotency_key: str | None,
    form: dict[str, str],
    media: MediaRead,
) -> tuple[PostAccepted, bool]:
    team = key.team
    database, storage = intake.database, intake.storage
    caption = translate.caption_of(form)
    schedule = translate.schedule_of(form)
    wanted = form.get("accountId") or None
    request_hash = replay.digest(
        VENDOR,
        {"sha256": media.sha256, "caption": caption, "schedule": schedule, "account": wanted},
    )
    earlier = await replay.replayed(database, team, idempotency_key, request_hash)
    if earlier is not None:
        await fetched.discard(database, storage, team, [media])
        return translate.accepted(earlier), True
    post = PostCreate(
        account_id=await choose_account(database, team, wanted),
        video=media.id,
        title=caption,
        scheduled_at=schedule,
        # tikapis takes AVI (and any codec): tikpost converts what TikTok would refuse.
        transcode=True,
    )
    note = replay.note(VENDOR, request_hash, "Received through the tikapis-compatible API")
    done = await intake.accept(
        team, post, idempotency_key, Consent.api_key(key.api_key_id), notes=[note]
    )
    return translate.accepted(done.post), done.replayed
