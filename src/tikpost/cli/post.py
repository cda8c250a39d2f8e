"""`tikpost post`: publish a video or a photo carousel from a terminal, through the API.

Local files are streamed to the service first (with a progress bar), URLs are passed on for
the server to fetch, and the post then goes through the same rules, queue and workflow an API
client's would.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from tikpost_client import MediaRead, Tikpost

from tikpost.cli.output import DEFAULT_URL, ApiKey, ApiUrl, connected, console, fail
from tikpost.cli.posts import follow, resolve_account

# A single URL names a photo only by its path's extension; anything else is taken for a video.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


class Privacy(StrEnum):
    PUBLIC_TO_EVERYONE = "PUBLIC_TO_EVERYONE"
    MUTUAL_FOLLOW_FRIENDS = "MUTUAL_FOLLOW_FRIENDS"
    FOLLOWER_OF_CREATOR = "FOLLOWER_OF_CREATOR"
    SELF_ONLY = "SELF_ONLY"


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


def upload_media(client: Tikpost, path: Path) -> list[MediaRead]:
    """Stream `path` to the service with a progress bar (the SDK's progress callback); a .zip
    of slides gives one image per slide. The file is never held in memory."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
    )
    with progress:
        task = progress.add_task(f"uploading {path.name}", total=None)

        def sent(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if path.suffix.lower() == ".zip":
            return client.media.upload_zip(path, on_progress=sent)
        return [client.media.upload(path, on_progress=sent)]


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


def post_media(items: list[str | MediaRead]) -> dict[str, Any]:
    """What the post names: `video`, `video_url` or `photos`, from uploaded media and URLs.

    One video alone is a video post; a single URL is `video_url` (the server fetches it, or has
    TikTok pull it from a verified prefix) unless its path ends like a photo; everything else is
    a carousel, in the order given, URLs fetched by the server as `photos` items.
    """
    uploaded_videos = [
        item for item in items if isinstance(item, MediaRead) and item.kind == "video"
    ]
    if uploaded_videos:
        if len(items) > 1:
            raise fail(
                f"a post is one video or 1 to 35 photos; got a video among {len(items)} items"
            )
        return {"video": uploaded_videos[0].id}
    if len(items) == 1 and isinstance(items[0], str):
        path = urlsplit(items[0]).path.lower()
        if not path.endswith(PHOTO_SUFFIXES):
            return {"video_url": items[0]}
    return {"photos": [item if isinstance(item, str) else item.id for item in items]}


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
    sound: Annotated[
        str | None,
        typer.Option(
            help="Business accounts: a sound's id (`tikpost accounts sounds ACCOUNT`), "
            "published through TikTok's API for Business."
        ),
    ] = None,
    sound_volume: Annotated[
        int, typer.Option(min=0, max=100, help="With --sound: its volume (0 mutes it).")
    ] = 50,
    original_volume: Annotated[
        int, typer.Option(min=0, max=100, help="With --sound: the video's own audio (0 mutes).")
    ] = 50,
    review: Annotated[
        bool | None,
        typer.Option(
            "--review/--no-review",
            help="Hold the post for a person's approval in the dashboard's review queue "
            "(default: the team's review_by_default).",
        ),
    ] = None,
) -> None:
    """Publish a video or a photo carousel to a connected TikTok account (now, or --at a time).

    Local files are streamed to the server first; photos are converted for TikTok there.
    """
    scheduled_at = parse_when(at) if at is not None else None
    checked = check_sources(sources)
    with connected(url, api_key) as client:
        chosen = resolve_account(client.accounts.list(), account)
        items: list[str | MediaRead] = []
        for source in checked:
            if isinstance(source, str):
                items.append(source)
            else:
                items.extend(upload_media(client, source))
        # Only what was asked for is sent: drafts refuse direct-post fields even when false.
        body: dict[str, Any] = {
            "account_id": chosen.id,
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
            "review": None if review is None else ("required" if review else "none"),
            "sound": (
                {"id": sound, "volume": sound_volume, "original_volume": original_volume}
                if sound
                else None
            ),
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        post = client.posts.create(body, idempotency_key=idempotency_key)
        typer.echo(f"post {post.id} {post.status}")
        if post.scheduled_at:
            typer.echo(f"scheduled for {post.scheduled_at.isoformat()}")
        if wait:
            follow(client, post, seen=0)
