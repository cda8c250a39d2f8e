"""A Business API post after its publish call: TikTok pulls the media, checks the real bytes
with the Content Posting sandbox's checks (media_check), waits, then publishes or fails."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tikpost.sandbox.business.state import BusinessPost
from tikpost.sandbox.media_check import check_photo, check_video
from tikpost.sandbox.state import SandboxState


class _PullRefusedError(Exception):
    """A non-200 answer (a redirect included), or more bytes than the Business API takes."""


def _set(state: SandboxState, post: BusinessPost, status: str, reason: str | None = None) -> None:
    post.status, post.reason, post.updated_at = status, reason, state.clock.now()


def fail(state: SandboxState, post: BusinessPost, reason: str) -> None:
    if not post.is_final:
        _set(state, post, "FAILED", reason)


def _finish(state: SandboxState, post: BusinessPost, verdicts: list[str]) -> None:
    if post.is_final:
        return
    if verdicts:
        fail(state, post, verdicts[0])
        return
    caption = " ".join(str(post.post_info.get(k, "")) for k in ("caption", "title")).lower()
    if any(word.lower() in caption for word in state.config.spam_words):
        fail(state, post, "spam_risk_text")
        return
    fault = state.faults.get("processing")
    if fault and state.rng.random() < fault.error_rate:
        fail(state, post, "internal" if fault.code == "internal_error" else fault.code)
        return
    if post.draft:
        _set(state, post, "SEND_TO_USER_INBOX")
        return
    post.post_ids = [str(state.next_number())]
    _set(state, post, "PUBLISH_COMPLETE")


async def _download(
    state: SandboxState, post: BusinessPost, url: str, path: Path, limit: int
) -> None:
    async with (
        httpx.AsyncClient(follow_redirects=False, timeout=30) as client,
        client.stream("GET", url) as response,
    ):
        if response.status_code != 200:
            raise _PullRefusedError(response.status_code)
        with path.open("wb") as handle:
            async for block in response.aiter_bytes():
                post.downloaded_bytes += len(block)
                if post.downloaded_bytes > limit:
                    raise _PullRefusedError("over the size limit")
                handle.write(block)


def _path(state: SandboxState, post: BusinessPost, suffix: str) -> Path:
    return state.media_dir() / f"{post.share_id.replace('~', '_')}.{suffix}"


async def _pull(
    state: SandboxState, post: BusinessPost, url: str, path: Path, limit: int, reason: str
) -> bool:
    try:
        await asyncio.wait_for(
            _download(state, post, url, path, limit), state.config.pull_timeout_sec
        )
    except (httpx.HTTPError, TimeoutError, _PullRefusedError):
        # Past 1 GB the pull stops; TikTok's checks would refuse the file, not the URL.
        too_big = post.downloaded_bytes > limit
        fail(state, post, "file_format_check_failed" if too_big else reason)
        return False
    return True


async def _video(state: SandboxState, post: BusinessPost, max_duration_sec: int) -> None:
    assert post.video_url is not None
    ready_at = state.clock.now() + state.config.processing_delay_sec
    path = _path(state, post, "video")
    limit = state.config.business.max_video_bytes
    if not await _pull(state, post, post.video_url, path, limit, "video_pull_failed"):
        return
    rules = state.config.media_rules
    summary, verdict = await asyncio.to_thread(check_video, path, rules, max_duration_sec)
    post.media = summary
    if post.sound is not None and post.sound.music_sound_end is None and not verdict:
        # "Defaults to the video's full duration expressed in milliseconds."
        post.sound.music_sound_end = summary["duration_ms"]
    await state.clock.sleep_until(ready_at)
    _finish(state, post, [verdict] if verdict else [])


async def _photos(state: SandboxState, post: BusinessPost) -> None:
    ready_at = state.clock.now() + state.config.processing_delay_sec
    rules = state.config.media_rules
    verdicts: list[str] = []
    for index, url in enumerate(post.photo_urls):
        path = _path(state, post, f"{index}.photo")
        if not await _pull(state, post, url, path, rules.max_photo_bytes, "photo_pull_failed"):
            return
        summary, verdict = await asyncio.to_thread(check_photo, path, rules)
        post.photos.append({"url": url, **summary})
        if verdict:
            verdicts.append(verdict)
    await state.clock.sleep_until(ready_at)
    _finish(state, post, verdicts)


def start(state: SandboxState, post: BusinessPost, max_duration_sec: int) -> None:
    work = (
        _video(state, post, max_duration_sec)
        if post.media_type == "VIDEO"
        else _photos(state, post)
    )
    post.task = state.spawn(work)
