"""tikpost /v1 API models, generated from the server's /openapi.json: do not edit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AnyUrl, AwareDatetime, BaseModel, ConfigDict, Field, RootModel


class AccountRead(BaseModel):
    id: Annotated[str, Field(title="Id")]
    open_id: Annotated[
        str, Field(description="TikTok's id for this creator within this app.", title="Open Id")
    ]
    username: Annotated[str | None, Field(title="Username")]
    display_name: Annotated[str | None, Field(title="Display Name")]
    avatar_url: Annotated[str | None, Field(title="Avatar Url")]
    scopes: Annotated[list[str], Field(title="Scopes")]
    status: Annotated[Literal["ready", "reauth_required", "revoked"], Field(title="Status")]
    api: Annotated[
        Literal["content_posting", "business"] | None,
        Field(
            description="The TikTok API the account posts through: `content_posting` (TikTok's Content Posting API), or `business` (TikTok's API for Business: public posts only, commercial sounds; GET /v1/accounts/{id}/sounds).",
            title="Api",
        ),
    ] = "content_posting"
    status_reason: Annotated[
        str | None,
        Field(description="Why the account is not ready, if it is not.", title="Status Reason"),
    ]
    access_expires_at: Annotated[
        AwareDatetime | None,
        Field(description="When the current access token ends.", title="Access Expires At"),
    ]
    refresh_expires_at: Annotated[
        AwareDatetime | None,
        Field(
            description="When the creator must connect again at the latest.",
            title="Refresh Expires At",
        ),
    ]
    default_privacy_level: Annotated[
        Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
        | None,
        Field(
            description="What a direct post naming no privacy_level uses; null: such a post waits in awaiting_review for a person to choose (reason privacy_level_required).",
            title="Default Privacy Level",
        ),
    ] = None
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]


class AccountUpdate(BaseModel):
    """
    What a person may change on an account.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    default_privacy_level: Annotated[
        Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
        | None,
        Field(
            description="One of the creator's privacy_level_options (checked against TikTok's creator_info now), or null for no default.",
            title="Default Privacy Level",
        ),
    ]


class AttemptRead(BaseModel):
    number: Annotated[int, Field(title="Number")]
    status_code: Annotated[int | None, Field(title="Status Code")]
    error: Annotated[str | None, Field(title="Error")]
    duration_ms: Annotated[int, Field(title="Duration Ms")]
    attempted_at: Annotated[AwareDatetime, Field(title="Attempted At")]


class RedirectUri(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="Your page to send the creator's browser to afterwards, with `account_id` and `status=connected`, or `error`; its origin must be in TIKPOST_CONNECT_REDIRECT_ORIGINS.",
            max_length=2000,
            title="Redirect Uri",
        ),
    ]


class CancelRedirectUri(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="Where a creator who declines goes instead (with `error=access_denied`); same origin rule.",
            max_length=2000,
            title="Cancel Redirect Uri",
        ),
    ]


class ConnectRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    api: Annotated[
        Literal["content_posting", "business"] | None,
        Field(
            description="`business`: connect through the server's TikTok API for Business app instead: the account then posts public videos and photos only, and may add a commercial sound (`sound`) to its posts. 409 business_api_not_configured without one.",
            title="Api",
        ),
    ] = "content_posting"
    redirect_uri: Annotated[
        RedirectUri | None,
        Field(
            description="Your page to send the creator's browser to afterwards, with `account_id` and `status=connected`, or `error`; its origin must be in TIKPOST_CONNECT_REDIRECT_ORIGINS.",
            title="Redirect Uri",
        ),
    ] = None
    cancel_redirect_uri: Annotated[
        CancelRedirectUri | None,
        Field(
            description="Where a creator who declines goes instead (with `error=access_denied`); same origin rule.",
            title="Cancel Redirect Uri",
        ),
    ] = None


class ConnectStarted(BaseModel):
    """
    Send the creator's browser to `authorize_url`; TikTok sends it back to tikpost.
    """

    authorize_url: Annotated[str, Field(title="Authorize Url")]
    state: Annotated[str, Field(title="State")]
    expires_at: Annotated[AwareDatetime, Field(title="Expires At")]


class CreatorInfoRead(BaseModel):
    """
    TikTok's creator_info, live: what a composer must offer before a direct post.
    """

    creator_username: Annotated[str, Field(title="Creator Username")]
    creator_nickname: Annotated[str, Field(title="Creator Nickname")]
    creator_avatar_url: Annotated[str | None, Field(title="Creator Avatar Url")]
    privacy_level_options: Annotated[list[str], Field(title="Privacy Level Options")]
    comment_disabled: Annotated[bool, Field(title="Comment Disabled")]
    duet_disabled: Annotated[bool, Field(title="Duet Disabled")]
    stitch_disabled: Annotated[bool, Field(title="Stitch Disabled")]
    max_video_post_duration_sec: Annotated[int, Field(title="Max Video Post Duration Sec")]


class DefaultSecret(BaseModel):
    secret: Annotated[str, Field(title="Secret")]


class DeliveryDetail(BaseModel):
    id: Annotated[str, Field(title="Id")]
    endpoint_id: Annotated[str | None, Field(title="Endpoint Id")]
    url: Annotated[str, Field(title="Url")]
    event_id: Annotated[str, Field(title="Event Id")]
    event_type: Annotated[str, Field(title="Event Type")]
    status: Annotated[Literal["pending", "succeeded", "failed"], Field(title="Status")]
    attempt_count: Annotated[int, Field(title="Attempt Count")]
    last_status_code: Annotated[int | None, Field(title="Last Status Code")]
    last_error: Annotated[str | None, Field(title="Last Error")]
    next_attempt_at: Annotated[AwareDatetime | None, Field(title="Next Attempt At")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    payload: Annotated[dict[str, Any], Field(title="Payload")]
    attempts: Annotated[list[AttemptRead], Field(title="Attempts")]


class DeliveryRead(BaseModel):
    id: Annotated[str, Field(title="Id")]
    endpoint_id: Annotated[str | None, Field(title="Endpoint Id")]
    url: Annotated[str, Field(title="Url")]
    event_id: Annotated[str, Field(title="Event Id")]
    event_type: Annotated[str, Field(title="Event Type")]
    status: Annotated[Literal["pending", "succeeded", "failed"], Field(title="Status")]
    attempt_count: Annotated[int, Field(title="Attempt Count")]
    last_status_code: Annotated[int | None, Field(title="Last Status Code")]
    last_error: Annotated[str | None, Field(title="Last Error")]
    next_attempt_at: Annotated[AwareDatetime | None, Field(title="Next Attempt At")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    completed_at: Annotated[AwareDatetime | None, Field(title="Completed At")]
    payload: Annotated[dict[str, Any], Field(title="Payload")]


class Description(RootModel[str]):
    root: Annotated[str, Field(max_length=500, title="Description")]


class EndpointCreate(BaseModel):
    """
    `events` empty or omitted: every event type, including ones added later.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    url: Annotated[str, Field(title="Url")]
    description: Annotated[Description | None, Field(title="Description")] = None
    events: Annotated[
        list[
            Literal[
                "post.awaiting_review",
                "post.published",
                "post.in_inbox",
                "post.failed",
                "account.reauth_required",
            ]
        ]
        | None,
        Field(title="Events"),
    ] = None


class EndpointCreated(BaseModel):
    """
    The only response carrying the secret: store it now, it is never shown again.
    """

    id: Annotated[str, Field(title="Id")]
    url: Annotated[str, Field(title="Url")]
    description: Annotated[str | None, Field(title="Description")]
    events: Annotated[list[str], Field(title="Events")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    secret: Annotated[str, Field(title="Secret")]


class EndpointRead(BaseModel):
    id: Annotated[str, Field(title="Id")]
    url: Annotated[str, Field(title="Url")]
    description: Annotated[str | None, Field(title="Description")]
    events: Annotated[list[str], Field(title="Events")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]


class Error1(BaseModel):
    code: Annotated[str, Field(description="Stable, snake_case.")]
    message: Annotated[str, Field(description="For people.")]
    field: str | None = None
    value: Annotated[
        str | float | None, Field(description="Media checks: the value found in the file.")
    ] = None
    limit: Annotated[str | None, Field(description="Media checks: what TikTok takes.")] = None


class Error(BaseModel):
    error: Error1


class ImageProbe(BaseModel):
    """
    A photo as measured; `format` is `jpeg`, `png` or `webp` whatever the file was called.
    """

    format: Annotated[Literal["jpeg", "png", "webp"], Field(title="Format")]
    width: Annotated[int, Field(title="Width")]
    height: Annotated[int, Field(title="Height")]
    size_bytes: Annotated[int, Field(title="Size Bytes")]
    sha256: Annotated[str, Field(title="Sha256")]


class MediaProblem(BaseModel):
    """
    One way the media breaks TikTok's rules, with what was measured and what TikTok takes.
    """

    code: Annotated[
        str, Field(description="Stable code, the same a refused post answers with.", title="Code")
    ]
    field: Annotated[
        str,
        Field(
            description="The measured property: container, fps, width, size_bytes…", title="Field"
        ),
    ]
    value: Annotated[str | int | float, Field(description="What the file has.", title="Value")]
    limit: Annotated[str, Field(description="What TikTok takes.", title="Limit")]
    message: Annotated[str, Field(title="Message")]
    fixable_by_transcode: Annotated[
        bool,
        Field(
            description="Whether tikpost can convert it: for videos, post with `transcode: true`; images (PNG, over 1080 px) are converted automatically when posted.",
            title="Fixable By Transcode",
        ),
    ]


class Video(RootModel[str]):
    root: Annotated[
        str, Field(description="A media id from POST /v1/media.", max_length=64, title="Video")
    ]


class VideoUrl(RootModel[str]):
    root: Annotated[
        str,
        Field(
            description="A video by http(s) URL instead of `video`. Under a prefix listed in TIKPOST_VERIFIED_URL_PREFIXES, TikTok pulls it itself (PULL_FROM_URL); otherwise tikpost fetches it now, before accepting the post, so every video rule applies.",
            max_length=2000,
            min_length=1,
            title="Video Url",
        ),
    ]


class Photo(RootModel[str]):
    root: Annotated[str, Field(max_length=2000, min_length=1)]


class Photos(RootModel[list[Photo]]):
    root: Annotated[
        list[Photo],
        Field(
            description='A photo carousel instead of a video: 1 to 35 images, in order, each an image media id (POST /v1/media, or the items of POST /v1/media/zip) or an http(s) URL. URLs are fetched now, before the post is accepted, exactly like POST /v1/media {"url"} (SSRF guard, size cap, probe; PNGs and photos over 1080 px are converted like uploads); if any fails, the request is refused naming the item (`photos[2]`) and nothing fetched is kept.',
            max_length=35,
            min_length=1,
            title="Photos",
        ),
    ]


class PhotoCoverIndex(RootModel[int]):
    root: Annotated[
        int,
        Field(
            description="Photos only: which photo (0-based) is the cover.",
            ge=0,
            le=34,
            title="Photo Cover Index",
        ),
    ]


class VideoCoverTimestampMs(RootModel[int]):
    root: Annotated[int, Field(ge=0, le=2147483647, title="Video Cover Timestamp Ms")]


class WebhookUrl(RootModel[AnyUrl]):
    root: Annotated[
        AnyUrl,
        Field(
            description="Also notify this URL (signed like team webhook endpoints).",
            title="Webhook Url",
        ),
    ]


class PostError(BaseModel):
    code: Annotated[str, Field(description="Stable tikpost error code.", title="Code")]
    message: Annotated[
        str, Field(description="What happened and what to do about it.", title="Message")
    ]
    fail_reason: Annotated[
        str | None,
        Field(description="TikTok's raw fail_reason, if TikTok gave one.", title="Fail Reason"),
    ]


class PostEventRead(BaseModel):
    at: Annotated[AwareDatetime, Field(title="At")]
    status: Annotated[str, Field(title="Status")]
    message: Annotated[str, Field(title="Message")]
    data: Annotated[dict[str, Any], Field(title="Data")]


class PhotoCoverIndex1(RootModel[int]):
    root: Annotated[int, Field(ge=0, le=34, title="Photo Cover Index")]


class ReviewRejection(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
    )
    reason: Annotated[
        str,
        Field(
            description="Shown as the post's error.", max_length=2000, min_length=1, title="Reason"
        ),
    ]


class StartMs(RootModel[int]):
    root: Annotated[
        int,
        Field(
            description="Where in the clip the sound starts.", ge=0, le=2147483647, title="Start Ms"
        ),
    ]


class EndMs(RootModel[int]):
    root: Annotated[
        int,
        Field(
            description="Where it ends; omitted: the video's end.",
            ge=1,
            le=2147483647,
            title="End Ms",
        ),
    ]


class SoundChoice(BaseModel):
    """
    A commercial sound on a business account's video (TikTok's API for Business).

    TikTok defaults both volumes to 0, which publishes a silent post; tikpost's defaults are
    the TikTok app's own 50 and 50, so a sound named alone is heard.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[
        str,
        Field(
            description="A sound's `id` from GET /v1/accounts/{id}/sounds.",
            max_length=64,
            min_length=1,
            title="Id",
        ),
    ]
    volume: Annotated[
        int | None, Field(description="The sound's volume, 0-100.", ge=0, le=100, title="Volume")
    ] = 50
    original_volume: Annotated[
        int | None,
        Field(
            description="The video's own audio, 0-100 (0 mutes it).",
            ge=0,
            le=100,
            title="Original Volume",
        ),
    ] = 50
    start_ms: Annotated[
        StartMs | None, Field(description="Where in the clip the sound starts.", title="Start Ms")
    ] = None
    end_ms: Annotated[
        EndMs | None, Field(description="Where it ends; omitted: the video's end.", title="End Ms")
    ] = None


class SoundRead(BaseModel):
    """
    A commercial sound a business account's post may use: one clip of a trending track.
    """

    id: Annotated[
        str, Field(description="The clip's id: what a post's `sound.id` takes.", title="Id")
    ]
    clip: Annotated[
        Literal["trending", "full"],
        Field(description="The track's trending part, or the whole track.", title="Clip"),
    ]
    track_id: Annotated[
        str,
        Field(
            description="TikTok's commercial_music_id (not publishable itself).", title="Track Id"
        ),
    ]
    name: Annotated[str, Field(title="Name")]
    artist: Annotated[str | None, Field(title="Artist")]
    duration_sec: Annotated[
        int | None, Field(description="The clip's length in seconds.", title="Duration Sec")
    ]
    genres: Annotated[list[str], Field(title="Genres")]
    preview_url: Annotated[str | None, Field(title="Preview Url")]
    thumbnail_url: Annotated[str | None, Field(title="Thumbnail Url")]


class TeamRead(BaseModel):
    """
    The caller's team, as resolved from its API key.
    """

    id: Annotated[str, Field(title="Id")]
    name: Annotated[str, Field(title="Name")]
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    review_by_default: Annotated[
        bool | None,
        Field(
            description="New posts wait for a person's review unless they say `review: none`.",
            title="Review By Default",
        ),
    ] = False


class TeamUpdate(BaseModel):
    """
    The team's settings a key may change.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    review_by_default: Annotated[bool, Field(title="Review By Default")]


class Filename(RootModel[str]):
    root: Annotated[str, Field(max_length=255, title="Filename")]


class ContentType(RootModel[str]):
    root: Annotated[str, Field(max_length=200, title="Content Type")]


class UploadSlotCreate(BaseModel):
    """
    Labels for the file to come; the bytes' probe decides what it really is.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    filename: Annotated[Filename | None, Field(title="Filename")] = None
    content_type: Annotated[ContentType | None, Field(title="Content Type")] = None


class UploadSlotRead(BaseModel):
    """
    PUT the raw bytes to `put_url` (no API key, once, before `expires_at`).
    """

    slot_id: Annotated[str, Field(title="Slot Id")]
    put_url: Annotated[
        str, Field(description="Takes one PUT of the file's raw bytes.", title="Put Url")
    ]
    public_url: Annotated[
        str,
        Field(
            description="Names the uploaded file in a compatible API's post body (mediaItems[].url and the like); not itself fetchable.",
            title="Public Url",
        ),
    ]
    expires_at: Annotated[AwareDatetime, Field(title="Expires At")]


class VideoProbe(BaseModel):
    """
    A video as measured: what TikTok's checks need (container, codec, duration, fps, size).
    """

    container: Annotated[str, Field(title="Container")]
    video_codec: Annotated[str, Field(title="Video Codec")]
    duration_ms: Annotated[int, Field(title="Duration Ms")]
    fps: Annotated[float, Field(title="Fps")]
    width: Annotated[int, Field(title="Width")]
    height: Annotated[int, Field(title="Height")]
    size_bytes: Annotated[int, Field(title="Size Bytes")]
    sha256: Annotated[str, Field(title="Sha256")]


class AccountList(BaseModel):
    items: Annotated[list[AccountRead], Field(title="Items")]


class DeliveryList(BaseModel):
    items: Annotated[list[DeliveryRead], Field(title="Items")]


class EndpointList(BaseModel):
    items: Annotated[list[EndpointRead], Field(title="Items")]


class MediaChecks(BaseModel):
    """
    TikTok's media rules against the probe; `problems` is empty when ready as it is.
    """

    ready_for_tiktok: Annotated[bool, Field(title="Ready For Tiktok")]
    problems: Annotated[list[MediaProblem], Field(title="Problems")]


class MediaRead(BaseModel):
    """
    An uploaded file. `kind` and `content_type` come from probing the bytes, not the client.
    """

    id: Annotated[str, Field(title="Id")]
    kind: Annotated[Literal["video", "image"], Field(title="Kind")]
    filename: Annotated[str | None, Field(title="Filename")]
    content_type: Annotated[str, Field(title="Content Type")]
    size_bytes: Annotated[int, Field(title="Size Bytes")]
    sha256: Annotated[str, Field(title="Sha256")]
    probe: Annotated[VideoProbe | ImageProbe, Field(title="Probe")]
    checks: MediaChecks
    created_at: Annotated[AwareDatetime, Field(title="Created At")]


class PostCreate(BaseModel):
    """
    One video (or photo carousel) to one account, now or at `scheduled_at`.

    `mode=direct` publishes (TikTok's Direct Post); `mode=draft` sends the video to the
    creator's TikTok inbox, where they finish it in the app — drafts take no caption, privacy or
    interaction settings, because TikTok lets the creator choose those there. Photo drafts are
    the exception TikTok makes: they take a title and description.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    account_id: Annotated[str, Field(max_length=64, title="Account Id")]
    mode: Annotated[Literal["direct", "draft"] | None, Field(title="Mode")] = "direct"
    video: Annotated[
        Video | None, Field(description="A media id from POST /v1/media.", title="Video")
    ] = None
    video_url: Annotated[
        VideoUrl | None,
        Field(
            description="A video by http(s) URL instead of `video`. Under a prefix listed in TIKPOST_VERIFIED_URL_PREFIXES, TikTok pulls it itself (PULL_FROM_URL); otherwise tikpost fetches it now, before accepting the post, so every video rule applies.",
            title="Video Url",
        ),
    ] = None
    photos: Annotated[
        Photos | None,
        Field(
            description='A photo carousel instead of a video: 1 to 35 images, in order, each an image media id (POST /v1/media, or the items of POST /v1/media/zip) or an http(s) URL. URLs are fetched now, before the post is accepted, exactly like POST /v1/media {"url"} (SSRF guard, size cap, probe; PNGs and photos over 1080 px are converted like uploads); if any fails, the request is refused naming the item (`photos[2]`) and nothing fetched is kept.',
            title="Photos",
        ),
    ] = None
    photo_cover_index: Annotated[
        PhotoCoverIndex | None,
        Field(
            description="Photos only: which photo (0-based) is the cover.",
            title="Photo Cover Index",
        ),
    ] = None
    description: Annotated[
        str | None,
        Field(
            description="Photos only: text under the carousel; 4000 UTF-16 units.",
            title="Description",
        ),
    ] = None
    auto_add_music: Annotated[
        bool | None,
        Field(
            description="Photos only (direct): let TikTok add recommended music.",
            title="Auto Add Music",
        ),
    ] = False
    title: Annotated[
        str | None,
        Field(
            description="Caption, with #hashtags and @mentions; 2200 UTF-16 units.", title="Title"
        ),
    ] = None
    privacy_level: Annotated[
        Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
        | None,
        Field(
            description="For direct posts: one the creator offers (creator-info). Omitted: the account's default_privacy_level; with none set, the post is accepted and waits in awaiting_review (review_reason privacy_level_required) for a person to choose.",
            title="Privacy Level",
        ),
    ] = None
    disable_comment: Annotated[bool | None, Field(title="Disable Comment")] = False
    disable_duet: Annotated[bool | None, Field(title="Disable Duet")] = False
    disable_stitch: Annotated[bool | None, Field(title="Disable Stitch")] = False
    brand_organic_toggle: Annotated[
        bool | None,
        Field(description="Promotes the creator's brand.", title="Brand Organic Toggle"),
    ] = False
    brand_content_toggle: Annotated[
        bool | None,
        Field(
            description="Paid partnership; cannot be private (SELF_ONLY).",
            title="Brand Content Toggle",
        ),
    ] = False
    is_aigc: Annotated[
        bool | None, Field(description="Label the video as AI-generated.", title="Is Aigc")
    ] = False
    video_cover_timestamp_ms: Annotated[
        VideoCoverTimestampMs | None, Field(title="Video Cover Timestamp Ms")
    ] = None
    scheduled_at: Annotated[
        AwareDatetime | None,
        Field(
            description="RFC 3339 with a timezone; omitted or past means now.", title="Scheduled At"
        ),
    ] = None
    webhook_url: Annotated[
        WebhookUrl | None,
        Field(
            description="Also notify this URL (signed like team webhook endpoints).",
            title="Webhook Url",
        ),
    ] = None
    on_cap: Annotated[
        Literal["wait", "fail"] | None,
        Field(
            description="When the creator has hit TikTok's daily post cap: wait for the window to reopen and post then (`wait`), or fail at once (`fail`).",
            title="On Cap",
        ),
    ] = "wait"
    transcode: Annotated[
        bool | None,
        Field(
            description="Videos: convert one TikTok would refuse (other codec or container, frame rate outside 23-60 fps, a side outside 360-4096 px) to H.264/AAC MP4 before uploading; a video that already passes is sent as it is. Omitted: the server's TIKPOST_TRANSCODE_DEFAULT (false unless set).",
            title="Transcode",
        ),
    ] = None
    sound: Annotated[
        SoundChoice | None,
        Field(
            description="Business accounts only (`api: business`; 422 sound_needs_business_account otherwise): a commercial sound from GET /v1/accounts/{id}/sounds, published through TikTok's API for Business with the volumes given."
        ),
    ] = None
    review: Annotated[
        Literal["required", "none"] | None,
        Field(
            description="`required`: the post waits in `awaiting_review` until a person approves it (POST /v1/posts/{id}/approve, or the dashboard's review queue); nothing is sent to TikTok before. `none`: publish without review. Omitted: the team's `review_by_default` (GET /v1/team).",
            title="Review",
        ),
    ] = None


class PostRead(BaseModel):
    id: Annotated[str, Field(title="Id")]
    account_id: Annotated[str, Field(title="Account Id")]
    status: Annotated[
        Literal[
            "awaiting_review",
            "scheduled",
            "queued",
            "uploading",
            "processing",
            "published",
            "in_inbox",
            "failed",
            "cancelled",
        ],
        Field(title="Status"),
    ]
    mode: Annotated[Literal["direct", "draft"], Field(title="Mode")]
    media_type: Annotated[Literal["video", "photo"] | None, Field(title="Media Type")] = "video"
    api: Annotated[
        Literal["content_posting", "business"] | None,
        Field(
            description="The TikTok API it publishes through: its account's (`business`: TikTok's API for Business, public videos with an optional sound).",
            title="Api",
        ),
    ] = "content_posting"
    video: Annotated[str | None, Field(title="Video")]
    photos: Annotated[list[str] | None, Field(title="Photos")] = None
    photo_cover_index: Annotated[int | None, Field(title="Photo Cover Index")] = None
    description: Annotated[str | None, Field(title="Description")] = None
    auto_add_music: Annotated[bool | None, Field(title="Auto Add Music")] = False
    title: Annotated[str | None, Field(title="Title")]
    privacy_level: Annotated[str | None, Field(title="Privacy Level")]
    disable_comment: Annotated[bool, Field(title="Disable Comment")]
    disable_duet: Annotated[bool, Field(title="Disable Duet")]
    disable_stitch: Annotated[bool, Field(title="Disable Stitch")]
    brand_organic_toggle: Annotated[bool, Field(title="Brand Organic Toggle")]
    brand_content_toggle: Annotated[bool, Field(title="Brand Content Toggle")]
    is_aigc: Annotated[bool, Field(title="Is Aigc")]
    video_cover_timestamp_ms: Annotated[int | None, Field(title="Video Cover Timestamp Ms")]
    scheduled_at: Annotated[AwareDatetime | None, Field(title="Scheduled At")]
    webhook_url: Annotated[str | None, Field(title="Webhook Url")]
    on_cap: Annotated[Literal["wait", "fail"], Field(title="On Cap")]
    transcode: Annotated[bool | None, Field(title="Transcode")] = False
    transcoded_video: Annotated[
        str | None,
        Field(
            description="The media id of the H.264/AAC MP4 made for TikTok, once transcoded; the post uploads it instead of `video`.",
            title="Transcoded Video",
        ),
    ] = None
    video_url: Annotated[str | None, Field(title="Video Url")] = None
    sound: Annotated[
        SoundChoice | None,
        Field(description="The commercial sound (business accounts), with its volumes."),
    ] = None
    attempt: Annotated[int, Field(title="Attempt")]
    publish_id: Annotated[
        str | None,
        Field(description="TikTok's publish_id once the post is initialised.", title="Publish Id"),
    ]
    uploaded_bytes: Annotated[int, Field(title="Uploaded Bytes")]
    tiktok_post_id: Annotated[
        str | None,
        Field(description="The live post's id, for public posts.", title="Tiktok Post Id"),
    ]
    post_url: Annotated[str | None, Field(title="Post Url")]
    error: PostError | None
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    updated_at: Annotated[AwareDatetime, Field(title="Updated At")]
    finished_at: Annotated[AwareDatetime | None, Field(title="Finished At")]
    review_required: Annotated[
        bool | None,
        Field(description="Held for a person's review before publishing.", title="Review Required"),
    ] = False
    reviewed_at: Annotated[
        AwareDatetime | None,
        Field(
            description="When it was approved or rejected; null again after an edit.",
            title="Reviewed At",
        ),
    ] = None
    review_note: Annotated[
        str | None, Field(description="The reason given on rejection.", title="Review Note")
    ] = None
    review_reason: Annotated[
        str | None,
        Field(
            description="Why it waits beyond consent: `privacy_level_required` (a direct post that named no privacy_level, its account having no default): set one with PATCH /v1/posts/{id} before approving.",
            title="Review Reason",
        ),
    ] = None
    consent: Annotated[
        Literal["api_key", "dashboard"] | None,
        Field(
            description="How the creator's consent was given; null until it was.", title="Consent"
        ),
    ] = None
    consent_by: Annotated[
        str | None,
        Field(
            description="The API key's id (`key_…`) or dashboard session's (`ses_…`).",
            title="Consent By",
        ),
    ] = None
    consent_at: Annotated[AwareDatetime | None, Field(title="Consent At")] = None
    events: Annotated[list[PostEventRead], Field(title="Events")]


class PostUpdate(BaseModel):
    """
    What a person (or the caller) may change on a post awaiting review; only the fields
    given change. On a scheduled post, `scheduled_at` alone reschedules it.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    title: Annotated[str | None, Field(title="Title")] = None
    description: Annotated[str | None, Field(title="Description")] = None
    privacy_level: Annotated[
        Literal["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
        | None,
        Field(title="Privacy Level"),
    ] = None
    disable_comment: Annotated[bool | None, Field(title="Disable Comment")] = False
    disable_duet: Annotated[bool | None, Field(title="Disable Duet")] = False
    disable_stitch: Annotated[bool | None, Field(title="Disable Stitch")] = False
    brand_organic_toggle: Annotated[bool | None, Field(title="Brand Organic Toggle")] = False
    brand_content_toggle: Annotated[bool | None, Field(title="Brand Content Toggle")] = False
    is_aigc: Annotated[bool | None, Field(title="Is Aigc")] = False
    auto_add_music: Annotated[bool | None, Field(title="Auto Add Music")] = False
    video_cover_timestamp_ms: Annotated[
        VideoCoverTimestampMs | None, Field(title="Video Cover Timestamp Ms")
    ] = None
    photo_cover_index: Annotated[PhotoCoverIndex1 | None, Field(title="Photo Cover Index")] = None
    sound: Annotated[
        SoundChoice | None, Field(description="Business accounts: another sound, or null for none.")
    ] = None
    scheduled_at: Annotated[
        AwareDatetime | None,
        Field(
            description="RFC 3339 with a timezone; null means as soon as approved.",
            title="Scheduled At",
        ),
    ] = None


class SoundList(BaseModel):
    items: Annotated[list[SoundRead], Field(title="Items")]


class MediaList(BaseModel):
    """
    Media made by one request, in order (the slides of an uploaded zip).
    """

    items: Annotated[list[MediaRead], Field(title="Items")]


class MediaPage(BaseModel):
    """
    One page of a team's media, newest first; pass `next_cursor` back as `cursor`.
    """

    items: Annotated[list[MediaRead], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]


class PostPage(BaseModel):
    items: Annotated[list[PostRead], Field(title="Items")]
    next_cursor: Annotated[
        str | None,
        Field(description="Pass back as `cursor` for the next page.", title="Next Cursor"),
    ]
