"""A FastAPI receiver for tikpost's webhooks: verify each delivery, then act on its event.

    TIKPOST_WEBHOOK_SECRET=whsec_... uvicorn --factory webhook_receiver:create_app

The secret is the endpoint's (shown once by `client.webhook_endpoints.create`) or, for a post's
own `webhook_url`, the team's default (`client.webhook_endpoints.default_secret()`).
"""

import os
from collections.abc import Callable

from fastapi import FastAPI, HTTPException, Request
from tikpost_client import PostEvent, WebhookEvent, Webhooks, WebhookVerificationError

webhooks = Webhooks()  # verifying needs the secret only, no API key


def ignore(_event: WebhookEvent) -> None:
    """Where your code goes: queue a job, update your records."""


def create_app(
    secret: str | None = None, on_event: Callable[[WebhookEvent], None] = ignore
) -> FastAPI:
    app = FastAPI()
    key = secret or os.environ["TIKPOST_WEBHOOK_SECRET"]

    @app.post("/webhooks/tikpost", status_code=204)
    async def receive(request: Request) -> None:
        try:  # the raw body: a parsed and re-serialised one would not match its signature
            event = webhooks.unwrap(await request.body(), request.headers, key)
        except WebhookVerificationError as exc:
            raise HTTPException(400, str(exc)) from exc
        if isinstance(event, PostEvent):
            print(f"{event.type}: post {event.data.id} is {event.data.status}")
        on_event(event)

    return app
