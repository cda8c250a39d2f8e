"""A file as a streamed multipart/form-data body: one piece in memory at a time, an exact
Content-Length up front, progress as each piece leaves, and a clean restart for a retry.

httpx's own `files=` cannot say when each byte leaves (no honest progress bar), and a plain
generator makes it fall back to chunked encoding with no Content-Length, which the server uses
to refuse an oversized upload before reading it. So the framing is built here; the bytes are
the same as httpx's encoder would send.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PIECE_SIZE = 256 * 1024

# `on_progress(sent, total)`: bytes of the body handed to the socket so far, of all of them.
ProgressCallback = Callable[[int, int], None]
FileSource = str | os.PathLike[str] | IO[bytes]

# HTML5's form encoding for names in Content-Disposition (what browsers and httpx send).
_FORM_REPLACEMENTS = {'"': "%22", "\\": "\\\\"} | {
    chr(code): f"%{code:02X}" for code in range(0x20) if code != 0x1B
}
_FORM_RE = re.compile("|".join(re.escape(char) for char in _FORM_REPLACEMENTS))


def _form_param(name: str, value: str) -> bytes:
    escaped = _FORM_RE.sub(lambda match: _FORM_REPLACEMENTS[match.group(0)], value)
    return f'{name}="{escaped}"'.encode()


@dataclass
class Upload:
    """One file as the single `file` part of a form (the shape POST /v1/media takes).

    A path is opened anew for each attempt; a file object is read from where it stood when the
    upload was made, and sought back there for each attempt (so it must be seekable).
    """

    source: FileSource
    filename: str | None = None
    content_type: str | None = None
    on_progress: ProgressCallback | None = None
    field_name: str = "file"
    boundary: bytes = field(default_factory=lambda: secrets.token_hex(16).encode())
    _start: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.source, str | os.PathLike):
            if not self.source.seekable():
                raise ValueError("a file object to upload must be seekable, so a retry restarts")
            self._start = self.source.tell()
        if self.filename is None:
            self.filename = Path(self._name()).name or "upload"

    def _name(self) -> str:
        if isinstance(self.source, str | os.PathLike):
            return os.fspath(self.source)
        name = getattr(self.source, "name", None)
        return name if isinstance(name, str) else "upload"

    @property
    def size(self) -> int:
        """The file's size now (from where a file object stood)."""
        if isinstance(self.source, str | os.PathLike):
            return Path(self.source).stat().st_size
        end = self.source.seek(0, os.SEEK_END)
        self.source.seek(self._start)
        return end - self._start

    def head(self) -> bytes:
        """Everything before the file's bytes: opening boundary and the part's headers."""
        name = self.filename or "upload"
        kind = self.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        disposition = b"Content-Disposition: form-data; " + _form_param("name", self.field_name)
        disposition += b"; " + _form_param("filename", name)
        return b"--%s\r\n%s\r\nContent-Type: %s\r\n\r\n" % (
            self.boundary,
            disposition,
            kind.encode(),
        )

    def tail(self) -> bytes:
        return b"\r\n--" + self.boundary + b"--\r\n"

    def content_length(self) -> int:
        return len(self.head()) + self.size + len(self.tail())

    def headers(self) -> dict[str, str]:
        """Content-Type with the boundary; Content-Length, so no chunked encoding is used."""
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary.decode()}",
            "Content-Length": str(self.content_length()),
        }

    @contextmanager
    def _opened(self) -> Iterator[IO[bytes]]:
        if isinstance(self.source, str | os.PathLike):
            with Path(self.source).open("rb") as handle:
                yield handle
        else:
            self.source.seek(self._start)
            yield self.source

    def iter_body(self, piece_size: int = PIECE_SIZE) -> Iterator[bytes]:
        """The body from its first byte (a retry starts over), read lazily piece by piece.

        Progress is reported when the next piece is asked for, that is once the previous one
        has been handed to the socket.
        """
        with self._opened() as handle:
            pieces = _Pieces(self, handle, piece_size)
            while piece := pieces.next():
                yield piece
                self._report(pieces.sent, pieces.total)

    async def aiter_body(self, piece_size: int = PIECE_SIZE) -> AsyncIterator[bytes]:
        """`iter_body` for an async client: file reads run in a thread, progress in the loop."""
        with self._opened() as handle:
            pieces = _Pieces(self, handle, piece_size)
            while piece := await asyncio.to_thread(pieces.next):
                yield piece
                self._report(pieces.sent, pieces.total)

    def _report(self, sent: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(sent, total)


class _Pieces:
    """The body's pieces in order: the part's head, the file, the tail. A file that changes
    size meanwhile would not match the Content-Length sent, so that is an error rather than a
    corrupt upload."""

    def __init__(self, upload: Upload, handle: IO[bytes], piece_size: int) -> None:
        if piece_size < 1:
            raise ValueError("piece_size must be positive")
        self.upload, self.handle, self.piece_size = upload, handle, piece_size
        self.expected = upload.size
        self.total = upload.content_length()
        self.head, self.tail = upload.head(), upload.tail()
        self.read = self.sent = 0

    def next(self) -> bytes:
        """The next piece, or b"" once the body is complete."""
        if self.sent < len(self.head):
            piece = self.head[self.sent : self.sent + self.piece_size]
        elif self.read < self.expected:
            piece = self.handle.read(min(self.piece_size, self.expected - self.read))
            self.read += len(piece)
            if not piece:
                raise OSError(f"{self.upload._name()} shrank while it was being uploaded")
        elif self.sent < self.total:
            if self.handle.read(1):
                raise OSError(f"{self.upload._name()} grew while it was being uploaded")
            piece = self.tail
        else:
            return b""
        self.sent += len(piece)
        return piece
