"""The `tikpost` command: one Typer app, one function per subcommand."""

from __future__ import annotations

from typing import Annotated

import typer

from tikpost.sandbox.config import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URI

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
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")
