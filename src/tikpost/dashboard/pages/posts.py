"""The team's posts: a list that follows them live, and each post with its timeline.

The list and a post's panel are partials that htmx polls while anything shown is still on its
way, so a person watches a post reach `published` without reloading; once all is final the
partial comes back without its trigger and polling stops. Cancel and retry are the API's own
service calls (the same row lock and checks as DELETE /v1/posts/{id} and its retry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tikpost.accounts import service as accounts
from tikpost.accounts.schemas import AccountRead
from tikpost.dashboard import local_time
from tikpost.dashboard.flash import set_flash
from tikpost.dashboard.routing import page_router
from tikpost.dashboard.sessions import SignedInDep
from tikpost.dashboard.templates import render
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep
from tikpost.posts import review, service
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import FINAL_STATUSES, PostStatus

router = page_router()
PATH = "/posts"
PAGE = 100
STATUSES = [status.value for status in PostStatus]


@dataclass(frozen=True)
class Filters:
    """The list's filters as the form sent them; anything unreadable is simply no filter."""

    status: str | None
    account_id: str | None
    day_from: date | None
    day_to: date | None

    @classmethod
    def of(cls, request: Request) -> Filters:
        query = request.query_params
        status = query.get("status") or None
        return cls(
            status=status if status in STATUSES else None,
            account_id=(query.get("account") or None),
            day_from=_day(query.get("from")),
            day_to=_day(query.get("to")),
        )

    def query(self) -> str:
        given = {
            "status": self.status,
            "account": self.account_id,
            "from": self.day_from.isoformat() if self.day_from else None,
            "to": self.day_to.isoformat() if self.day_to else None,
        }
        return urlencode({name: value for name, value in given.items() if value})


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def account_names(listed: list[AccountRead]) -> dict[str, str]:
    return {a.id: f"@{a.username or a.display_name or a.open_id}" for a in listed}


def caption(post: PostRead) -> str:
    text = post.title or post.description or ""
    return text if len(text) <= 80 else text[:79] + "…"


def live(posts: list[PostRead]) -> bool:
    """Whether anything shown can still change (then the partial keeps polling); a post
    awaiting review counts, as someone may approve it elsewhere."""
    return any(post.status not in FINAL_STATUSES for post in posts)


async def _rows(request: Request, signed: SignedInDep, session: SessionDep) -> dict[str, Any]:
    filters = Filters.of(request)
    zone = local_time.zone_name(request)
    page = await service.list_posts(
        session,
        signed.team,
        status=filters.status,
        account_id=filters.account_id,
        cursor=None,
        limit=PAGE,
        created_from=local_time.start_of(filters.day_from, zone) if filters.day_from else None,
        created_before=(
            local_time.start_of(filters.day_to + timedelta(days=1), zone)
            if filters.day_to
            else None
        ),
    )
    listed = await accounts.list_accounts(session, signed.team)
    return {
        "posts": page.items,
        "names": account_names(listed),
        "accounts": listed,
        "filters": filters,
        "rows_url": f"{PATH}/rows?{filters.query()}",
        "live": live(page.items),
        "zone": zone,
        "local": local_time.local,
        "caption": caption,
        "statuses": STATUSES,
    }


@router.get(PATH, response_class=HTMLResponse)
async def posts_page(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    context = await _rows(request, signed, session)
    return render(request, "posts.html", context, signed=signed)


@router.get(f"{PATH}/rows", response_class=HTMLResponse)
async def posts_rows(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    """The list alone, for htmx to swap in place."""
    context = await _rows(request, signed, session)
    return render(request, "posts_rows.html", context, signed=signed)


async def _post(
    request: Request, signed: SignedInDep, session: SessionDep, post_id: str
) -> dict[str, Any]:
    post = await service.read(session, await service.get_post(session, signed.team, post_id))
    listed = await accounts.list_accounts(session, signed.team)
    return {
        "post": post,
        "name": account_names(listed).get(post.account_id, post.account_id),
        "live": live([post]),
        "zone": local_time.zone_name(request),
        "local": local_time.local,
        "caption": caption,
        "cancellable": post.status in service.CANCELLABLE,
        "retryable": post.status in service.RETRYABLE,
    }


@router.get(PATH + "/{post_id}", response_class=HTMLResponse)
async def post_page(
    request: Request, signed: SignedInDep, session: SessionDep, post_id: str
) -> Response:
    context = await _post(request, signed, session, post_id)
    return render(request, "post_detail.html", context, signed=signed)


@router.get(PATH + "/{post_id}/panel", response_class=HTMLResponse)
async def post_panel(
    request: Request, signed: SignedInDep, session: SessionDep, post_id: str
) -> Response:
    context = await _post(request, signed, session, post_id)
    return render(request, "post_panel.html", context, signed=signed)


@router.post(PATH + "/{post_id}/cancel")
async def cancel(
    post_id: str, signed: SignedInDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    async with database.session(write=True) as session:
        await service.cancel_post(session, signed.team, post_id, via="the dashboard")
    response = RedirectResponse(f"{PATH}/{post_id}", status_code=303)
    set_flash(response, settings, "The post is cancelled.")
    return response


@router.post(PATH + "/{post_id}/retry")
async def retry(
    post_id: str, signed: SignedInDep, database: DatabaseDep, settings: SettingsDep
) -> Response:
    async with database.session(write=True) as session:
        post = await service.retry_post(session, signed.team, post_id)
    await review.after_commit(post)
    response = RedirectResponse(f"{PATH}/{post_id}", status_code=303)
    set_flash(response, settings, f"Trying again (attempt {post.attempt}).")
    return response
