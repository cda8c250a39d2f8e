"""`tikpost post` and `tikpost posts list|show|cancel|retry`: the posts API from a terminal.

Like `tikpost accounts`, these talk to the running service over HTTP with an API key, so a
post made here goes through exactly the rules, queue and workflow an API client's would.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from tikpost.cli.client import DEFAULT_URL, ApiKey, ApiUrl, call, result, send
from tikpost.cli.multipart import MultipartFile

posts_app = typer.Typer(no_args_is_help=True, help="Posts: list, inspect, cancel, retry.")

FINAL_OK = frozenset({"published", "in_inbox"})
FINAL_BAD = frozenset({"failed", "cancelled"})
# How often --wait asks for news; module-level so tests can shorten it.
POLL_SECONDS = 1.0
# Probing a large video can take a while after its last byte arrives.
UPLOAD_TIMEOUT = httpx.Timeout(60, read=600)


class Privacy(StrEnum):
    PUBLIC_TO_EVERYONE = "PUBLIC_TO_EVERYONE"
    MUTUAL_FOLLOW_FRIENDS = "MUTUAL_FOLLOW_FRIENDS"
    FOLLOWER_OF_CREATOR = "FOLLOWER_OF_CREATOR"
    SELF_ONLY = "SELF_ONLY"


def _console(stderr: bool = False) -> Console:
    """Markup off: titles and server messages are shown as written, `[brackets]` and all.

    Off a terminal (pipes, tests) Rich would assume 80 columns and wrap ids mid-line.
    """
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, width=width, markup=False, highlight=False)


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def parse_when(value: str) -> datetime:
    """RFC 3339 (`2025-06-01T18:00:00+02:00`, `…Z`) or local `YYYY-MM-DD HH:MM`, made aware.

    A time without an offset is the local time of this machine, as a person typing it means.
    """
    text = value.strip()
    try:
        when = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter(
                "use RFC 3339 (2025-06-01T18:00:00+02:00) or local 'YYYY-MM-DD HH:MM'",
                param_hint="--at",
            ) from None
    return when if when.tzinfo is not None else when.astimezone()


def _accounts(url: str, api_key: str) -> list[dict[str, Any]]:
    accounts: list[dict[str, Any]] = call(url, api_key, "GET", "/v1/accounts")["items"]
    return accounts


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
        raise _fail(f"no account {name_or_id!r} in this team; connected accounts: {known}")
    matches.sort(key=lambda account: account["status"] != "ready")
    return matches[0]


def upload_media(url: str, api_key: str, path: Path, endpoint: str = "/v1/media") -> dict[str, Any]:
    """Stream `path` to POST `endpoint` with a progress bar; the file is never held in memory."""
    body = MultipartFile(path)
    total = body.content_length()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=_console(stderr=True),
    )
    with progress:
        task = progress.add_task(f"uploading {path.name}", total=total)
        response = send(
            url,
            api_key,
            "POST",
            endpoint,
            content=body.iter_body(on_sent=lambda count: progress.advance(task, count)),
            headers=body.headers(),
            timeout=UPLOAD_TIMEOUT,
        )
    media: dict[str, Any] = result(response)
    return media


# A single URL names a photo only by its path's extension; anything else is taken for a video.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def check_sources(sources: list[str]) -> list[str | Path]:
    """Each source as a URL (str) or an existing local file (Path), before anything is sent."""
    checked: list[str | Path] = []
    for source in sources:
        if _is_url(source):
            checked.append(source)
            continue
        path = Path(source)
        if not path.is_file():
            raise typer.BadParameter(f"{source!r} is neither a file nor an http(s) URL")
        checked.append(path)
    return checked


def post_media(items: list[str | dict[str, Any]]) -> dict[str, Any]:
    """What the post names: `video`, `video_url` or `photos`, from uploaded media and URLs.

    One video alone is a video post; a single URL is `video_url` (the server fetches it, or has
    TikTok pull it from a verified prefix) unless its path ends like a photo; everything else is
    a carousel, in the order given, URLs fetched by the server as `photos` items.
    """
    uploaded_videos = [item for item in items if isinstance(item, dict) and item["kind"] == "video"]
    if uploaded_videos:
        if len(items) > 1:
            raise _fail(
                f"a post is one video or 1 to 35 photos; got a video among {len(items)} items"
            )
        return {"video": uploaded_videos[0]["id"]}
    if len(items) == 1 and isinstance(items[0], str):
        path = httpx.URL(items[0]).path.lower()
        if not path.endswith(PHOTO_SUFFIXES):
            return {"video_url": items[0]}
    return {"photos": [item if isinstance(item, str) else item["id"] for item in items]}


def post_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="SOURCE",
            help="A video, 1 to 35 photos, a .zip of slide-1.jpg, slide-2.jpg, …, or http(s) "
            "URLs of any of these (fetched by the server).",
        ),
    ],
    account: Annotated[
        str, typer.Option("--account", help="Account id (acct_…) or username (@name).")
    ],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    privacy: Annotated[
        Privacy | None,
        typer.Option(help="Who may watch; required for direct posts (no TikTok default)."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Caption, with #hashtags.")] = None,
    description: Annotated[
        str | None, typer.Option(help="Photos only: the text under the carousel.")
    ] = None,
    cover: Annotated[
        int | None, typer.Option(min=0, help="Photos only: which photo is the cover (0-based).")
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Send to the creator's TikTok inbox to finish there.")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(help="Publish at this time: RFC 3339 or local 'YYYY-MM-DD HH:MM'."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the post until it is published or fails.")
    ] = False,
    webhook_url: Annotated[
        str | None, typer.Option(help="Also notify this URL about the post.")
    ] = None,
    no_comments: Annotated[bool, typer.Option("--no-comments", help="Turn comments off.")] = False,
    no_duet: Annotated[bool, typer.Option("--no-duet", help="Turn duets off.")] = False,
    no_stitch: Annotated[bool, typer.Option("--no-stitch", help="Turn stitches off.")] = False,
    ai_generated: Annotated[
        bool, typer.Option("--ai-generated", help="Label the video as AI-generated.")
    ] = False,
    your_brand: Annotated[
        bool, typer.Option("--your-brand", help="Disclose: promotes your own brand.")
    ] = False,
    branded_content: Annotated[
        bool,
        typer.Option("--branded-content", help="Disclose: a paid partnership (not SELF_ONLY)."),
    ] = False,
    auto_add_music: Annotated[
        bool, typer.Option("--auto-add-music", help="Photos only: let TikTok add music.")
    ] = False,
    transcode: Annotated[
        bool | None,
        typer.Option(
            "--transcode/--no-transcode",
            help="Convert the video to H.264/AAC MP4 first (default: the server's setting).",
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Retrying with the same key never makes a second post."),
    ] = None,
) -> None:
    """Publish a video or a photo carousel to a connected TikTok account (now, or --at a time).

    Local files are streamed to the server first; photos are converted for TikTok there.
    """
    scheduled_at = parse_when(at) if at is not None else None
    checked = check_sources(sources)
    chosen = resolve_account(_accounts(url, api_key), account)
    items: list[str | dict[str, Any]] = []
    for source in checked:
        if isinstance(source, str):
            items.append(source)
        elif source.suffix.lower() == ".zip":
            items.extend(upload_media(url, api_key, source, "/v1/media/zip")["items"])
        else:
            items.append(upload_media(url, api_key, source))
    # Only what was asked for is sent: drafts refuse direct-post fields even when false.
    body: dict[str, Any] = {
        "account_id": chosen["id"],
        **post_media(items),
        "mode": "draft" if draft else "direct",
    }
    optional: dict[str, Any] = {
        "privacy_level": privacy.value if privacy else None,
        "title": title,
        "description": description,
        "photo_cover_index": cover,
        "scheduled_at": scheduled_at.isoformat() if scheduled_at else None,
        "webhook_url": webhook_url,
        "disable_comment": no_comments or None,
        "disable_duet": no_duet or None,
        "disable_stitch": no_stitch or None,
        "is_aigc": ai_generated or None,
        "brand_organic_toggle": your_brand or None,
        "brand_content_toggle": branded_content or None,
        "auto_add_music": auto_add_music or None,
        "transcode": transcode,
    }
    body.update({name: value for name, value in optional.items() if value is not None})
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    post: dict[str, Any] = call(url, api_key, "POST", "/v1/posts", json=body, headers=headers)
    typer.echo(f"post {post['id']} {post['status']}")
    if post["scheduled_at"]:
        typer.echo(f"scheduled for {post['scheduled_at']}")
    if wait:
        follow(url, api_key, post, seen=0)


def follow(url: str, api_key: str, post: dict[str, Any], seen: int) -> None:
    """Poll until a final status, printing each new timeline event; exit 1 unless it landed.

    `seen` is how many of the post's events the user has already seen (a retry's history).
    """
    console = _console()
    with console.status(f"{post['id']}: {post['status']}") as spinner:
        while True:
            for event in post["events"][seen:]:
                console.print(_event_line(event))
            seen = len(post["events"])
            if post["status"] in FINAL_OK | FINAL_BAD:
                break
            spinner.update(f"{post['id']}: {post['status']}")
            time.sleep(POLL_SECONDS)
            post = call(url, api_key, "GET", f"/v1/posts/{post['id']}")
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
        raise _fail(f"{post['id']} {status}: {code}: {message}{reason}")


def _event_line(event: dict[str, Any]) -> str:
    return f"{_when(event['at'])}  {event['status']:<10}  {event['message']}"


def _when(value: str | None) -> str:
    """ISO timestamps to the second, the way they read best in a table."""
    return "-" if not value else value[:19].replace("T", " ")


@posts_app.command("list")
def list_posts(
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    status: Annotated[str | None, typer.Option(help="Only posts in this status.")] = None,
    account: Annotated[
        str | None, typer.Option(help="Only this account's posts (id or @username).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 20,
) -> None:
    """The team's posts, newest first."""
    accounts = _accounts(url, api_key)
    params: dict[str, Any] = {"limit": limit}
    if status:
        params["status"] = status
    if account:
        params["account_id"] = resolve_account(accounts, account)["id"]
    page = call(url, api_key, "GET", "/v1/posts", params=params)
    names = {a["id"]: f"@{a['username']}" for a in accounts if a["username"]}
    table = Table("id", "account", "status", "title", "created", "publish_id")
    for post in page["items"]:
        table.add_row(
            post["id"],
            names.get(post["account_id"], post["account_id"]),
            post["status"],
            post["title"] or "-",
            _when(post["created_at"]),
            post["publish_id"] or "-",
        )
    _console().print(table)
    if not page["items"]:
        typer.echo("No posts yet: run `tikpost post FILE --account @name`.")


@posts_app.command("show")
def show(
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post's id.")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
) -> None:
    """The post's settings, where it stands, and its timeline."""
    post = call(url, api_key, "GET", f"/v1/posts/{post_id}")
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
        ("scheduled", _when(post["scheduled_at"])),
        ("attempt", str(post["attempt"])),
        ("publish_id", post["publish_id"] or "-"),
        ("uploaded", f"{post['uploaded_bytes']} bytes"),
        ("post url", post["post_url"] or "-"),
        ("created", _when(post["created_at"])),
        ("finished", _when(post["finished_at"])),
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
        timeline.add_row(_when(event["at"]), event["status"], event["message"])
    console = _console()
    console.print(details)
    console.print(timeline)


@posts_app.command("cancel")
def cancel(
    post_id: Annotated[str, typer.Argument(metavar="ID", help="The post's id.")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
) -> None:
    """Cancel a scheduled or queued post (refused once its upload to TikTok has started)."""
    post = call(url, api_key, "DELETE", f"/v1/posts/{post_id}")
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
    post = call(url, api_key, "POST", f"/v1/posts/{post_id}/retry")
    typer.echo(f"post {post['id']} {post['status']} (attempt {post['attempt']})")
    if wait:
        # Earlier attempts' events were shown before; start at the retry's own event.
        follow(url, api_key, post, seen=max(len(post["events"]) - 1, 0))
