"""Everything the emulated TikTok remembers, in memory, on one movable clock."""

from __future__ import annotations

import asyncio
import hashlib
import random
import shutil
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tikpost.sandbox.business.state import BusinessState
from tikpost.sandbox.config import SandboxConfig

PUBLIC_OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
PRIVATE_OPTIONS = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
FINAL_STATUSES = frozenset({"PUBLISH_COMPLETE", "FAILED"})


class Clock:
    """Wall time plus an offset the operator can move forward.

    Token, code and upload-URL expiry, rate windows, daily caps and processing all read this clock,
    so a test can jump a day ahead instead of waiting for one.
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self._moved = asyncio.Event()

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        self.offset += seconds
        self._moved.set()
        self._moved = asyncio.Event()
        return self.now()

    async def sleep_until(self, moment: float) -> None:
        """Wait until the clock reads `moment`, waking early when the operator moves it."""
        while (remaining := moment - self.now()) > 0:
            moved = self._moved
            try:
                await asyncio.wait_for(moved.wait(), timeout=remaining)
            except TimeoutError:
                continue


@dataclass
class Creator:
    open_id: str
    union_id: str
    username: str
    nickname: str
    avatar_url: str
    privacy_level_options: list[str]
    max_video_post_duration_sec: int
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    banned: bool = False
    app_version: str = "35.1.0"
    refresh_count: int = 0

    @property
    def is_private(self) -> bool:
        return "PUBLIC_TO_EVERYONE" not in self.privacy_level_options

    def public_view(self) -> dict[str, Any]:
        return {
            "open_id": self.open_id,
            "union_id": self.union_id,
            "username": self.username,
            "nickname": self.nickname,
            "avatar_url": self.avatar_url,
            "is_private": self.is_private,
            "privacy_level_options": self.privacy_level_options,
            "max_video_post_duration_sec": self.max_video_post_duration_sec,
            "comment_disabled": self.comment_disabled,
            "duet_disabled": self.duet_disabled,
            "stitch_disabled": self.stitch_disabled,
            "banned": self.banned,
            "app_version": self.app_version,
            "refresh_count": self.refresh_count,
        }


@dataclass
class Token:
    """An access or refresh token; both die together when the grant is revoked."""

    value: str
    kind: Literal["access", "refresh"]
    open_id: str
    scopes: frozenset[str]
    expires_at: float
    grant_id: str
    revoked: bool = False

    def usable(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class AuthCode:
    value: str
    open_id: str
    scopes: frozenset[str]
    redirect_uri: str
    expires_at: float
    code_challenge: str | None
    used: bool = False


@dataclass
class Upload:
    """One FILE_UPLOAD task: the upload URL's credentials and the bytes received so far."""

    upload_id: str
    upload_token: str
    publish_id: str
    video_size: int
    chunk_size: int
    total_chunk_count: int
    expires_at: float
    path: Path
    received_bytes: int = 0
    complete: bool = False
    digest: Any = field(default_factory=hashlib.sha256)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def expected_chunk_length(self, index: int) -> int:
        if index < self.total_chunk_count - 1:
            return self.chunk_size
        return self.video_size - self.chunk_size * (self.total_chunk_count - 1)


@dataclass
class Post:
    publish_id: str
    open_id: str
    access_token: str
    media_type: Literal["VIDEO", "PHOTO"]
    post_mode: Literal["DIRECT_POST", "MEDIA_UPLOAD"]
    source: Literal["FILE_UPLOAD", "PULL_FROM_URL"]
    post_info: dict[str, Any]
    created_at: float
    status: str
    updated_at: float = 0.0
    fail_reason: str | None = None
    video_url: str | None = None
    photo_urls: list[str] = field(default_factory=list)
    photo_cover_index: int | None = None
    uploaded_bytes: int | None = None
    receiving_chunk: bool = False
    downloaded_bytes: int | None = None
    media: dict[str, Any] | None = None
    photos: list[dict[str, Any]] = field(default_factory=list)
    public_post_ids: list[int] = field(default_factory=list)
    upload_id: str | None = None
    task: asyncio.Task[None] | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_pending_inbox(self) -> bool:
        return self.post_mode == "MEDIA_UPLOAD" and not self.is_final

    def operator_view(self) -> dict[str, Any]:
        return {
            "publish_id": self.publish_id,
            "open_id": self.open_id,
            "status": self.status,
            "fail_reason": self.fail_reason,
            "post_mode": self.post_mode,
            "media_type": self.media_type,
            "source": self.source,
            "post_info": self.post_info,
            "video_url": self.video_url,
            "photo_urls": self.photo_urls,
            "photo_cover_index": self.photo_cover_index,
            "media": self.media,
            "photos": self.photos,
            "uploaded_bytes": self.uploaded_bytes,
            "receiving_chunk": self.receiving_chunk,
            "downloaded_bytes": self.downloaded_bytes,
            "publicaly_available_post_id": self.public_post_ids,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass
class Fault:
    error_rate: float = 0.0
    latency_ms: int = 0
    status: int = 500
    code: str = "internal_error"


@dataclass
class WebhookDelivery:
    event: str
    body: str
    signature: str
    status_code: int | None = None
    error: str | None = None
    attempts: int = 0


class SandboxState:
    """The whole emulated platform for one app; one instance per sandbox app."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.clock = Clock()
        self.creators: dict[str, Creator] = {}
        self.tokens: dict[str, Token] = {}
        self.codes: dict[str, AuthCode] = {}
        self.posts: dict[str, Post] = {}
        self.uploads: dict[str, Upload] = {}
        self.faults: dict[str, Fault] = {}
        # Requests being held by a fault's latency right now, per endpoint (for operators).
        self.held: Counter[str] = Counter()
        # Set when the operator clears the faults: what a latency holds goes on at once.
        self.faults_cleared = asyncio.Event()
        self.rate_windows: dict[tuple[str, str], deque[float]] = {}
        self.webhooks: list[WebhookDelivery] = []
        self.active_posters: dict[str, float] = {}
        self.background: set[asyncio.Task[Any]] = set()
        self.business = BusinessState()
        self._media_dir: Path | None = None
        self._sequence = 0

    def clear_faults(self) -> None:
        """Every fault ends, and what their latency holds goes on now (`faults_cleared`)."""
        self.faults.clear()
        self.faults_cleared.set()
        self.faults_cleared = asyncio.Event()

    # ids and secrets ------------------------------------------------------------------------
    def token_string(self, prefix: str, length: int = 40) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return prefix + "".join(self.rng.choice(alphabet) for _ in range(length))

    def next_number(self) -> int:
        self._sequence += 1
        return 7_000_000_000_000_000_000 + self.rng.randrange(10**15) * 1000 + self._sequence

    def media_dir(self) -> Path:
        if self._media_dir is None:
            self._media_dir = Path(tempfile.mkdtemp(prefix="tikpost-sandbox-"))
        return self._media_dir

    # lookups ---------------------------------------------------------------------------------
    def find_creator_by_username(self, username: str) -> Creator | None:
        return next((c for c in self.creators.values() if c.username == username), None)

    def posts_of(self, open_id: str) -> list[Post]:
        return [post for post in self.posts.values() if post.open_id == open_id]

    def spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        """Run work after the response, keeping a reference so the task is not collected."""
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def close(self) -> None:
        for task in list(self.background):
            task.cancel()
        if self.background:
            await asyncio.gather(*self.background, return_exceptions=True)
        if self._media_dir is not None:
            shutil.rmtree(self._media_dir, ignore_errors=True)
            self._media_dir = None
