"""Storage backends (local disk and S3) keep one contract: atomic writes, ranged reads, safe
keys, missing objects, and the storage URL. Every test here runs against both."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.service.s3_helpers import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, S3Server
from tikpost.media.object_storage import PART_SIZE, ObjectStorage, S3Options
from tikpost.media.storage import (
    FileChanges,
    LocalStorage,
    ObjectNotFoundError,
    Storage,
    StorageError,
    storage_from_url,
)
from tikpost.settings import Settings

DATA = bytes(range(256)) * 10_000  # 2.5 MB: several write buffers and read chunks
# More than one S3 part, so the multipart path (and its abort) is exercised.
LARGE = DATA * (PART_SIZE // len(DATA) + 1)


@dataclass
class Backend:
    storage: Storage
    # Everything the backend holds under its root: committed objects and any leftovers
    # (temporary files; unfinished multipart uploads, as "upload:KEY").
    stored: Callable[[], list[str]]


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        local = LocalStorage(tmp_path / "media")
        return Backend(
            local, lambda: [str(path.relative_to(local.root)) for path in files_under(local.root)]
        )
    server: S3Server = request.getfixturevalue("s3_server")
    bucket = server.new_bucket()
    options = S3Options(server.endpoint_url, REGION, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    remote = ObjectStorage(bucket, "media", options)

    def stored() -> list[str]:
        keys = [key.removeprefix("media/") for key in server.keys(bucket)]
        return keys + [f"upload:{key}" for key in server.open_uploads(bucket)]

    return Backend(remote, stored)


@pytest.fixture
def storage(backend: Backend) -> Storage:
    return backend.storage


async def read_all(storage: Storage, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([block async for block in storage.open_read(key, start, end)])


async def test_write_commit_read(backend: Backend) -> None:
    storage = backend.storage
    async with storage.open_write("team_a/med_1") as writer:
        for offset in range(0, len(DATA), 10_000):
            await writer.write(DATA[offset : offset + 10_000])
        assert not await storage.exists("team_a/med_1")  # invisible until committed
    assert await storage.exists("team_a/med_1")
    assert await storage.size("team_a/med_1") == len(DATA)
    assert await read_all(storage, "team_a/med_1") == DATA
    if isinstance(storage, LocalStorage):
        assert storage.local_path("team_a/med_1") == storage.root / "team_a" / "med_1"
    else:
        assert storage.local_path("team_a/med_1") is None
    assert backend.stored() == ["team_a/med_1"]


async def test_a_multipart_write(backend: Backend) -> None:
    """Larger than one S3 part: streamed as a multipart upload, read back in ranges."""
    storage = backend.storage
    async with storage.open_write("big") as writer:
        for offset in range(0, len(LARGE), 64 * 1024):
            await writer.write(LARGE[offset : offset + 64 * 1024])
    assert await storage.size("big") == len(LARGE)
    assert await read_all(storage, "big") == LARGE
    start, end = PART_SIZE - 10, PART_SIZE + 1024 * 1024
    assert await read_all(storage, "big", start, end) == LARGE[start:end]
    assert backend.stored() == ["big"]


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 1), (5, 6), (0, len(DATA)), (1_000_000, 2_500_000), (2_000_000, None), (7, 7)],
)
async def test_ranged_reads(storage: Storage, start: int, end: int | None) -> None:
    async with storage.open_write("k") as writer:
        await writer.write(DATA)
    assert await read_all(storage, "k", start, end) == DATA[start:end]


async def test_reading_past_the_end_fails(storage: Storage) -> None:
    async with storage.open_write("k") as writer:
        await writer.write(b"short")
    with pytest.raises(StorageError, match="before byte 10"):
        await read_all(storage, "k", 0, 10)
    with pytest.raises(StorageError, match="before byte 12"):
        await read_all(storage, "k", 8, 12)  # starts past the end
    with pytest.raises(ValueError, match="invalid byte range"):
        await read_all(storage, "k", 3, 2)
    assert await read_all(storage, "k", 9) == b""


async def broken_write(storage: Storage, key: str, data: bytes = DATA) -> None:
    async with storage.open_write(key) as writer:
        await writer.write(data)
        raise RuntimeError("upload broke")


async def test_a_failed_write_leaves_nothing(backend: Backend) -> None:
    storage = backend.storage
    async with storage.open_write("k") as writer:
        await writer.write(b"old")
    with pytest.raises(RuntimeError):
        await broken_write(storage, "k")
    with pytest.raises(RuntimeError):
        await broken_write(storage, "other")
    with pytest.raises(RuntimeError):
        await broken_write(storage, "large", LARGE)  # parts already sent: the upload is aborted
    assert backend.stored() == ["k"]
    assert await read_all(storage, "k") == b"old"  # the previous object is untouched


async def test_a_cancelled_write_leaves_nothing(backend: Backend) -> None:
    """A client that goes away mid-upload cancels the request's task."""
    storage = backend.storage
    sent = asyncio.Event()

    async def write() -> None:
        async with storage.open_write("k") as writer:
            await writer.write(LARGE)
            sent.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(write())
    await sent.wait()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert backend.stored() == []


async def test_missing_objects(storage: Storage) -> None:
    assert not await storage.exists("nope")
    with pytest.raises(ObjectNotFoundError):
        await storage.size("nope")
    with pytest.raises(ObjectNotFoundError):
        await read_all(storage, "nope")
    with pytest.raises(ObjectNotFoundError):
        await read_all(storage, "nope", 3, 3)
    await storage.delete("nope")  # deleting twice is fine


async def test_delete(storage: Storage) -> None:
    async with storage.open_write("t/k") as writer:
        await writer.write(b"x")
    await storage.delete("t/k")
    assert not await storage.exists("t/k")


@pytest.mark.parametrize(
    "key", ["", "/abs", "../escape", "a/../../b", "a//b", "a/./b", ".hidden", "sp ace", "a\\b"]
)
def test_keys_cannot_escape_the_root(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        storage.local_path(key)


async def test_file_changes_follow_the_transaction(backend: Backend) -> None:
    storage = backend.storage
    for key in ("new", "old"):
        async with storage.open_write(key) as writer:
            await writer.write(b"x")
    failed = FileChanges(storage)
    failed.created("new")
    failed.deleted("old")
    await failed.rollback()
    assert backend.stored() == ["old"]
    committed = FileChanges(storage)
    committed.deleted("old")
    await committed.commit()
    assert backend.stored() == []


def test_storage_urls(tmp_path: Path) -> None:
    local = storage_from_url((tmp_path / "my media").as_uri())
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path / "my media"
    assert isinstance(storage_from_url(f"file://localhost{tmp_path}"), LocalStorage)
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        s3_endpoint_url="http://127.0.0.1:9",
        s3_access_key_id="id",
        s3_secret_access_key="s3-secret-value",
    )
    remote = storage_from_url("s3://bucket/some/prefix/", settings)
    assert isinstance(remote, ObjectStorage)
    assert (remote.bucket, remote.prefix) == ("bucket", "some/prefix")
    assert "s3-secret-value" not in repr(settings) + repr(remote)
    for url, message in [
        ("s3:///prefix", "has no bucket"),
        ("https://example.com/media", "unsupported scheme"),
        ("file://fileserver/share", "must be local"),
        ("/plain/path", "unsupported scheme"),
    ]:
        with pytest.raises(StorageError, match=message):
            storage_from_url(url)
