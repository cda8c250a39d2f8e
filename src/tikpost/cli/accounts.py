"""`tikpost accounts connect|list`: the accounts API from a terminal, through the SDK."""

from __future__ import annotations

import contextlib
import webbrowser
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tikpost.cli.output import DEFAULT_URL, ApiKey, ApiUrl, connected, when

accounts_app = typer.Typer(no_args_is_help=True, help="Connected TikTok accounts.")


@accounts_app.command("connect")
def connect(
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    browser: Annotated[
        bool, typer.Option(help="Open the consent page in a browser when one is available.")
    ] = True,
    business: Annotated[
        bool,
        typer.Option(
            "--business",
            help="Through the server's TikTok API for Business app: public videos, with sounds.",
        ),
    ] = False,
) -> None:
    """Print the TikTok consent link (valid 10 minutes, once) and open it when possible."""
    with connected(url, api_key) as client:
        started = client.accounts.connect(api="business" if business else None)
        authorize_url = started.authorize_url
    typer.echo("Open this link and approve on TikTok; the account is then connected:")
    typer.echo(authorize_url)
    if browser:
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(authorize_url)


@accounts_app.command("list")
def list_accounts(api_key: ApiKey, url: ApiUrl = DEFAULT_URL) -> None:
    """The team's accounts with their status and when their tokens end."""
    with connected(url, api_key) as client:
        accounts = client.accounts.list()
    table = Table("id", "username", "name", "api", "status", "scopes", "token until")
    for account in accounts:
        status: str = account.status
        if account.status_reason and status != "ready":
            status += f" ({account.status_reason})"
        table.add_row(
            account.id,
            f"@{account.username}" if account.username else "-",
            account.display_name or "-",
            str(account.api),
            status,
            ",".join(account.scopes),
            when(account.access_expires_at),
        )
    Console(width=160).print(table)
    if not accounts:
        typer.echo("No accounts yet: run `tikpost accounts connect`.")


@accounts_app.command("sounds")
def sounds(
    account: Annotated[str, typer.Argument(help="A business account's id (acct_…).")],
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    search: Annotated[str | None, typer.Option("--search", help="In name or artist.")] = None,
    genre: Annotated[str, typer.Option(help="ALL, or a genre such as POP.")] = "ALL",
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code.")] = "US",
) -> None:
    """TikTok's trending sounds for a business account: the ids `tikpost post --sound` takes."""
    with connected(url, api_key) as client:
        found = client.accounts.sounds(account, country_code=country, genre=genre, q=search)
    table = Table("id", "name", "artist", "length", "clip")
    for item in found:
        length = item.duration_sec
        shown = f"{length // 60}:{length % 60:02d}" if length is not None else "-"
        table.add_row(item.id, item.name, item.artist or "-", shown, str(item.clip))
    Console(width=160).print(table)
    if not found:
        typer.echo("No trending sounds match.")
