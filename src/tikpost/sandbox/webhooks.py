"""TikTok's webhooks: a JSON envelope whose `content` is a JSON string, signed with the secret."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from tikpost.sandbox.state import SandboxState, WebhookDelivery

ATTEMPTS = 5
FIRST_BACKOFF_SEC = 0.2


def sign(client_secret: str, timestamp: int, raw_body: str) -> str:
    """`TikTok-Signature: t=<ts>,s=<hex HMAC-SHA256(secret, "<ts>.<body>")>` as TikTok documents."""
    mac = hmac.new(client_secret.encode(), f"{timestamp}.{raw_body}".encode(), hashlib.sha256)
    return f"t={timestamp},s={mac.hexdigest()}"


def emit(state: SandboxState, event: str, open_id: str, content: dict[str, Any]) -> None:
    """Queue one event for the configured callback URL; does nothing when none is set."""
    url = state.config.webhook_url
    if not url:
        return
    body = json.dumps(
        {
            "client_key": state.config.client_key,
            "event": event,
            "create_time": int(state.clock.now()),
            "user_openid": open_id,
            "content": json.dumps(content),
        }
    )
    # The signature's timestamp is real time: receivers compare it with their own clocks.
    delivery = WebhookDelivery(
        event=event, body=body, signature=sign(state.config.client_secret, int(time.time()), body)
    )
    state.webhooks.append(delivery)
    state.spawn(_deliver(url, delivery))


async def _deliver(url: str, delivery: WebhookDelivery) -> None:
    """At least once: retry with exponential backoff until a 2xx (TikTok keeps at it for 72 h)."""
    headers = {"Content-Type": "application/json", "TikTok-Signature": delivery.signature}
    async with httpx.AsyncClient(timeout=10) as client:
        for attempt in range(ATTEMPTS):
            delivery.attempts = attempt + 1
            try:
                response = await client.post(url, content=delivery.body, headers=headers)
                delivery.status_code = response.status_code
                delivery.error = None
                if response.is_success:
                    return
            except httpx.HTTPError as exc:
                delivery.error = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(FIRST_BACKOFF_SEC * 2**attempt)
