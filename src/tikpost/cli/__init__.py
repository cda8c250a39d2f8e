"""The `tikpost` command: one Typer app, the whole command table in one place.

Two kinds of command live here. Operator commands (`server`, `keys`) run processes or open the
database; client commands (`accounts`, `post`, `posts`) talk to a running service over HTTP
through the Python SDK (`tikpost_client`), like any other API client.
"""

from __future__ import annotations

import typer

from tikpost.cli import server
from tikpost.cli.accounts import accounts_app
from tikpost.cli.dashboard import dashboard_link
from tikpost.cli.keys import keys_app
from tikpost.cli.post import post_command
from tikpost.cli.posts import posts_app

app = typer.Typer(no_args_is_help=True, help="Publish to TikTok through the Content Posting API.")

app.command()(server.sandbox)
app.command("post")(post_command)
app.command()(server.serve)
app.command()(server.worker)
app.command("sample-video")(server.sample_video)
app.add_typer(server.db_app, name="db")
app.add_typer(keys_app, name="keys")
app.command("dashboard-link")(dashboard_link)
app.add_typer(accounts_app, name="accounts")
app.add_typer(posts_app, name="posts")

__all__ = ["app"]
