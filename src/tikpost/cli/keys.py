"""`tikpost keys create|list|revoke`: API keys, managed on the database itself.

Unlike the client commands these are the operator's: they open the configured database
directly (there is no key yet to call the API with), migrated first so `keys create` works on
a fresh install.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from tikpost.cli.server import load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from tikpost.kit.db import Database
    from tikpost.settings import Settings

T = TypeVar("T")

keys_app = typer.Typer(no_args_is_help=True, help="API keys (the full key is shown only once).")


def _prepared_database(settings: Settings | None = None) -> Database:
    """The configured database, migrated first so `keys create` works on a fresh install."""
    from tikpost import migrations
    from tikpost.kit.db import Database

    settings = settings or load_settings()
    migrations.upgrade(settings.database_url)
    return Database(settings.database_url)


def _run_in_session(
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    write: bool = True,
    settings: Settings | None = None,
) -> T:
    """Run one service call as one committed unit of work, like an API request would; on the
    configured database, or on `settings`' (the test fixtures', which skip building the CLI)."""
    from tikpost.kit.errors import ApiError

    database = _prepared_database(settings)

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
