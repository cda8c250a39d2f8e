"""PostPost's request and response bodies, with its (camelCase) field names.

PostPost ignores keys it does not know (a client may send settings for platforms tikpost does
not serve), so these models ignore them too, but every string still gets tikpost's text check.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from tikpost.kit.parse import RequestModel, to_utc

When = Annotated[AwareDatetime, AfterValidator(to_utc)]


class CompatRequest(RequestModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)


class CompatResponse(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class PostPostTikTokSettings(CompatRequest):
    """`platformSettings.tiktok`. `viewer_setting` has PostPost's schema default (empty), which
    its validation then refuses: TikTok requires the creator to choose who can view."""

    viewer_setting: str | None = ""
    allow_comments: bool = True
    allow_duet: bool = False
    allow_stitch: bool = False
    commercial_content: bool = False
    brand_organic: bool = False
    branded_content: bool = False


class PostPostPlatformSettings(CompatRequest):
    tiktok: PostPostTikTokSettings | None = None


class PostPostCreate(CompatRequest):
    content: str = Field(default="", max_length=100_000)
    platforms: list[Annotated[str, Field(max_length=300)]] = Field(default=[], max_length=50)
    scheduled_time: When | None = Field(
        default=None, description="ISO 8601; omitted: a draft (the post group waits for media)."
    )
    platform_settings: PostPostPlatformSettings | None = None

    @field_validator("platform_settings", mode="before")
    @classmethod
    def _json_text(cls, value: Any) -> Any:
        """PostPost also takes `platformSettings` as a JSON string."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError("platformSettings is not valid JSON") from None
        return value


class PostPostUploadRequest(CompatRequest):
    file_name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=200)
    post_group_id: str = Field(min_length=1, max_length=64)
    type: Literal["image", "video"] | None = None


class PostPostUpdate(CompatRequest):
    status: Literal["draft", "scheduled"] | None = None
    scheduled_time: When | None = None


class PostPostCreated(CompatResponse):
    success: bool = True
    post_group_id: str


class PostPostUploadUrl(CompatResponse):
    success: bool = True
    upload_url: str = Field(description="PUT the file's raw bytes here (one hour, once).")
    file_url: str
    media_id: str


class PostPostGroupState(CompatResponse):
    id: str = Field(alias="_id")
    status: Literal["draft", "scheduled"]
    scheduled_time: datetime | None


class PostPostUpdated(CompatResponse):
    success: bool = True
    message: str = "Post updated successfully"
    post_group: PostPostGroupState


class PostPostError(CompatResponse):
    code: str
    message: str


class PostPostPlatformPost(CompatResponse):
    id: str = Field(alias="_id")
    platform: Literal["tiktok"] = "tiktok"
    platform_id: str = Field(description="The account's TikTok open_id (no `tiktok-` prefix).")
    content: str
    status: Literal["draft", "scheduled", "pending", "processing", "published", "failed"]
    posted_id: str | None = Field(default=None, description="Only once published.")
    error: PostPostError | None = None


class PostPostGroup(CompatResponse):
    success: bool = True
    post_group_id: str
    posts: list[PostPostPlatformPost]


class PostPostDeleted(CompatResponse):
    success: bool = True
