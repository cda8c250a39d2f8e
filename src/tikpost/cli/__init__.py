"""The `tikpost` command: one Typer app, one function per subcommand."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from tikpost.cli.accounts import accounts_app
from tikpost.cli.posts import post_command, posts_app
from tikpost.kit import logs
from tikpost.kit.errors import ApiError
from tikpost.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from tikpost.kit.db import Database
    from tikpost.settings import Settings

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="Publish to TikTok through the Content Posting API.")


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9000,
    client_key: Annotated[str, typer.Option(help="The emulated app's client key.")] = (
        DEFAULT_CLIENT_KEY
    ),
    client_secret: Annotated[
        str, typer.Option(help="The emulated app's client secret (also signs webhooks).")
    ] = DEFAULT_CLIENT_SECRET,
    redirect_uri: Annotated[
        list[str] | None, typer.Option(help="A registered OAuth redirect URI (repeatable).")
    ] = None,
    audited: Annotated[
        bool, typer.Option(help="Behave as an audited app (public posts allowed).")
    ] = False,
    verified_url_prefix: Annotated[
        list[str] | None,
        typer.Option(help="A URL prefix verified for PULL_FROM_URL (repeatable)."),
    ] = None,
    processing_delay: Annotated[
        float, typer.Option(help="Seconds between upload complete and the final status.")
    ] = 2.0,
    webhook_url: Annotated[
        str | None, typer.Option(help="Where TikTok's post.publish.* webhooks are sent.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for ids, tokens and faults.")] = None,
) -> None:
    """Run the TikTok emulator alone (OAuth, Content Posting API, operator API under /_sandbox/)."""
    import uvicorn

    from tikpost.sandbox.app import create_app
    from tikpost.sandbox.config import SandboxConfig

    config = SandboxConfig(
        client_key=client_key,
        client_secret=client_secret,
        redirect_uris=redirect_uri or [DEFAULT_REDIRECT_URI],
        audited=audited,
        verified_url_prefixes=verified_url_prefix or [],
        processing_delay_sec=processing_delay,
        webhook_url=webhook_url,
        seed=seed,
    )
    typer.echo(
        f"TikTok sandbox on http://{host}:{port} (client_key={client_key}, "
        f"{'audited' if audited else 'unaudited'} app)"
    )
    logs.install_redaction()  # OAuth codes and upload tokens ride in the URLs it logs
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")


db_app = typer.Typer(no_args_is_help=True, help="Database schema management.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys (the full key is shown only once).")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(accounts_app, name="accounts")
app.add_typer(posts_app, name="posts")
app.command("post")(post_command)


def _settings() -> Settings:
    from tikpost.settings import Settings

    return Settings()


def _prepared_database() -> Database:
    """The configured database, migrated first so `keys create` works on a fresh install."""
    from tikpost import migrations
    from tikpost.kit.db import Database

    settings = _settings()
    migrations.upgrade(settings.database_url)
    return Database(settings.database_url)


def _run_in_session(work: Callable[[AsyncSession], Awaitable[T]], *, write: bool = True) -> T:
    """Run one service call as one committed unit of work, like an API request would."""
    database = _prepared_database()

    async def main() -> T:
        try:
            async with database.session(write=write) as session:
                return await work(session)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except ApiError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the API (migrating the database first); mounts the sandbox if TikTok isn't set up."""

    import uvicorn

    from tikpost.app import create_app
    from tikpost.settings import DEFAULT_PUBLIC_URL, Settings

    settings = _settings()
    logs.configure(settings.log_format == "json")
    if settings.public_url == DEFAULT_PUBLIC_URL and port != 8000:
        # Left at its default, the public URL follows the port we listen on, so OAuth
        # redirects and the embedded sandbox's links come back to this server.
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        settings = Settings(public_url=f"http://{shown}:{port}")
    # log_config=None: uvicorn's own lines (startup, access log) go through our handler, so
    # they are redacted and, with TIKPOST_LOG_FORMAT=json, JSON like every other line.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


@app.command()
def worker(
    executor_id: Annotated[
        str | None,
        typer.Option(
            help="This process's own stable id (or TIKPOST_EXECUTOR_ID); a restarted worker "
            "given the same id resumes its unfinished workflows. Never share one between "
            "live processes."
        ),
    ] = None,
) -> None:
    """Run workflows only, no API (scale-out: many workers against one PostgreSQL)."""

    from tikpost.kit.executors import ExecutorIdInUseError
    from tikpost.worker import run_worker

    settings = _settings()
    chosen = executor_id or settings.executor_id
    if not chosen:
        typer.secho(
            "error: give each worker its own --executor-id (or TIKPOST_EXECUTOR_ID)",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    logs.configure(settings.log_format == "json")
    try:
        asyncio.run(run_worker(settings, chosen))
    except ExecutorIdInUseError as taken:
        typer.secho(f"error: {taken}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply pending migrations (safe to run while other processes use the database)."""
    from tikpost import migrations

    settings = _settings()
    migrations.upgrade(settings.database_url, revision)
    typer.echo(f"database at revision {migrations.current_revision(settings.database_url)}")


@keys_app.command("create")
def keys_create(
    team: Annotated[str, typer.Option(help="Team name; created if it does not exist.")],
) -> None:
    """Create an API key and print it once; store it now, it cannot be shown again."""
    from tikpost.teams import service

    created = _run_in_session(lambda session: service.create_api_key(session, team))
    typer.echo(created.key)
    typer.echo(
        f"API key {created.info.id} for team {created.info.team_name!r} "
        "(shown once; only its hash is stored)",
        err=True,
    )


@keys_app.command("list")
def keys_list() -> None:
    """List API keys by id and display prefix; the keys themselves are never stored."""
    from rich.console import Console
    from rich.table import Table

    from tikpost.teams import service

    keys = _run_in_session(service.list_api_keys, write=False)
    table = Table("id", "team", "prefix", "created", "revoked", "last used")
    for key in keys:
        table.add_row(
            key.id,
            key.team_name,
            f"{key.prefix}…",
            _when(key.created_at),
            _when(key.revoked_at),
            _when(key.last_used_at),
        )
    Console(width=160).print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id.")]) -> None:
    """Revoke an API key; requests using it get 401 from now on."""
    from tikpost.teams import service

    info = _run_in_session(lambda session: service.revoke_api_key(session, key_id))
    typer.echo(f"revoked {info.id} ({info.prefix}…, team {info.team_name!r})")


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command("sample-video")
def sample_video(
    path: Annotated[Path, typer.Argument(help="Where to write the MP4.")],
    seconds: Annotated[float, typer.Option(help="Duration.")] = 4.0,
    fps: Annotated[int, typer.Option(help="Frame rate.")] = 30,
) -> None:
    """Write a real H.264 MP4 (720x1280) for trying tikpost and the sandbox without a video."""
    from tikpost.sandbox.samples import make_video

    make_video(path, seconds=seconds, fps=fps)
    typer.echo(f"{path} ({path.stat().st_size} bytes, {seconds} s at {fps} fps)")
