"""The review queue: posts an API caller held for a person's consent, approved or rejected here.

Each entry shows what the caller chose (privacy, interactions, disclosure, schedule) so a
person can consent to exactly that; "Open in the composer" (composer_review.py) lets them
change it first. Approve and reject are posts.review's, as the API's routes, with the signed-in
session as the consent's proof.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tikpost.accounts import service as accounts
from tikpost.dashboard import local_time
from tikpost.dashboard.flash import set_flash
from tikpost.dashboard.pages.posts import account_names, caption
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.dashboard.templates import render
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep
from tikpost.posts import review, service
from tikpost.posts.consent import Consent
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import PostStatus

router = page_router()
PATH = "/review"
QUEUE_SIZE = 200


def choices(post: PostRead) -> list[tuple[str, str]]:
    """What the caller asked for, in the words a person checks before consenting."""
    if post.review_reason == service.PRIVACY_REQUIRED:
        privacy = "not chosen yet: open it in the composer to choose who can see it"
    else:
        privacy = post.privacy_level or "chosen by the creator in TikTok (draft)"
    shown = [("Privacy", privacy)]
    if post.mode == "direct":
        allowed = [
            name
            for name, off in (
                ("comments", post.disable_comment),
                ("duets", post.disable_duet),
                ("stitches", post.disable_stitch),
            )
            if not off and (post.media_type == "video" or name == "comments")
        ]
        shown.append(("Allows", ", ".join(allowed) or "no interactions"))
        disclosure = [
            label
            for label, on in (
                ("your brand", post.brand_organic_toggle),
                ("branded content (paid partnership)", post.brand_content_toggle),
            )
            if on
        ]
        shown.append(("Promotes", ", ".join(disclosure) or "nothing (not disclosed)"))
        if post.is_aigc:
            shown.append(("Label", "AI-generated"))
    shown.append(("Kind", f"{post.media_type} {'post' if post.mode == 'direct' else 'draft'}"))
    return shown


@router.get(PATH, response_class=HTMLResponse)
async def review_page(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    page = await service.list_posts(
        session,
        signed.team,
        status=PostStatus.AWAITING_REVIEW,
        account_id=None,
        cursor=None,
        limit=QUEUE_SIZE,
    )
    listed = await accounts.list_accounts(session, signed.team)
    context = {
        "posts": page.items,
        "names": account_names(listed),
        "zone": local_time.zone_name(request),
        "local": local_time.local,
        "caption": caption,
        "choices": choices,
    }
    return render(request, "review.html", context, signed=signed)


@router.post(PATH + "/{post_id}/approve")
async def approve(
    post_id: str, signed: SignedInDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    async with database.session(write=True) as session:
        post = await review.approve(
            session, signed.team, post_id, Consent.dashboard(signed.session_id)
        )
    await review.after_commit(post)
    response = RedirectResponse(PATH, status_code=303)
    set_flash(response, settings, f"Approved: the post is {post.status}.")
    return response


@router.post(PATH + "/{post_id}/reject")
async def reject(
    post_id: str,
    reason: Annotated[str, Form(max_length=2000)],
    signed: SignedInDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    response = RedirectResponse(PATH, status_code=303)
    if not reason.strip():
        set_flash(response, settings, "Say why the post is rejected.", "error")
        return response
    async with database.session(write=True) as session:
        await review.reject(
            session, signed.team, post_id, reason.strip(), Consent.dashboard(signed.session_id)
        )
    set_flash(response, settings, "Rejected: the post is cancelled.")
    return response
