"""A carousel as one `.zip`: `slide-1.jpg`, `slide-2.jpg`, … become one image media each.

`POST /v1/media/zip` unpacks the archive at upload time, so a post names its photos by media
id whichever way they arrived, and a bad archive is refused before any post exists.

An archive is hostile input. Every entry is judged by its header before a byte is extracted
(name, type, declared size, compression ratio), extraction writes only files we name ourselves
inside a private temporary directory (removed afterwards, whatever happens), actual sizes are
counted while inflating, and each file is probed by its bytes: the name must agree with them.
"""

from __future__ import annotations

import asyncio
import re
import stat
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.kit.errors import ApiError
from tikpost.media.checks import MAX_IMAGE_BYTES
from tikpost.media.faults import translated
from tikpost.media.images import store_image
from tikpost.media.ingest import receive_upload
from tikpost.media.probe import ProbeFailedError, probe_file
from tikpost.media.schemas import MediaRead
from tikpost.media.storage import FileChanges, LocalStorage

MAX_ENTRIES = 35
MAX_ZIP_BYTES = MAX_ENTRIES * MAX_IMAGE_BYTES
MAX_TOTAL_BYTES = 256 * 1024 * 1024
# Photos are compressed already: even a flat graphic deflates far less than 200-fold, while a
# bomb inflates a thousand-fold and more. (Per-entry and total caps bound the rest.)
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 64 * 1024
SLIDE = re.compile(r"slide-([1-9][0-9]{0,2})\.(jpg|jpeg|png|webp)", re.IGNORECASE)
EXTENSION_FORMAT = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp"}
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".jar")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
READ_BLOCK = 1024 * 1024


def _refuse(code: str, message: str, entry: str | None = None) -> ApiError:
    where = f"zip entry {entry!r}: " if entry is not None else "zip: "
    return ApiError(422, code, where + message, "file")


async def upload_zip(
    session: AsyncSession,
    files: FileChanges,
    team_id: str,
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    max_bytes: int,
) -> list[MediaRead]:
    """Receive the archive into a temporary directory, check it, and store its slides in order."""
    with tempfile.TemporaryDirectory(prefix="tikpost-zip-") as directory:
        root = Path(directory)
        await receive_upload(
            body,
            content_type,
            content_length,
            LocalStorage(root),
            "upload",
            min(max_bytes, MAX_ZIP_BYTES),
        )
        return await store_slides(session, files, team_id, root)


async def store_slides(
    session: AsyncSession, files: FileChanges, team_id: str, root: Path
) -> list[MediaRead]:
    """Check and unpack the archive at `root/upload` (inside `root`, a private temporary
    directory) and store its slides in order; however the archive arrived."""
    # Unpacked on this server's temporary disk: that filling up is a 507 too.
    with translated("unpacking a zip"):
        slides = await asyncio.to_thread(extract_slides, root / "upload", root / "slides")
    stored = []
    for name, path in slides:
        media = await _store_slide(session, files, team_id, name, path)
        stored.append(media)
    return stored


async def _store_slide(
    session: AsyncSession, files: FileChanges, team_id: str, name: str, path: Path
) -> MediaRead:
    try:
        found = await probe_file(path)
    except ProbeFailedError:
        raise _refuse("zip_entry_not_an_image", "not a JPEG, PNG or WebP image", name) from None
    claimed = EXTENSION_FORMAT[name.rsplit(".", 1)[1].lower()]
    if found.get("kind") != "image" or found.get("format") != claimed:
        what = found.get("format") or found.get("kind") or "something else"
        raise _refuse(
            "zip_entry_misnamed",
            f"is named as {claimed.upper()} but its bytes are {str(what).upper()}",
            name,
        )
    return await store_image(session, files, team_id, path, name)


def extract_slides(archive: Path, target: Path) -> list[tuple[str, Path]]:
    """Check every entry, then extract to `target/<n>`; returns (entry name, path) by slide."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            entries = bundle.infolist()
            ordered = _checked(entries)
            target.mkdir()
            extracted = []
            for number, info in ordered:
                path = target / str(number)
                _inflate(bundle, info, path)
                extracted.append((info.filename, path))
            return extracted
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, UnicodeDecodeError) as exc:
        raise _refuse("invalid_zip", f"not a readable zip archive ({exc})") from None
    except NotImplementedError:
        raise _refuse("invalid_zip", "uses a compression method tikpost does not read") from None


def _checked(entries: list[zipfile.ZipInfo]) -> list[tuple[int, zipfile.ZipInfo]]:
    """Every rule that a header alone can break, entry by entry, before extracting anything."""
    if not entries:
        raise _refuse("zip_empty", "the archive has no entries")
    if len(entries) > MAX_ENTRIES:
        raise _refuse(
            "zip_too_many_entries",
            f"{len(entries)} entries; a carousel has at most {MAX_ENTRIES} photos",
        )
    numbered: dict[int, zipfile.ZipInfo] = {}
    total = 0
    for info in entries:
        name = info.filename
        _check_path(name)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _refuse("zip_symlink", "is a symbolic link", name)
        if info.is_dir():
            raise _refuse("zip_entry_misnamed", "is a directory; put slides at the top", name)
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            raise _refuse("zip_nested_archive", "is an archive inside the archive", name)
        if info.flag_bits & 0x1:
            raise _refuse("zip_encrypted", "is encrypted", name)
        match = SLIDE.fullmatch(name)
        if match is None:
            raise _refuse(
                "zip_entry_misnamed",
                "entries must be named slide-1.jpg, slide-2.jpg, … (.jpg, .jpeg, .png, .webp)",
                name,
            )
        if info.file_size > MAX_IMAGE_BYTES:
            raise _refuse("zip_entry_too_large", "TikTok takes photos up to 20 MB", name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise _refuse(
                "zip_bomb",
                f"inflates {ratio:.0f}-fold (at most {MAX_RATIO}); refused as a zip bomb",
                name,
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse("zip_bomb", "the archive inflates past 256 MB in total")
        number = int(match.group(1))
        if number in numbered:
            raise _refuse("zip_duplicate_slide", f"slide {number} appears twice", name)
        numbered[number] = info
    for expected in range(1, len(numbered) + 1):
        if expected not in numbered:
            raise _refuse("zip_slides_out_of_order", f"slide-{expected} is missing")
    return sorted(numbered.items())


def _check_path(name: str) -> None:
    """Names are never used as paths here, but an archive that tries traversal is refused."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        raise _refuse("zip_unsafe_path", "is an absolute path", name)
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        raise _refuse("zip_unsafe_path", "climbs out of the archive (..)", name)


def _inflate(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Copy one entry, counting real bytes: a lying header cannot make it write more."""
    written = 0
    with bundle.open(info) as source, path.open("wb") as sink:
        head = source.read(8)
        if head.startswith(ARCHIVE_MAGIC):
            raise _refuse("zip_nested_archive", "is an archive inside the archive", info.filename)
        sink.write(head)
        written = len(head)
        while block := source.read(READ_BLOCK):
            written += len(block)
            if written > info.file_size or written > MAX_IMAGE_BYTES:
                raise _refuse("zip_bomb", "inflates past its declared size", info.filename)
            sink.write(block)
