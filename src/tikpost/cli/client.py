"""The CLI's way to the running service: its HTTP API with an API key, like any other client.

Commands that act for a team (connect an account, post) go through the API rather than the
database, so they work the same against a local `tikpost serve` and a remote deployment.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import typer

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


def call(url: str, api_key: str, method: str, path: str, **kwargs: Any) -> Any:
    """One request; a failure prints the server's error message and exits non-zero."""
    return result(send(url, api_key, method, path, **kwargs))


def send(url: str, api_key: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """The request alone, so a caller with a live display can stop it before errors print."""
    try:
        with httpx.Client(base_url=url, headers={"X-API-Key": api_key}, timeout=60) as client:
            return client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        typer.echo(f"cannot reach tikpost at {url}: {exc}", err=True)
        raise typer.Exit(2) from exc


def result(response: httpx.Response) -> Any:
    """The response's JSON; an error response prints its code and message and exits 1."""
    if response.is_error:
        try:
            error = response.json()["error"]
            message = f"{error['code']}: {error['message']}"
        except (ValueError, KeyError, TypeError):
            message = response.text[:500]
        typer.echo(f"error {response.status_code} {message}", err=True)
        raise typer.Exit(1)
    return response.json()
