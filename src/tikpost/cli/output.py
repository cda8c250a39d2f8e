"""How the posts commands print: plain text as written, tables that fit, times to the second."""

from __future__ import annotations

import sys

import typer
from rich.console import Console


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


def when(value: str | None) -> str:
    """ISO timestamps to the second, the way they read best in a table."""
    return "-" if not value else value[:19].replace("T", " ")
