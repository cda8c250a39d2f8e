"""The commands that run tikpost's processes: the API, workers, the emulator, migrations.

Each imports what it runs only when called, so `tikpost --help` and the client commands never
load the server, the database layer or the emulator.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tikpost.kit import logs
from tikpost.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI

if TYPE_CHECKING:
    from tikpost.settings import Settings

db_app = typer.Typer(no_args_is_help=True, help="Database schema management.")


def load_settings() -> Settings:
    """The environment's settings, read when a command runs (not when the CLI is imported)."""
    from tikpost.settings import Settings

    return Settings()


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
    business_redirect_uri: Annotated[
        list[str] | None,
        typer.Option(help="A redirect URI registered for the Business API app (repeatable)."),
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
    from tikpost.sandbox.business.config import BusinessConfig
    from tikpost.sandbox.config import SandboxConfig

    business = BusinessConfig()
    if business_redirect_uri:
        business = BusinessConfig(redirect_uris=business_redirect_uri)
    config = SandboxConfig(
        business=business,
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


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the API (migrating the database first); mounts the sandbox if TikTok isn't set up."""

    import uvicorn

    from tikpost.app import create_app
    from tikpost.settings import DEFAULT_PUBLIC_URL, Settings

    settings = load_settings()
    logs.configure(settings.log_format == "json")
    if settings.public_url == DEFAULT_PUBLIC_URL and port != 8000:
        # Left at its default, the public URL follows the port we listen on, so OAuth
        # redirects and the embedded sandbox's links come back to this server.
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        settings = Settings(public_url=f"http://{shown}:{port}")
    # log_config=None: uvicorn's own lines (startup, access log) go through our handler, so
    # they are redacted and, with TIKPOST_LOG_FORMAT=json, JSON like every other line.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


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

    from tikpost.runtime.liveness import ExecutorIdInUseError
    from tikpost.runtime.worker import run_worker

    settings = load_settings()
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

    settings = load_settings()
    migrations.upgrade(settings.database_url, revision)
    typer.echo(f"database at revision {migrations.current_revision(settings.database_url)}")


def sample_video(
    path: Annotated[Path, typer.Argument(help="Where to write the MP4.")],
    seconds: Annotated[float, typer.Option(help="Duration.")] = 4.0,
    fps: Annotated[int, typer.Option(help="Frame rate.")] = 30,
) -> None:
    """Write a real H.264 MP4 (720x1280) for trying tikpost and the sandbox without a video."""
    from tikpost.sandbox.samples import make_video

    make_video(path, seconds=seconds, fps=fps)
    typer.echo(f"{path} ({path.stat().st_size} bytes, {seconds} s at {fps} fps)")
