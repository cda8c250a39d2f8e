"""The calendar: what is planned and what went out, by week (default) or month, on the days
of the viewer's own time zone; a scheduled post can be moved to another time from here.

Days are cut at local midnight (dashboard/local_time.py), so a post at 23:30 in Auckland sits
on that Auckland day even though it is the day before in UTC. Moving a post is
posts.service.reschedule_post, as PATCH /v1/posts/{id} with a new scheduled_at.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

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
from tikpost.kit.errors import ApiError
from tikpost.posts import review, service
from tikpost.posts.schemas import PostRead
from tikpost.posts.statuses import PostStatus

router = page_router()
PATH = "/calendar"
VIEWS = ("week", "month")
SHOWN = frozenset(
    {
        PostStatus.AWAITING_REVIEW,
        PostStatus.SCHEDULED,
        PostStatus.QUEUED,
        PostStatus.UPLOADING,
        PostStatus.PROCESSING,
        PostStatus.PUBLISHED,
        PostStatus.IN_INBOX,
    }
)


@dataclass(frozen=True)
class Entry:
    post: PostRead
    when: datetime


@dataclass(frozen=True)
class Span:
    """The days a view shows, and where its previous and next views start."""

    view: str
    days: list[date]
    anchor: date
    previous: date
    following: date

    @classmethod
    def of(cls, view: str, anchor: date) -> Span:
        if view == "month":
            first = anchor.replace(day=1)
            last = first.replace(day=monthrange(first.year, first.month)[1])
            start = first - timedelta(days=first.weekday())
            end = last + timedelta(days=6 - last.weekday())
            previous = (first - timedelta(days=1)).replace(day=1)
            following = last + timedelta(days=1)
            anchor = first
        else:
            start = anchor - timedelta(days=anchor.weekday())
            end = start + timedelta(days=6)
            # The asked-for day stays the anchor, so "Month" opens the month it is in.
            previous, following = start - timedelta(days=7), end + timedelta(days=1)
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        return cls(view, days, anchor, previous, following)


def when(post: PostRead) -> datetime | None:
    """Where a post sits on the calendar: when it went out, else when it is planned for."""
    if post.status in (PostStatus.PUBLISHED, PostStatus.IN_INBOX) and post.finished_at:
        return post.finished_at
    return post.scheduled_at


def link(view: str, day: date) -> str:
    return f"{PATH}?{urlencode({'view': view, 'day': day.isoformat()})}"


def _anchor(value: str | None, zone: str) -> date:
    try:
        return date.fromisoformat(value) if value else local_time.today(zone)
    except ValueError:
        return local_time.today(zone)


@router.get(PATH, response_class=HTMLResponse)
async def calendar_page(request: Request, signed: SignedInDep, session: SessionDep) -> Response:
    zone = local_time.zone_name(request)
    asked = request.query_params.get("view")
    view = asked if asked in VIEWS else "week"
    span = Span.of(view, _anchor(request.query_params.get("day"), zone))
    start = local_time.start_of(span.days[0], zone)
    end = local_time.start_of(span.days[-1] + timedelta(days=1), zone)
    by_day: dict[date, list[Entry]] = {day: [] for day in span.days}
    for post in await service.posts_between(session, signed.team, start, end):
        moment = when(post)
        if post.status not in SHOWN or moment is None:
            continue
        day = moment.astimezone(local_time.zone(zone)).date()
        if day in by_day:
            by_day[day].append(Entry(post, moment))
    for entries in by_day.values():
        entries.sort(key=lambda entry: entry.when)
    context: dict[str, Any] = {
        "span": span,
        "by_day": by_day,
        "today": local_time.today(zone),
        "zone": zone,
        "local": local_time.local,
        "local_input": local_time.local_input,
        "caption": caption,
        "names": account_names(await accounts.list_accounts(session, signed.team)),
        "link": link,
    }
    return render(request, "calendar.html", context, signed=signed)


@router.post(PATH + "/{post_id}/reschedule")
async def reschedule(
    post_id: str,
    when: Annotated[str, Form(max_length=40)],
    zone: Annotated[str, Form(max_length=local_time.MAX_NAME)],
    view: Annotated[str, Form(max_length=8)],
    signed: SignedInDep,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """The new local time, read in the zone the page showed, becomes the post's UTC time."""
    shown = view if view in VIEWS else "week"
    moment = local_time.parse_local(when, zone)
    if moment is None:
        response = RedirectResponse(PATH + f"?view={shown}", status_code=303)
        set_flash(response, settings, "Give a date and time to reschedule to.", "error")
        return response
    response = RedirectResponse(
        link(shown, moment.astimezone(local_time.zone(zone)).date()), status_code=303
    )
    try:
        async with database.session(write=True) as session:
            post = await service.reschedule_post(session, signed.team, post_id, moment)
    except ApiError as refused:
        if refused.status == 404:
            raise
        set_flash(response, settings, f"Not rescheduled: {refused.message}.", "error")
        return response
    await review.after_commit(post)
    set_flash(response, settings, f"Rescheduled for {local_time.local(moment, zone)} ({zone}).")
    return response
