"""What the teams domain hands to endpoints and the CLI (never ORM objects, never key hashes)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tikpost.kit.parse import RequestModel


class TeamRead(BaseModel):
    """The caller's team, as resolved from its API key."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: datetime
    review_by_default: bool = Field(
        default=False,
        description="New posts wait for a person's review unless they say `review: none`.",
    )


class TeamUpdate(RequestModel):
    """The team's settings a key may change."""

    review_by_default: bool


class ApiKeyInfo(BaseModel):
    """A key as it may be listed: the display prefix only, so listings are safe to share."""

    id: str
    team_id: str
    team_name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class CreatedApiKey(BaseModel):
    """The only moment the full key exists outside its owner's hands."""

    key: str
    info: ApiKeyInfo
