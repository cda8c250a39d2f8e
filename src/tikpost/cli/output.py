"""The client commands' side of the terminal: how they reach the SDK and how they print.

`--url` and `--api-key` (or TIKPOST_URL and TIKPOST_API_KEY) make one `tikpost_client.Tikpost`
per command; an SDK error becomes the CLI's exit status: 1 for an error the service answered
(printed as `error STATUS CODE: MESSAGE`), 2 when it could not be reached. Plain text is shown
as written, tables fit, times read to the second.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from tikpost_client import APIConnectionError, Tikpost, TikpostError

ApiUrl = Annotated[
    str,
    typer.Option("--url", envvar="TIKPOST_URL", help="The tikpost server (TIKPOST_URL)."),
]
ApiKey = Annotated[
    str,
    typer.Option(
        "--api-key",
        envvar="TIKPOST_API_KEY",
        help="Your API key (TIKPOST_API_KEY); make one with `tikpost keys create`.",
    ),
]
DEFAULT_URL = "http://127.0.0.1:8000"


@contextmanager
def connected(url: str, api_key: str) -> Iterator[Tikpost]:
    """The SDK client for one command; its errors end the command with their exit status.

    A progress bar or spinner inside the block is stopped before the error prints, since the
    exception leaves their blocks first.
    """
    try:
        with Tikpost(api_key=api_key, base_url=url) as client:
            yield client
    except APIConnectionError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from exc
    except TikpostError as exc:
        status = f"{exc.status} " if exc.status is not None else ""
        typer.echo(f"error {status}{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc


def console(stderr: bool = False) -> Console:
    """Markup off: titles and server messages are shown as written, `[brackets]` and all.

    Off a terminal (pipes, tests) Rich would assume 80 columns and wrap ids mid-line.
    """
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 160
    return Console(stderr=stderr, width=width, markup=False, highlight=False)


def fail(message: str) -> typer.Exit:
    """Print the error in red and give the exit (status 1) for the caller to raise."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def when(value: object | None) -> str:
    """Timestamps (datetimes or ISO text) to the second, the way they read best in a table."""
    if not value:
        return "-"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:19].replace("T", " ")
