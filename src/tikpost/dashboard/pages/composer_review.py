"""A post awaiting review, opened in the composer: the person changes what they like, then
approves it (their consent: it goes on to TikTok) or rejects it with a reason.

The changes and the approval are posts.review's (the same as PATCH /v1/posts/{id} and
POST /v1/posts/{id}/approve), in one transaction: the post is approved exactly as shown.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from tikpost.dashboard.pages.composer import json_error, validation_error
from tikpost.dashboard.pages.composer_view import PATH, status_context
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.dashboard.templates import render
from tikpost.deps import DatabaseDep, TokensDep
from tikpost.kit.errors import ApiError
from tikpost.posts import review, service
from tikpost.posts.consent import Consent
from tikpost.posts.models import Post
from tikpost.posts.schemas import PostUpdate, ReviewRejection

router = page_router()


def _changes(post: Post, body: dict[str, Any]) -> PostUpdate:
    """The composer's choices that differ from the post's: only those are an edit."""
    given = {name: body[name] for name in PostUpdate.model_fields if name in body}
    given.setdefault("scheduled_at", None)
    current = PostUpdate.model_validate(given)
    changed = {
        name: getattr(current, name)
        for name in given
        if getattr(current, name) != getattr(post, name)
    }
    return PostUpdate.model_validate(changed)


@router.post(PATH + "/review/{post_id}/approve")
async def approve(
    request: Request,
    signed: SignedInDep,
    database: DatabaseDep,
    tokens: TokensDep,
    post_id: str,
) -> Response:
    try:
        raw = await request.json()
        consent = Consent.dashboard(signed.session_id)
        # Read before the write transaction, as the API's PATCH does: an edit made here is held
        # to the creator's settings as TikTok states them now.
        creator = await review.fresh_creator(database, tokens, signed.team, post_id)
        async with database.session(write=True) as session:
            post = await service.get_post(session, signed.team, post_id)
            changes = _changes(post, raw if isinstance(raw, dict) else {})
            if changes.model_fields_set:
                await review.edit(session, signed.team, post_id, changes, creator)
            post = await review.approve(session, signed.team, post_id, consent)
            body = await service.read(session, post)
    except ValidationError as exc:
        return validation_error(exc)
    except ValueError:  # not JSON at all (an empty body included): the client's mistake
        return json_error(ApiError(400, "invalid_json", "the body must be a JSON object"))
    except ApiError as exc:
        return json_error(exc)
    await review.after_commit(post)
    return render(request, "composer_result.html", status_context(body), signed=signed, status=202)


@router.post(PATH + "/review/{post_id}/reject")
async def reject(
    request: Request, signed: SignedInDep, database: DatabaseDep, post_id: str
) -> Response:
    try:
        rejection = ReviewRejection.model_validate_json(await request.body())
        async with database.session(write=True) as session:
            post = await review.reject(
                session,
                signed.team,
                post_id,
                rejection.reason,
                Consent.dashboard(signed.session_id),
            )
            body = await service.read(session, post)
    except ValidationError as exc:
        return validation_error(exc)
    except ApiError as exc:
        return json_error(exc)
    await review.after_commit(post)
    return render(request, "composer_result.html", status_context(body), signed=signed, status=200)
