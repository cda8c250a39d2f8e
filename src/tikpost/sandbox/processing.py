"""How a post moves after its media arrives: pull, check the bytes, wait, finish, notify."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tikpost.sandbox import webhooks
from tikpost.sandbox.media_check import check_photo, check_video
from tikpost.sandbox.state import Post, SandboxState

PUBLISH_TYPE = {"DIRECT_POST": "DIRECT_PUBLISH", "MEDIA_UPLOAD": "INBOX_SHARE"}


def set_status(
    state: SandboxState, post: Post, status: str, fail_reason: str | None = None
) -> None:
    post.status = status
    post.fail_reason = fail_reason
    post.updated_at = state.clock.now()


def fail(state: SandboxState, post: Post, reason: str) -> None:
    if post.is_final:
        return
    set_status(state, post, "FAILED", reason)
    webhooks.emit(
        state,
        "post.publish.failed",
        post.open_id,
        {
            "publish_id": post.publish_id,
            "reason": reason,
            "publish_type": PUBLISH_TYPE[post.post_mode],
        },
    )


def succeed(state: SandboxState, post: Post) -> None:
    """Direct posts go live; inbox uploads wait in the creator's inbox for them to finish."""
    content = {"publish_id": post.publish_id, "publish_type": PUBLISH_TYPE[post.post_mode]}
    if post.post_mode == "MEDIA_UPLOAD":
        set_status(state, post, "SEND_TO_USER_INBOX")
        webhooks.emit(state, "post.publish.inbox_delivered", post.open_id, content)
        return
    complete(state, post)


def complete(state: SandboxState, post: Post) -> None:
    """PUBLISH_COMPLETE; only public posts get a post id (SELF_ONLY ones stay invisible)."""
    set_status(state, post, "PUBLISH_COMPLETE")
    publish_type = PUBLISH_TYPE[post.post_mode]
    webhooks.emit(
        state,
        "post.publish.complete",
        post.open_id,
        {"publish_id": post.publish_id, "publish_type": publish_type},
    )
    privacy = post.post_info.get("privacy_level")
    if post.post_mode == "DIRECT_POST" and privacy == "PUBLIC_TO_EVERYONE":
        post_id = state.next_number()
        post.public_post_ids = [post_id]
        webhooks.emit(
            state,
            "post.publish.publicly_available",
            post.open_id,
            {"publish_id": post.publish_id, "post_id": str(post_id), "publish_type": publish_type},
        )


def finish(state: SandboxState, post: Post, media_failures: list[str]) -> None:
    """The end of processing: media checks first, then moderation and injected faults."""
    if post.is_final:
        return
    if media_failures:
        fail(state, post, media_failures[0])
        return
    caption = " ".join(str(post.post_info.get(k, "")) for k in ("title", "description")).lower()
    if any(word.lower() in caption for word in state.config.spam_words):
        fail(state, post, "spam_risk_text")
        return
    fault = state.faults.get("processing")
    if fault and state.rng.random() < fault.error_rate:
        fail(state, post, "internal" if fault.code == "internal_error" else fault.code)
        return
    succeed(state, post)


def remove_authorization(state: SandboxState, open_id: str) -> None:
    """The creator took access away: posts still in flight end with `auth_removed`."""
    for post in state.posts_of(open_id):
        if not post.is_final and post.status != "SEND_TO_USER_INBOX":
            if post.task is not None:
                post.task.cancel()
            fail(state, post, "auth_removed")


def start_video_processing(state: SandboxState, post: Post, path: Path) -> None:
    post.task = state.spawn(_process_video(state, post, path))


async def _process_video(state: SandboxState, post: Post, path: Path) -> None:
    ready_at = state.clock.now() + state.config.processing_delay_sec
    creator = state.creators[post.open_id]
    media_rules = state.config.media_rules
    max_duration = creator.max_video_post_duration_sec
    summary, reason = await asyncio.to_thread(check_video, path, media_rules, max_duration)
    post.media = summary
    await state.clock.sleep_until(ready_at)
    finish(state, post, [reason] if reason else [])


def start_video_pull(state: SandboxState, post: Post) -> None:
    post.task = state.spawn(_pull_video(state, post))


async def _pull_video(state: SandboxState, post: Post) -> None:
    assert post.video_url is not None
    path = state.media_dir() / f"{post.publish_id.replace('~', '_')}.video"
    try:
        await asyncio.wait_for(
            _download(state, post, post.video_url, path), state.config.pull_timeout_sec
        )
    except (httpx.HTTPError, TimeoutError, _PullRefusedError):
        fail(state, post, "video_pull_failed")
        return
    await _process_video(state, post, path)


def start_photo_pull(state: SandboxState, post: Post) -> None:
    post.task = state.spawn(_pull_photos(state, post))


async def _pull_photos(state: SandboxState, post: Post) -> None:
    rules = state.config.media_rules
    ready_at = state.clock.now() + state.config.processing_delay_sec
    verdicts: list[str] = []
    for index, url in enumerate(post.photo_urls):
        path = state.media_dir() / f"{post.publish_id.replace('~', '_')}.{index}.photo"
        try:
            await asyncio.wait_for(_download(state, post, url, path), state.config.pull_timeout_sec)
        except (httpx.HTTPError, TimeoutError, _PullRefusedError):
            fail(state, post, "photo_pull_failed")
            return
        summary, reason = await asyncio.to_thread(check_photo, path, rules)
        post.photos.append({"url": url, **summary})
        if reason:
            verdicts.append(reason)
    await state.clock.sleep_until(ready_at)
    finish(state, post, verdicts)


class _PullRefusedError(Exception):
    """TikTok treats a non-200 answer, including any redirect, as a failed pull."""


async def _download(state: SandboxState, post: Post, url: str, path: Path) -> None:
    """Stream the URL to disk, counting downloaded_bytes as TikTok's status reports them."""
    async with (
        httpx.AsyncClient(follow_redirects=False, timeout=30) as client,
        client.stream("GET", url) as response,
    ):
        if response.status_code != 200:
            raise _PullRefusedError(response.status_code)
        with path.open("wb") as handle:
            async for block in response.aiter_bytes():
                handle.write(block)
                post.downloaded_bytes = (post.downloaded_bytes or 0) + len(block)
