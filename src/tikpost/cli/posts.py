"""`tikpost posts list|show|cancel|retry`: the posts API from a terminal, through the SDK.

Like `tikpost accounts`, these talk to the running service over HTTP with an API key, so a
post handled here goes through exactly the rules, queue and workflow an API client's would.
"""

from __future__ import annotations

from itertools import islice
from typing import Annotated

import typer
from rich.table import Table
from tikpost_client import AccountRead, PostRead, Tikpost

from tikpost.cli.output import DEFAULT_URL, ApiKey, ApiUrl, connected, console, fail, when
from tikpost.posts.statuses import PostStatus

posts_app = typer.Typer(no_args_is_help=True, help="Posts: list, inspect, cancel, retry.")

# How often --wait asks for news; module-level so tests can shorten it.
POLL_SECONDS = 1.0
# --wait follows a post this long at most (a scheduled post waits for its time first).
WAIT_SECONDS = 7 * 24 * 3600.0


def resolve_account(accounts: list[AccountRead], name_or_id: str) -> AccountRead:
    """The account named by id (`acct_…`) or username (`@name` or `name`); ready ones first.

    A creator disconnected and connected again has two rows with one username; the ready one
    is the one meant.
    """
    wanted = name_or_id.strip()
    matches = [a for a in accounts if a.id == wanted]
    if not matches:
        username = wanted.removeprefix("@").lower()
        matches = [a for a in accounts if (a.username or "").lower() == username]
    if not matches:
        known = ", ".join(f"@{a.username} ({a.id})" for a in accounts) or "none"
        raise fail(f"no account {name_or_id!r} in this team; connected accounts: {known}")
    matches.sort(key=lambda account: account.status != "ready")
    return matches[0]


def follow(client: Tikpost, post: PostRead, seen: int) -> None:
    """Follow the post to a final status (the SDK's `posts.wait`), printing each new timeline
    event; exit 1 unless it landed.

    `seen` is how many of the post's events the user has already seen (a retry's history).
    """
    out = console()
    shown = [seen]
    with out.status(f"{post.id}: {post.status}") as spinner:

        def update(current: PostRead) -> None:
            for event in current.events[shown[0] :]:
                out.print(f"{when(event.at)}  {event.status:<10}  {event.message}")
            shown[0] = len(current.events)
            spinner.update(f"{current.id}: {current.status}")

        update(post)
        post = client.posts.wait(
            post.id, timeout=WAIT_SECONDS, interval=POLL_SECONDS, on_update=update
        )
    if post.status == "published":
        typer.echo(f"published {post.id}" + (f": {post.post_url}" if post.post_url else ""))
    elif post.status == "in_inbox":
        typer.echo(f"in_inbox {post.id}: the creator finishes the draft in the TikTok app")
    else:
        error = post.error
        reason = f" (TikTok: {error.fail_reason})" if error and error.fail_reason else ""
        code = error.code if error else post.status
        message = error.message if error else ""
        raise fail(f"{post.id} {post.status}: {code}: {message}{reason}")


@posts_app.command("list")
def list_posts(
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    status: Annotated[PostStatus | None, typer.Option(help="Only posts in this status.")] = None,
    account: Annotated[
        str | None, typer.Option(help="Only this account's posts (id or @username).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 20,
) -> None:
    """The team's posts, newest first."""
    with connected(url, api_key) as client:
        accounts = client.accounts.list()
        account_id = resolve_account(accounts, account).id if account else None
        pages = client.posts.list(status=status, account_id=account_id, limit=limit)
        posts = list(islice(pages, limit))
    names = {a.id: f"@{a.username}" for a in accounts if a.username}
    table = Table("id", "account", "status", "title", "created", "publish_id")
    for post in posts:
        table.add_row(
            post.id,
            names.get(post.account_id, post.account_id),
            post.status,
            post.title or "-",
            when(post.created_at),
            post.publish_id or "-",
        )
    console().print(table)
    if not posts:
        typer.echo("No posts yet: run `tikpost post FILE --account @name`.")


@posts_app.command("show")
def show(
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post's id.")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
) -> None:
    """The post's settings, where it stands, and its timeline."""
    with connected(url, api_key) as client:
        post = client.posts.get(post_id)
    _print_post(post)


def _print_post(post: PostRead) -> None:
    error = post.error
    toggles = [
        name
        for name, on in (
            ("comments off", post.disable_comment),
            ("duet off", post.disable_duet),
            ("stitch off", post.disable_stitch),
            ("AI-generated", post.is_aigc),
            ("brand organic", post.brand_organic_toggle),
            ("branded content", post.brand_content_toggle),
        )
        if on
    ]
    fields = [
        ("id", post.id),
        ("account", post.account_id),
        ("status", post.status),
        ("mode", post.mode),
        ("video", post.video or "-"),
        ("title", post.title or "-"),
        ("privacy", post.privacy_level or "-"),
        ("options", ", ".join(toggles) or "-"),
        ("scheduled", when(post.scheduled_at)),
        ("attempt", str(post.attempt)),
        ("publish_id", post.publish_id or "-"),
        ("uploaded", f"{post.uploaded_bytes} bytes"),
        ("post url", post.post_url or "-"),
        ("created", when(post.created_at)),
        ("finished", when(post.finished_at)),
    ]
    if error:
        reason = f" (TikTok: {error.fail_reason})" if error.fail_reason else ""
        fields.append(("error", f"{error.code}: {error.message}{reason}"))
    details = Table.grid(padding=(0, 2))
    details.add_column(style="bold")
    details.add_column()
    for name, value in fields:
        details.add_row(name, value)
    timeline = Table("at", "status", "message", title="timeline")
    for event in post.events:
        timeline.add_row(when(event.at), event.status, event.message)
    out = console()
    out.print(details)
    out.print(timeline)


@posts_app.command("cancel")
def cancel(
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post's id.")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
) -> None:
    """Cancel a scheduled or queued post (refused once its upload to TikTok has started)."""
    with connected(url, api_key) as client:
        post = client.posts.cancel(post_id)
    typer.echo(f"post {post.id} {post.status}")


@posts_app.command("retry")
def retry(
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post's id.")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the new attempt until it lands or fails.")
    ] = False,
) -> None:
    """Publish a failed or cancelled post again, as a new attempt."""
    with connected(url, api_key) as client:
        post = client.posts.retry(post_id)
        typer.echo(f"post {post.id} {post.status} (attempt {post.attempt})")
        if wait:
            # Earlier attempts' events were shown before; start at the retry's own event.
            follow(client, post, seen=max(len(post.events) - 1, 0))
