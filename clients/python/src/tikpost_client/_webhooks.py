"""`client.webhooks.unwrap`: check a Standard Webhooks delivery and read it as a typed event.

The spec is ten lines (HMAC-SHA256 over `id.timestamp.body`, base64, `v1,` prefixes, a
five-minute window), so it is done here with hmac rather than pulling the `standardwebhooks`
package and its generated client's dependencies into every install.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from tikpost_client._errors import WebhookVerificationError
from tikpost_client._models import PostRead

TOLERANCE_SEC = 300
PostEventType = Literal["post.awaiting_review", "post.published", "post.in_inbox", "post.failed"]


class PostEvent(BaseModel):
    """A post reached a state worth telling: `data` is the post as GET /v1/posts/{id} reads."""

    model_config = ConfigDict(frozen=True)
    id: str
    type: PostEventType
    timestamp: AwareDatetime
    data: PostRead


class AccountEvent(BaseModel):
    """`account.reauth_required`: an account stopped working; `data` says which and why."""

    model_config = ConfigDict(frozen=True)
    id: str
    type: Literal["account.reauth_required"]
    timestamp: AwareDatetime
    data: dict[str, Any]


WebhookEvent = PostEvent | AccountEvent


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as exc:
        raise WebhookVerificationError("the secret is not a whsec_ key", code="bad_secret") from exc


def verify(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = TOLERANCE_SEC,
    now: float | None = None,
) -> bytes:
    """The body, once its signature is one of the `webhook-signature` list's and its timestamp
    is within `tolerance` seconds; else WebhookVerificationError."""
    raw = body.encode() if isinstance(body, str) else body
    lowered = {name.lower(): value for name, value in headers.items()}
    msg_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError("missing webhook-* headers", code="missing_headers")
    try:
        sent = int(stamp)
    except ValueError as exc:
        raise WebhookVerificationError("bad webhook-timestamp", code="bad_timestamp") from exc
    if abs((time.time() if now is None else now) - sent) > tolerance:
        raise WebhookVerificationError("timestamp outside the tolerance", code="bad_timestamp")
    signed = f"{msg_id}.{sent}.".encode() + raw
    expected = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest())
    for entry in signatures.split():
        version, _, given = entry.partition(",")
        if version == "v1" and hmac.compare_digest(given.encode(), expected):
            return raw
    raise WebhookVerificationError("no signature matches", code="bad_signature")


class Webhooks:
    """Verification needs no API call; this is on the client for discoverability."""

    def verify(self, body: bytes | str, headers: Mapping[str, str], secret: str) -> bytes:
        return verify(body, headers, secret)

    def unwrap(
        self,
        body: bytes | str,
        headers: Mapping[str, str],
        secret: str,
        *,
        tolerance: float = TOLERANCE_SEC,
    ) -> WebhookEvent:
        """The event of a verified delivery: a PostEvent or an AccountEvent, by its `type`.
        Pass the body exactly as received (bytes), before any JSON parsing."""
        raw = verify(body, headers, secret, tolerance=tolerance)
        msg_id = {name.lower(): value for name, value in headers.items()}["webhook-id"]
        try:
            event = {**json.loads(raw), "id": msg_id}
            if str(event.get("type", "")).startswith("account."):
                return AccountEvent.model_validate(event)
            return PostEvent.model_validate(event)
        except (ValueError, PydanticValidationError) as exc:
            raise WebhookVerificationError(
                f"a signed body that is not a tikpost event: {exc}", code="bad_payload"
            ) from exc
