"""The CLI's way to the running service: its HTTP API with an API key, like any other client.

Commands that act for a team (connect an account, post) go through the API rather than the
database, so they work the same against a local `tikpost serve` and a remote deployment. Every
HTTP call the commands make is here and nowhere else, so moving them onto a Python SDK later
changes this module, not the commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import typer

from tikpost.cli.multipart import MultipartFile

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
# Probing a large video can take a while after its last byte arrives.
UPLOAD_TIMEOUT = httpx.Timeout(60, read=600)


@dataclass(frozen=True)
class Api:
    """One team's view of the service, as the commands need it (JSON as plain dicts)."""

    url: str
    api_key: str

    def start_connect(self) -> dict[str, Any]:
        started: dict[str, Any] = self._call("POST", "/v1/accounts/connect")
        return started

    def accounts(self) -> list[dict[str, Any]]:
        accounts: list[dict[str, Any]] = self._call("GET", "/v1/accounts")["items"]
        return accounts

    def send_upload(
        self, body: MultipartFile, endpoint: str, on_sent: Callable[[int], None]
    ) -> httpx.Response:
        """Stream `body` to POST `endpoint`; read it with `result` once the progress bar is gone.

        The file is never held in memory: the body is produced piece by piece as it is sent.
        """
        return self._send(
            "POST",
            endpoint,
            content=body.iter_body(on_sent=on_sent),
            headers=body.headers(),
            timeout=UPLOAD_TIMEOUT,
        )

    def create_post(self, body: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        post: dict[str, Any] = self._call("POST", "/v1/posts", json=body, headers=headers)
        return post

    def posts(self, params: dict[str, Any]) -> dict[str, Any]:
        page: dict[str, Any] = self._call("GET", "/v1/posts", params=params)
        return page

    def post(self, post_id: str) -> dict[str, Any]:
        post: dict[str, Any] = self._call("GET", f"/v1/posts/{post_id}")
        return post

    def cancel_post(self, post_id: str) -> dict[str, Any]:
        post: dict[str, Any] = self._call("DELETE", f"/v1/posts/{post_id}")
        return post

    def retry_post(self, post_id: str) -> dict[str, Any]:
        post: dict[str, Any] = self._call("POST", f"/v1/posts/{post_id}/retry")
        return post

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request; a failure prints the server's error message and exits non-zero."""
        return result(self._send(method, path, **kwargs))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The request alone, so a caller with a live display can stop it before errors print."""
        headers = {"X-API-Key": self.api_key}
        try:
            with httpx.Client(base_url=self.url, headers=headers, timeout=60) as client:
                return client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            typer.echo(f"cannot reach tikpost at {self.url}: {exc}", err=True)
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
