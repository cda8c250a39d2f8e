"""`tikpost accounts connect|list`: the accounts API from a terminal."""

from __future__ import annotations

import contextlib
import webbrowser
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tikpost.cli.client import DEFAULT_URL, Api, ApiKey, ApiUrl

accounts_app = typer.Typer(no_args_is_help=True, help="Connected TikTok accounts.")


@accounts_app.command("connect")
def connect(
    api_key: ApiKey,
    url: ApiUrl = DEFAULT_URL,
    browser: Annotated[
        bool, typer.Option(help="Open the consent page in a browser when one is available.")
    ] = True,
) -> None:
    """Print the TikTok consent link (valid 10 minutes, once) and open it when possible."""
    started = Api(url, api_key).start_connect()
    authorize_url = started["authorize_url"]
    typer.echo("Open this link and approve on TikTok; the account is then connected:")
    typer.echo(authorize_url)
    if browser:
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(authorize_url)


@accounts_app.command("list")
def list_accounts(api_key: ApiKey, url: ApiUrl = DEFAULT_URL) -> None:
    """The team's accounts with their status and when their tokens end."""
    accounts = Api(url, api_key).accounts()
    table = Table("id", "username", "name", "status", "scopes", "token until")
    for account in accounts:
        status = account["status"]
        if account["status_reason"] and status != "ready":
            status += f" ({account['status_reason']})"
        table.add_row(
            account["id"],
            f"@{account['username']}" if account["username"] else "-",
            account["display_name"] or "-",
            status,
            ",".join(account["scopes"]),
            (account["access_expires_at"] or "-")[:19],
        )
    Console(width=160).print(table)
    if not accounts:
        typer.echo("No accounts yet: run `tikpost accounts connect`.")
