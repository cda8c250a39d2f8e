"""LocalStorage: atomic writes, ranged reads, safe keys, and the storage URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tikpost.media.storage import (
    FileChanges,
    LocalStorage,
    ObjectNotFoundError,
    StorageError,
    storage_from_url,
)

DATA = bytes(range(256)) * 10_000  # 2.5 MB: several write buffers and read chunks


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def read_all(
    storage: LocalStorage, key: str, start: int = 0, end: int | None = None
) -> bytes:
    return b"".join([block async for block in storage.open_read(key, start, end)])


async def test_write_commit_read(storage: LocalStorage) -> None:
    async with storage.open_write("team_a/med_1") as writer:
        for offset in range(0, len(DATA), 10_000):
            await writer.write(DATA[offset : offset + 10_000])
        assert not await storage.exists("team_a/med_1")  # invisible until committed
    assert await storage.exists("team_a/med_1")
    assert await storage.size("team_a/med_1") == len(DATA)
    assert await read_all(storage, "team_a/med_1") == DATA
    assert storage.local_path("team_a/med_1") == storage.root / "team_a" / "med_1"
    assert files_under(storage.root) == [storage.root / "team_a" / "med_1"]


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 1), (5, 6), (0, len(DATA)), (1_000_000, 2_500_000), (2_000_000, None), (7, 7)],
)
async def test_ranged_reads(storage: LocalStorage, start: int, end: int | None) -> None:
    async with storage.open_write("k") as writer:
        await writer.write(DATA)
    assert await read_all(storage, "k", start, end) == DATA[start:end]


async def test_reading_past_the_end_fails(storage: LocalStorage) -> None:
    async with storage.open_write("k") as writer:
        await writer.write(b"short")
    with pytest.raises(StorageError, match="before byte 10"):
        await read_all(storage, "k", 0, 10)
    with pytest.raises(ValueError, match="invalid byte range"):
        await read_all(storage, "k", 3, 2)


async def broken_write(storage: LocalStorage, key: str) -> None:
    async with storage.open_write(key) as writer:
        await writer.write(DATA)
        raise RuntimeError("upload broke")


async def test_a_failed_write_leaves_nothing(storage: LocalStorage) -> None:
    async with storage.open_write("k") as writer:
        await writer.write(b"old")
    with pytest.raises(RuntimeError):
        await broken_write(storage, "k")
    with pytest.raises(RuntimeError):
        await broken_write(storage, "other")
    assert files_under(storage.root) == [storage.root / "k"]
    assert await read_all(storage, "k") == b"old"  # the previous object is untouched


async def test_missing_objects(storage: LocalStorage) -> None:
    assert not await storage.exists("nope")
    with pytest.raises(ObjectNotFoundError):
        await storage.size("nope")
    with pytest.raises(ObjectNotFoundError):
        await read_all(storage, "nope")
    await storage.delete("nope")  # deleting twice is fine


async def test_delete(storage: LocalStorage) -> None:
    async with storage.open_write("t/k") as writer:
        await writer.write(b"x")
    await storage.delete("t/k")
    assert not await storage.exists("t/k")


@pytest.mark.parametrize(
    "key", ["", "/abs", "../escape", "a/../../b", "a//b", "a/./b", ".hidden", "sp ace", "a\\b"]
)
def test_keys_cannot_escape_the_root(storage: LocalStorage, key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        storage.local_path(key)


async def test_file_changes_follow_the_transaction(storage: LocalStorage) -> None:
    for key in ("new", "old"):
        async with storage.open_write(key) as writer:
            await writer.write(b"x")
    failed = FileChanges(storage)
    failed.created("new")
    failed.deleted("old")
    await failed.rollback()
    assert [path.name for path in files_under(storage.root)] == ["old"]
    committed = FileChanges(storage)
    committed.deleted("old")
    await committed.commit()
    assert files_under(storage.root) == []


def test_storage_urls(tmp_path: Path) -> None:
    local = storage_from_url((tmp_path / "my media").as_uri())
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path / "my media"
    assert isinstance(storage_from_url(f"file://localhost{tmp_path}"), LocalStorage)
    for url, message in [
        ("s3://bucket/prefix", "S3 storage is not supported yet"),
        ("https://example.com/media", "unsupported scheme"),
        ("file://fileserver/share", "must be local"),
        ("/plain/path", "unsupported scheme"),
    ]:
        with pytest.raises(StorageError, match=message):
            storage_from_url(url)
