"""What the webhooks domain accepts and returns (never ORM objects, never a stored secret)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tikpost.kit.parse import RequestModel
from tikpost.webhooks.models import DeliveryStatus

EventType = Literal[
    "post.awaiting_review",
    "post.published",
    "post.in_inbox",
    "post.failed",
    "account.reauth_required",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
MAX_URL_LENGTH = 2000


def check_webhook_url(url: str) -> str:
    """An absolute http(s) URL: anything else could never receive a POST from us."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    if len(cleaned) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    return cleaned


class EndpointCreate(RequestModel):
    """`events` empty or omitted: every event type, including ones added later."""

    url: str
    description: str | None = Field(default=None, max_length=500)
    events: list[EventType] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_webhook_url(value)


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    description: str | None
    events: list[str]
    created_at: datetime


class EndpointCreated(EndpointRead):
    """The only response carrying the secret: store it now, it is never shown again."""

    secret: str


class EndpointList(BaseModel):
    items: list[EndpointRead]


class DefaultSecret(BaseModel):
    secret: str


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    status_code: int | None
    error: str | None
    duration_ms: int
    attempted_at: datetime


class DeliveryRead(BaseModel):
    id: str
    endpoint_id: str | None
    url: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    payload: dict[str, Any]


class DeliveryDetail(DeliveryRead):
    attempts: list[AttemptRead]


class DeliveryList(BaseModel):
    items: list[DeliveryRead]
