"""`tikpost dashboard-link --team NAME`: a one-time sign-in link, made on the database itself.

An operator's command like `keys create`: whoever can open the database may let a person in,
without handing them an API key.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tikpost.cli.keys import _run_in_session
from tikpost.cli.server import load_settings


def dashboard_link(
    team: Annotated[str, typer.Option(help="The team to sign in as (it must exist).")],
) -> None:
    """Print a dashboard sign-in link: valid 10 minutes, for one sign-in."""
    from tikpost.teams.sessions import service

    token = _run_in_session(lambda session: service.create_sign_in_link(session, team))
    typer.echo(f"{load_settings().public_url}/sign-in/{token}")
    typer.echo(
        f"one-time sign-in link for team {team!r}: valid 10 minutes, for one sign-in", err=True
    )
