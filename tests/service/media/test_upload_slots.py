"""Presigned upload URLs: a keyless PUT of the raw bytes becomes the team's media, once, within
the hour; a URL we did not sign, an expired or a used one is refused in JSON; another team's
upload resolves to nothing; a big body streams through in flat memory."""

from __future__ import annotations

import asyncio
import os
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import create_engine, update

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tests.service.media.test_media import stored_files
from tests.service.media.test_media_errors import assert_error
from tikpost.kit.crypto import Signer
from tikpost.kit.db import Database, utcnow
from tikpost.media import upload_slots
from tikpost.media.models import UploadSlot
from tikpost.teams.schemas import TeamRead


def new_slot(api: httpx.Client, **labels: Any) -> dict[str, Any]:
    response = api.post("/v1/uploads", json=labels)
    assert response.status_code == 201, response.text
    slot: dict[str, Any] = response.json()
    return slot


def put(url: str, content: Any, **headers: str) -> httpx.Response:
    """A PUT with no API key at all: the signed URL is the credential."""
    return httpx.put(url, content=content, headers=headers, timeout=60)


def resolve(service: RunningService, api: httpx.Client, url: str) -> str | None:
    """`resolve_upload_url` as a vendor's route calls it, for the team of `api`'s key."""
    team = TeamRead.model_validate(api.get("/v1/team").json())

    async def run() -> str | None:
        database = Database(service.settings.database_url, pooled=False)
        try:
            async with database.session() as session:
                return await upload_slots.resolve_upload_url(session, team, url)
        finally:
            await database.engine.dispose()

    return asyncio.run(run())


def age_slots(service: RunningService, by: timedelta) -> None:
    engine = create_engine(service.settings.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(update(UploadSlot).values(expires_at=utcnow() - by))
    finally:
        engine.dispose()


def test_a_put_becomes_the_teams_media_once(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    slot = new_slot(api, filename="holiday/clip.mp4", content_type="video/mp4")
    assert slot["put_url"].startswith(f"{service.url}/v1/uploads/")
    assert slot["public_url"] == f"{service.url}/v1/uploads/{slot['slot_id']}"
    assert resolve(service, api, slot["public_url"]) is None  # nothing uploaded yet
    data = videos.good.read_bytes()
    response = put(slot["put_url"], data, **{"Content-Type": "video/mp4"})
    assert response.status_code == 201, response.text
    media = response.json()
    assert (media["kind"], media["filename"], media["size_bytes"]) == (
        "video",
        "clip.mp4",
        len(data),
    )
    assert media["probe"]["duration_ms"] > 3000
    assert api.get(f"/v1/media/{media['id']}").json()["sha256"] == media["sha256"]
    # The public URL (or the PUT URL) names that media for the team's own vendor routes.
    assert resolve(service, api, slot["public_url"]) == media["id"]
    assert resolve(service, api, slot["put_url"]) == media["id"]
    assert resolve(service, api, "https://elsewhere.example/v1/media/abc") is None
    # Single use.
    assert_error(put(slot["put_url"], data), 409, "upload_url_used", None)
    assert [item["id"] for item in api.get("/v1/media").json()["items"]] == [media["id"]]


@SQLITE_ONLY
def test_forged_and_expired_urls_are_refused(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    data = videos.good.read_bytes()
    slot = new_slot(api)
    token = slot["put_url"].rsplit("/", 1)[1]
    forged = slot["put_url"][:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert_error(put(forged, data), 403, "upload_token_invalid", None)
    assert_error(put(f"{service.url}/v1/uploads/garbage", data), 403, "upload_token_invalid", None)
    # A token whose own expiry has passed (signed with the server's key: only the time is off).
    signer = Signer(service.settings.secret_key.get_secret_value(), upload_slots.PURPOSE)
    stale = signer.sign(f"{slot['slot_id']}.{int(time.time()) - 1}")
    assert_error(put(f"{service.url}/v1/uploads/{stale}", data), 410, "upload_url_expired", None)
    # The slot's row expiring is enough too.
    age_slots(service, timedelta(seconds=1))
    assert_error(put(slot["put_url"], data), 410, "upload_url_expired", None)
    # Creating a slot takes a key.
    assert httpx.post(f"{service.url}/v1/uploads", json={}).status_code == 401
    assert stored_files(service) == []


def test_an_idempotency_key_gives_a_retry_the_same_slot(
    service: RunningService, api: httpx.Client, create_api_key: Callable[[str], str]
) -> None:
    """Retries under one key, even at the same moment, make one slot; other labels under the
    key are refused; another team's same key is its own slot."""
    labels = {"filename": "clip.mp4", "content_type": "video/mp4"}
    headers = {"Idempotency-Key": "slot-retry-1"}
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(lambda _: api.post("/v1/uploads", json=labels, headers=headers), range(6))
        )
    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    assert len({answer.text for answer in answers}) == 1
    slot = answers[0].json()
    assert new_slot(api, **labels) != slot  # no key: a new slot each time
    other = api.post("/v1/uploads", json={"filename": "other.mp4"}, headers=headers)
    assert_error(other, 422, "idempotency_key_reused", "Idempotency-Key")
    with service.client(create_api_key("same-key")) as rivals:
        theirs = rivals.post("/v1/uploads", json=labels, headers=headers)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["slot_id"] != slot["slot_id"]


@SQLITE_ONLY
def test_another_teams_upload_resolves_to_nothing(
    service: RunningService,
    api: httpx.Client,
    create_api_key: Callable[[str], str],
    videos: VideoFiles,
) -> None:
    slot = new_slot(api)
    media = put(slot["put_url"], videos.good.read_bytes()).json()
    with service.client(create_api_key("rivals")) as rivals:
        assert resolve(service, rivals, slot["public_url"]) is None
        assert rivals.get(f"/v1/media/{media['id']}").status_code == 404
        assert rivals.get("/v1/media").json()["items"] == []
    assert resolve(service, api, slot["public_url"]) == media["id"]


def chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    """A generator body: sent chunked, with no Content-Length."""
    block = os.urandom(size)
    for _ in range(total // size):
        yield block


@SQLITE_ONLY
def test_a_big_body_streams_through_in_flat_memory(
    service: RunningService, api: httpx.Client, videos: VideoFiles
) -> None:
    slot = new_slot(api)
    total = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        response = put(slot["put_url"], chunks(total))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Random bytes are no media: refused after streaming, and nothing is kept.
    assert_error(response, 422, "unsupported_media", "file")
    assert peak < 16 * 1024 * 1024, peak
    assert stored_files(service) == []
    # A failed upload does not use the URL up: the real file may follow.
    retried = put(slot["put_url"], videos.good.read_bytes())
    assert retried.status_code == 201, retried.text


@SQLITE_ONLY
def test_over_the_cap_is_refused_while_streaming(
    service_factory: ServiceFactory, create_api_key: Callable[[str], str], videos: VideoFiles
) -> None:
    data = videos.good.read_bytes()
    with (
        service_factory(max_media_bytes=len(data)) as svc,
        svc.client(create_api_key("acme")) as api,
    ):
        slot = new_slot(api)
        # Chunked, no declared length: counted as it arrives, refused midway.
        assert_error(
            put(slot["put_url"], chunks(len(data) + 128 * 1024, 64 * 1024)),
            413,
            "media_too_large",
            "file",
        )
        # A declared length over the cap: refused before a byte is read.
        assert_error(put(slot["put_url"], data + b"x"), 413, "media_too_large", "file")
        assert stored_files(svc) == []
        assert put(slot["put_url"], data).status_code == 201
