"""`tikpost posts list|show|cancel|retry`: the posts API from a terminal.

Like `tikpost accounts`, these talk to the running service over HTTP with an API key, so a
post handled here goes through exactly the rules, queue and workflow an API client's would.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.table import Table

from tikpost.cli.client import DEFAULT_URL, Api, ApiKey, ApiUrl
from tikpost.cli.output import console, fail, when
from tikpost.posts.models import FINAL_STATUSES, PostStatus

posts_app = typer.Typer(no_args_is_help=True, help="Posts: list, inspect, cancel, retry.")

FINAL_OK = frozenset({PostStatus.PUBLISHED, PostStatus.IN_INBOX})
FINAL_BAD = FINAL_STATUSES - FINAL_OK
# How often --wait asks for news; module-level so tests can shorten it.
POLL_SECONDS = 1.0


def resolve_account(accounts: list[dict[str, Any]], name_or_id: str) -> dict[str, Any]:
    """The account named by id (`acct_…`) or username (`@name` or `name`); ready ones first.

    A creator disconnected and connected again has two rows with one username; the ready one
    is the one meant.
    """
    wanted = name_or_id.strip()
    matches = [a for a in accounts if a["id"] == wanted]
    if not matches:
        username = wanted.removeprefix("@").lower()
        matches = [a for a in accounts if (a["username"] or "").lower() == username]
    if not matches:
        known = ", ".join(f"@{a['username']} ({a['id']})" for a in accounts) or "none"
        raise fail(f"no account {name_or_id!r} in this team; connected accounts: {known}")
    matches.sort(key=lambda account: account["status"] != "ready")
    return matches[0]


def follow(api: Api, post: dict[str, Any], seen: int) -> None:
    """Poll until a final status, printing each new timeline event; exit 1 unless it landed.

    `seen` is how many of the post's events the user has already seen (a retry's history).
    """
    out = console()
    with out.status(f"{post['id']}: {post['status']}") as spinner:
        while True:
            for event in post["events"][seen:]:
                out.print(_event_line(event))
            seen = len(post["events"])
            if post["status"] in FINAL_OK | FINAL_BAD:
                break
            spinner.update(f"{post['id']}: {post['status']}")
            time.sleep(POLL_SECONDS)
            post = api.post(post["id"])
    status = post["status"]
    if status == "published":
        typer.echo(
            f"published {post['id']}" + (f": {post['post_url']}" if post["post_url"] else "")
        )
    elif status == "in_inbox":
        typer.echo(f"in_inbox {post['id']}: the creator finishes the draft in the TikTok app")
    else:
        error = post["error"] or {}
        reason = f" (TikTok: {error['fail_reason']})" if error.get("fail_reason") else ""
        code, message = error.get("code", status), error.get("message", "")
        raise fail(f"{post['id']} {status}: {code}: {message}{reason}")


def _event_line(event: dict[str, Any]) -> str:
    return f"{when(event['at'])}  {event['status']:<10}  {event['message']}"


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
    api = Api(url, api_key)
    accounts = api.accounts()
    params: dict[str, Any] = {"limit": limit}
    if status:
        params["status"] = status
    if account:
        params["account_id"] = resolve_account(accounts, account)["id"]
    page = api.posts(params)
    names = {a["id"]: f"@{a['username']}" for a in accounts if a["username"]}
    table = Table("id", "account", "status", "title", "created", "publish_id")
    for post in page["items"]:
        table.add_row(
            post["id"],
            names.get(post["account_id"], post["account_id"]),
            post["status"],
            post["title"] or "-",
            when(post["created_at"]),
            post["publish_id"] or "-",
        )
    console().print(table)
    if not page["items"]:
        typer.echo("No posts yet: run `tikpost post FILE --account @name`.")


@posts_app.command("show")
def show(
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post's id.")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
) -> None:
    """The post's settings, where it stands, and its timeline."""
    post = Api(url, api_key).post(post_id)
    _print_post(post)


def _print_post(post: dict[str, Any]) -> None:
    error = post["error"]
    toggles = [
        name
        for name, key in (
            ("comments off", "disable_comment"),
            ("duet off", "disable_duet"),
            ("stitch off", "disable_stitch"),
            ("AI-generated", "is_aigc"),
            ("brand organic", "brand_organic_toggle"),
            ("branded content", "brand_content_toggle"),
        )
        if post[key]
    ]
    fields = [
        ("id", post["id"]),
        ("account", post["account_id"]),
        ("status", post["status"]),
        ("mode", post["mode"]),
        ("video", post["video"] or "-"),
        ("title", post["title"] or "-"),
        ("privacy", post["privacy_level"] or "-"),
        ("options", ", ".join(toggles) or "-"),
        ("scheduled", when(post["scheduled_at"])),
        ("attempt", str(post["attempt"])),
        ("publish_id", post["publish_id"] or "-"),
        ("uploaded", f"{post['uploaded_bytes']} bytes"),
        ("post url", post["post_url"] or "-"),
        ("created", when(post["created_at"])),
        ("finished", when(post["finished_at"])),
    ]
    if error:
        reason = f" (TikTok: {error['fail_reason']})" if error["fail_reason"] else ""
        fields.append(("error", f"{error['code']}: {error['message']}{reason}"))
    details = Table.grid(padding=(0, 2))
    details.add_column(style="bold")
    details.add_column()
    for name, value in fields:
        details.add_row(name, value)
    timeline = Table("at", "status", "message", title="timeline")
    for event in post["events"]:
        timeline.add_row(when(event["at"]), event["status"], event["message"])
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
    post = Api(url, api_key).cancel_post(post_id)
    typer.echo(f"post {post['id']} {post['status']}")


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
    api = Api(url, api_key)
    post = api.retry_post(post_id)
    typer.echo(f"post {post['id']} {post['status']} (attempt {post['attempt']})")
    if wait:
        # Earlier attempts' events were shown before; start at the retry's own event.
        follow(api, post, seen=max(len(post["events"]) - 1, 0))
