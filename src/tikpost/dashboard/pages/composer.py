"""The composer: one post, video or photo carousel, made by a person under TikTok's Direct Post
rules (R1-R5 of the audit: docs/tiktok-audit.md).

Every open reads creator_info afresh (the creator-info route's own service), so what the page
offers is what TikTok allows now; when TikTok says the creator cannot post now, the page says
so and offers no form. Publishing goes through POST /v1/posts's own intake (posts.intake), so
every rule the page enforces is enforced again by the server, with the dashboard session as
the consent given. The browser code is static/composer.js.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from tikpost.accounts import service as accounts
from tikpost.accounts.schemas import CreatorInfoRead
from tikpost.dashboard.pages.composer_media import IMPORT_PATH, UPLOAD_PATH
from tikpost.dashboard.pages.composer_sounds import SOUNDS_PATH
from tikpost.dashboard.pages.composer_view import (
    PATH,
    page_context,
    review_context,
    status_context,
)
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedIn, SignedInDep
from tikpost.dashboard.templates import render
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep, TokensDep
from tikpost.kit.errors import ApiError, error_response, field_name
from tikpost.posts import service
from tikpost.posts.consent import Consent
from tikpost.posts.deps import IntakeDep
from tikpost.posts.schemas import PostCreate, PostRead
from tikpost.posts.statuses import PostStatus

router = page_router()


async def _creator(
    tokens: TokensDep, signed: SignedIn, account_id: str
) -> tuple[CreatorInfoRead | None, str | None]:
    """creator_info now, or why the creator cannot post now (TikTok's spam-risk and cap codes,
    an account to reconnect, TikTok unreachable). Another team's account stays a 404."""
    try:
        return await accounts.creator_info(tokens, signed.team, account_id), None
    except ApiError as exc:
        if exc.status == 404:
            raise
        return None, exc.message


@router.get(PATH, response_class=HTMLResponse)
async def composer_page(
    request: Request,
    signed: SignedInDep,
    database: DatabaseDep,
    tokens: TokensDep,
    settings: SettingsDep,
    account: str | None = None,
    post: str | None = None,
) -> Response:
    """`?account=` picks the account (the only ready one by default); `?post=` opens a post
    awaiting review, with Approve and Reject (composer_review.py)."""
    held: PostRead | None = None
    async with database.session() as session:
        listed = await accounts.list_accounts(session, signed.team)
        if post is not None:
            held = await service.read(session, await service.get_post(session, signed.team, post))
    if held is not None:
        if held.status != PostStatus.AWAITING_REVIEW:
            raise ApiError(
                409, "post_not_awaiting_review", f"the post is {held.status}, not awaiting review"
            )
        account = held.account_id
    ready = [a for a in listed if a.status == "ready"]
    if account is None and len(ready) == 1:
        account = ready[0].id
    chosen = next((a for a in listed if a.id == account), None)
    if account is not None and chosen is None:
        raise ApiError(404, "account_not_found", f"no account with id {account}", "account")
    info, unavailable = (None, None)
    if chosen is not None:
        info, unavailable = await _creator(tokens, signed, chosen.id)
    context = page_context(ready, chosen, info, unavailable)
    context.update(
        upload_url=UPLOAD_PATH, import_url=IMPORT_PATH, publish_url=PATH, sounds_url=SOUNDS_PATH
    )
    if held is not None:
        context.update(review_context(held, info, settings))
        context["publish_url"] = f"{PATH}/review/{held.id}/approve"
    return render(request, "composer.html", context, signed=signed)


def json_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.field)


def validation_error(exc: ValidationError) -> Response:
    first = exc.errors()[0]
    field = field_name(first.get("loc", ()))
    message = str(first.get("msg", "invalid value"))
    return error_response(422, "validation_error", f"{field}: {message}", field)


@router.post(PATH)
async def publish(
    request: Request,
    signed: SignedInDep,
    intake: IntakeDep,
) -> Response:
    """The publish button: the post as POST /v1/posts takes it, accepted by the same intake,
    with this session's consent. Answers the notice and the live status (an htmx fragment)."""
    try:
        body = PostCreate.model_validate_json(await request.body())
    except ValidationError as exc:
        return validation_error(exc)
    try:
        accepted = await intake.accept(
            signed.team, body, None, Consent.dashboard(signed.session_id)
        )
    except ApiError as exc:
        return json_error(exc)
    return render(
        request, "composer_result.html", status_context(accepted.post), signed=signed, status=202
    )


@router.get(PATH + "/status/{post_id}", response_class=HTMLResponse)
async def post_status(
    request: Request, signed: SignedInDep, session: SessionDep, post_id: str
) -> Response:
    """The post's status, polled by htmx every second until it is final."""
    post = await service.read(session, await service.get_post(session, signed.team, post_id))
    return render(request, "composer_status.html", status_context(post), signed=signed)
