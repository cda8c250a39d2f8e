"""The SDK against a live service: every resource, typed answers and errors, cursors, async,
and the models' match with the server's own /openapi.json."""

from __future__ import annotations

import asyncio
import socket
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tikpost_client import (
    AccountRead,
    APIConnectionError,
    AsyncTikpost,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PostCreate,
    PostRead,
    RateLimitError,
    SoundChoice,
    SoundRead,
    Tikpost,
    TikpostError,
    ValidationError,
)

from tests.clients.python.codegen import MODELS, generate_models
from tests.clients.python.conftest import SdkServer
from tests.clients.python.flaky_proxy import flaky_proxy
from tests.conftest import VideoFiles
from tests.support.media_server import media_origin
from tests.support.oauth_browser import authorize


def test_models_match_the_servers_openapi(server: SdkServer) -> None:
    """Regenerated from the live schema, `_models.py` is what is committed (else rerun
    `python -m tests.clients.python.codegen`)."""
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert generate_models(schema) == MODELS.read_text(), (
        "the SDK's models drifted from /openapi.json: run `python -m tests.clients.python.codegen`"
    )


def test_video_post_is_published_and_listed(
    client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    progress: list[tuple[int, int]] = []
    media = client.media.upload(videos.good, on_progress=lambda *seen: progress.append(seen))
    assert (media.kind, media.filename) == ("video", "good.mp4")
    assert media.size_bytes == videos.good.stat().st_size
    total = progress[-1][1]
    assert progress[-1] == (total, total)
    assert [sent for sent, _ in progress] == sorted(sent for sent, _ in progress)
    assert client.media.get(media.id) == media

    post = client.posts.create(
        account_id=account.id, video=media.id, privacy_level="SELF_ONLY", title="sdk #hello"
    )
    assert isinstance(post, PostRead)
    final = client.posts.wait(post.id, timeout=60, interval=0.1)
    assert final.status == "published", final.events
    listed = list(client.posts.list(account_id=account.id, status="published"))
    assert [p.id for p in listed] == [post.id]
    assert client.accounts.get(account.id) == account
    info = client.accounts.creator_info(account.id)
    assert "SELF_ONLY" in info.privacy_level_options


def test_a_draft_and_a_carousel_from_a_zip(
    client: Tikpost, account: AccountRead, videos: VideoFiles, jpegs: list[Path], tmp_path: Path
) -> None:
    draft = client.posts.create(
        account_id=account.id, video=client.media.upload(videos.good).id, mode="draft"
    )
    slides = tmp_path / "slides.zip"
    with zipfile.ZipFile(slides, "w") as archive:
        for number, path in enumerate(jpegs, start=1):
            archive.write(path, f"slide-{number}.jpg")
    photos = client.media.upload_zip(slides)
    assert [p.kind for p in photos] == ["image"] * 3
    carousel = client.posts.create(
        {"account_id": account.id, "photos": [p.id for p in photos]}, privacy_level="SELF_ONLY"
    )
    assert client.posts.wait(draft.id, timeout=60, interval=0.1).status == "in_inbox"
    assert client.posts.wait(carousel.id, timeout=60, interval=0.1).status == "published"


def test_scheduled_post_cancelled_then_retried(
    client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    media = client.media.upload(videos.good)
    post = client.posts.create(
        account_id=account.id, video=media.id, privacy_level="SELF_ONLY", scheduled_at=at
    )
    assert (post.status, post.scheduled_at) == ("scheduled", at)
    assert client.posts.cancel(post.id).status == "cancelled"
    with pytest.raises(ConflictError) as refused:
        client.posts.cancel(post.id)
    assert (refused.value.status, refused.value.code) == (409, "post_not_cancellable")
    assert not refused.value.retryable
    again = client.posts.retry(post.id)
    assert again.attempt == 2


def test_one_idempotency_key_is_one_post(
    client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    media = client.media.upload(videos.good)
    body = {"account_id": account.id, "video": media.id, "privacy_level": "SELF_ONLY"}
    first = client.posts.create(body, idempotency_key="sdk-once")
    typed = PostCreate.model_validate(body)
    second = client.posts.create(typed, idempotency_key="sdk-once")
    assert first.id == second.id


def test_a_held_post_is_edited_then_rejected(
    client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    media = client.media.upload(videos.good)
    held = client.posts.create(
        account_id=account.id, video=media.id, privacy_level="SELF_ONLY", review="required"
    )
    assert held.status == "awaiting_review"
    assert client.posts.update(held.id, title="edited").title == "edited"
    rejected = client.posts.reject(held.id, "not on brand")
    assert rejected.status == "cancelled"


def test_errors_carry_the_servers_code_field_and_status(
    server: SdkServer, client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    with pytest.raises(NotFoundError) as missing:
        client.posts.get("post_missing")
    assert (missing.value.status, missing.value.code) == (404, "post_not_found")
    with pytest.raises(ValidationError) as invalid:
        client.posts.create(account_id=account.id, video="med_x", privacy_level="EVERYONE")
    assert (invalid.value.status, invalid.value.field) == (422, "privacy_level")
    with pytest.raises(ValidationError) as short:
        client.media.upload(videos.short)
    assert short.value.code == "video_duration_out_of_range"
    with (
        Tikpost(api_key="tp_wrong", base_url=server.url) as stranger,
        pytest.raises(AuthenticationError) as denied,
    ):
        stranger.accounts.list()
    assert denied.value.status == 401
    with (
        Tikpost(api_key="k", base_url=closed_port_url(), max_retries=0) as nowhere,
        pytest.raises(APIConnectionError) as unreachable,
    ):
        nowhere.accounts.list()
    assert unreachable.value.status is None
    assert unreachable.value.retryable


def test_default_privacy_and_disconnect(client: Tikpost, account: AccountRead) -> None:
    updated = client.accounts.update(account.id, default_privacy_level="SELF_ONLY")
    assert updated.default_privacy_level == "SELF_ONLY"
    assert client.accounts.disconnect(account.id).status == "revoked"


def test_lists_follow_the_cursors(client: Tikpost, jpegs: list[Path]) -> None:
    uploaded = [client.media.upload(path) for path in jpegs]
    newest = [m.id for m in client.media.list(limit=1)]
    assert newest[:3] == [m.id for m in reversed(uploaded)]
    client.media.delete(uploaded[0].id)
    with pytest.raises(NotFoundError):
        client.media.get(uploaded[0].id)


async def test_async_client_uploads_pages_and_waits(
    server: SdkServer, account: AccountRead, videos: VideoFiles, jpegs: list[Path]
) -> None:
    async with AsyncTikpost(api_key=server.api_key, base_url=server.url) as client:
        with videos.good.open("rb") as handle:
            media = await client.media.upload(handle, content_type="video/mp4")
        assert media.size_bytes == videos.good.stat().st_size
        photo = await client.media.upload(jpegs[0])
        seen = [m.id async for m in client.media.list(limit=1)]
        assert seen[:2] == [photo.id, media.id]
        post = await client.posts.create(
            account_id=account.id, video=media.id, privacy_level="SELF_ONLY"
        )
        final = await client.posts.wait(post.id, timeout=60, interval=0.1)
        assert final.status == "published"
        with pytest.raises(NotFoundError):
            await client.accounts.get("acct_missing")


def test_webhook_endpoints_and_deliveries(client: Tikpost) -> None:
    created = client.webhook_endpoints.create(
        "http://127.0.0.1:9/hooks", events=["post.published"], description="sdk"
    )
    assert created.secret.startswith("whsec_")
    assert client.webhook_endpoints.get(created.id).events == ["post.published"]
    assert created.id in [e.id for e in client.webhook_endpoints.list()]
    assert client.webhook_endpoints.default_secret().startswith("whsec_")
    assert isinstance(client.webhook_deliveries.list(limit=5), list)
    client.webhook_endpoints.delete(created.id)
    with pytest.raises(NotFoundError):
        client.webhook_endpoints.get(created.id)


def test_missing_key_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKPOST_API_KEY", raising=False)
    with pytest.raises(TikpostError) as refused:
        Tikpost()
    assert refused.value.code == "missing_api_key"


def test_key_and_url_come_from_the_environment(
    server: SdkServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKPOST_API_KEY", server.api_key)
    monkeypatch.setenv("TIKPOST_URL", server.url)
    with Tikpost() as client:
        assert client.base_url == server.url
        assert isinstance(client.accounts.list(), list)


def closed_port_url() -> str:
    """A loopback URL where nothing listens (a port bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_lost_answer_is_retried_with_one_key_and_makes_one_post(
    server: SdkServer, account: AccountRead, videos: VideoFiles
) -> None:
    with flaky_proxy(server.url) as proxy, server.client() as direct:
        media = direct.media.upload(videos.good)
        proxy.plan("POST /v1/posts", "503", "lose-answer", "429")
        with Tikpost(api_key=server.api_key, base_url=proxy.url, max_retries=3) as client:
            post = client.posts.create(
                account_id=account.id, video=media.id, privacy_level="SELF_ONLY"
            )
        keys = {seen.headers["idempotency-key"] for seen in proxy.at("POST /v1/posts")}
        assert len(proxy.at("POST /v1/posts")) == 4
        assert len(keys) == 1
        assert [p.id for p in direct.posts.list(account_id=account.id)] == [post.id]


def test_an_upload_is_sent_again_whole_and_its_progress_restarts(
    server: SdkServer, videos: VideoFiles
) -> None:
    progress: list[int] = []
    with flaky_proxy(server.url) as proxy:
        proxy.plan("POST /v1/media", "503")
        with Tikpost(api_key=server.api_key, base_url=proxy.url) as client:
            media = client.media.upload(videos.good, on_progress=lambda s, _t: progress.append(s))
        first, second = (seen.body for seen in proxy.at("POST /v1/media"))
    assert first == second
    assert videos.good.read_bytes() in first
    assert media.size_bytes == videos.good.stat().st_size
    restart = next(i for i in range(1, len(progress)) if progress[i] < progress[i - 1])
    assert progress[restart - 1] == progress[-1] == len(first)


def test_rate_limits_are_retried_then_raised_with_retry_after(server: SdkServer) -> None:
    with flaky_proxy(server.url) as proxy:
        proxy.plan("GET /v1/accounts", "429", "503")
        with Tikpost(api_key=server.api_key, base_url=proxy.url, max_retries=2) as client:
            assert isinstance(client.accounts.list(), list)
        proxy.plan("GET /v1/accounts", "429")
        with (
            Tikpost(api_key=server.api_key, base_url=proxy.url, max_retries=0) as client,
            pytest.raises(RateLimitError) as limited,
        ):
            client.accounts.list()
        assert (limited.value.status, limited.value.retry_after) == (429, 0.0)
        assert limited.value.retryable
        with (
            Tikpost(api_key=server.api_key, base_url=proxy.url) as client,
            pytest.raises(NotFoundError),
        ):
            client.posts.get("post_missing")
        assert len(proxy.at("GET /v1/posts/post_missing")) == 1  # a 404 is not retried
        assert len(proxy.at("GET /v1/accounts")) == 4


def test_media_by_url(client: Tikpost, jpegs: list[Path]) -> None:
    with media_origin(jpegs[2].parent) as origin:
        photo = client.media.import_url(f"{origin}/media/{jpegs[2].name}")
    assert photo.kind == "image"
    assert client.media.get(photo.id).sha256 == photo.sha256


def test_connect_sends_the_redirect_uri(client: Tikpost) -> None:
    with pytest.raises(ValidationError) as refused:
        client.accounts.connect(redirect_uri="https://elsewhere.example/back")
    assert refused.value.field == "redirect_uri"


def test_a_business_account_posts_a_video_with_a_trending_sound(
    server: SdkServer, client: Tikpost, account: AccountRead, videos: VideoFiles
) -> None:
    business = server.connect(client, "brand", api="business")
    assert (business.api, business.status) == ("business", "ready")
    sounds = client.accounts.sounds(business.id)
    assert sounds
    assert all(isinstance(s, SoundRead) and s.id != s.track_id for s in sounds)
    pop = client.accounts.sounds(business.id, country_code="GB", genre="POP", date_range="30DAY")
    assert all("POP" in [g.upper() for g in s.genres] for s in pop)
    wanted = sounds[0].name.split()[0]
    searched = client.accounts.sounds(business.id, q=wanted)
    assert sounds[0].id in [s.id for s in searched]
    assert all(wanted.casefold() in f"{s.name} {s.artist}".casefold() for s in searched)

    media = client.media.upload(videos.good)
    chosen = SoundChoice(id=sounds[0].id, volume=80, original_volume=10)
    post = client.posts.create(account_id=business.id, video=media.id, sound=chosen)
    assert (post.api, post.privacy_level) == ("business", "PUBLIC_TO_EVERYONE")
    final = client.posts.wait(post.id, timeout=60, interval=0.1)
    assert final.status == "published", final.events
    assert final.sound == chosen
    # The same as plain JSON: the volumes not given are tikpost's 50 and 50, not TikTok's 0.
    plain = client.posts.create(
        account_id=business.id, video=media.id, sound={"id": sounds[-1].id, "start_ms": 1000}
    )
    assert plain.sound is not None
    assert plain.sound.model_dump() == {
        "id": sounds[-1].id,
        "volume": 50,
        "original_volume": 50,
        "start_ms": 1000,
        "end_ms": None,
    }
    assert client.posts.wait(plain.id, timeout=60, interval=0.1).status == "published"

    with pytest.raises(ConflictError) as not_business:
        client.accounts.sounds(account.id)
    assert (not_business.value.code, not_business.value.field) == ("not_a_business_account", "id")
    with pytest.raises(ValidationError) as refused:
        client.posts.create(
            account_id=account.id, video=media.id, privacy_level="SELF_ONLY", sound=chosen
        )
    assert (refused.value.code, refused.value.field) == ("sound_needs_business_account", "sound")


async def test_async_client_connects_a_business_account_and_lists_its_sounds(
    server: SdkServer,
) -> None:
    async with AsyncTikpost(api_key=server.api_key, base_url=server.url) as client:
        started = await client.accounts.connect(api="business")
        username = f"brand_{uuid.uuid4().hex[:8]}"
        callback = await asyncio.to_thread(authorize, started.authorize_url, username=username)
        assert callback.status_code == 200, callback.text
        account = next(a for a in await client.accounts.list() if a.username == username)
        assert account.api == "business"
        sounds = await client.accounts.sounds(account.id, genre="ALL", q=None)
        assert sounds
        assert sounds == await client.accounts.sounds(account.id, country_code="US")
