"""A multipart/form-data body for one file, produced piece by piece for streaming uploads.

httpx's own `files=` encoder is not enough for the CLI: it cannot say when each byte leaves
(so no honest progress bar), and handing it a generator instead makes it fall back to chunked
transfer encoding with no Content-Length, which the server uses to refuse an oversized upload
before reading it. Building the framing ourselves keeps memory flat (one piece of the file at a
time, however large the video), gives an exact Content-Length up front, and reports progress
as each piece is taken by the transport. The bytes are the same as httpx would send.
"""

from __future__ import annotations

import mimetypes
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PIECE_SIZE = 256 * 1024

# HTML5's form encoding for names in Content-Disposition (what browsers and httpx send).
_FORM_REPLACEMENTS = {'"': "%22", "\\": "\\\\"} | {
    chr(code): f"%{code:02X}" for code in range(0x20) if code != 0x1B
}
_FORM_RE = re.compile("|".join(re.escape(char) for char in _FORM_REPLACEMENTS))


def _form_param(name: str, value: str) -> bytes:
    escaped = _FORM_RE.sub(lambda match: _FORM_REPLACEMENTS[match.group(0)], value)
    return f'{name}="{escaped}"'.encode()


@dataclass(frozen=True)
class MultipartFile:
    """One file as a single-part multipart/form-data body (the shape POST /v1/media takes)."""

    path: Path
    field_name: str = "file"
    filename: str | None = None
    content_type: str | None = None
    boundary: bytes = field(default_factory=lambda: secrets.token_hex(16).encode())

    @property
    def _content_type(self) -> str:
        guessed = mimetypes.guess_type(self.path.name)[0]
        return self.content_type or guessed or "application/octet-stream"

    def head(self) -> bytes:
        """Everything before the file's bytes: opening boundary and the part's headers."""
        disposition = b"Content-Disposition: form-data; " + _form_param("name", self.field_name)
        disposition += b"; " + _form_param("filename", self.filename or self.path.name)
        return b"".join(
            [
                b"--" + self.boundary + b"\r\n",
                disposition,
                b"\r\nContent-Type: " + self._content_type.encode() + b"\r\n\r\n",
            ]
        )

    def tail(self) -> bytes:
        """Everything after the file's bytes: the part's end and the closing boundary."""
        return b"\r\n--" + self.boundary + b"--\r\n"

    def content_length(self) -> int:
        """The exact body size, known before a byte is read (the file's size at this moment)."""
        return len(self.head()) + self.path.stat().st_size + len(self.tail())

    def headers(self) -> dict[str, str]:
        """Content-Type with the boundary, and Content-Length so no chunked encoding is used."""
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary.decode()}",
            "Content-Length": str(self.content_length()),
        }

    def iter_body(
        self,
        piece_size: int = PIECE_SIZE,
        on_sent: Callable[[int], None] | None = None,
    ) -> Iterator[bytes]:
        """Yield the body in pieces of at most `piece_size` bytes, reading the file lazily.

        `on_sent(n)` runs when the consumer asks for the next piece, that is once the previous
        `n` bytes have been handed to the socket: it drives the progress bar. If the file
        changes size meanwhile, the body would not match its Content-Length, so that is an
        error rather than a corrupt upload.
        """
        if piece_size < 1:
            raise ValueError("piece_size must be positive")
        expected = self.path.stat().st_size
        sent = 0
        with self.path.open("rb") as handle:
            for piece in _split(self.head(), piece_size):
                yield piece
                _notify(on_sent, len(piece))
            while piece := handle.read(piece_size):
                sent += len(piece)
                if sent > expected:
                    raise OSError(f"{self.path} grew while it was being uploaded")
                yield piece
                _notify(on_sent, len(piece))
        if sent != expected:
            raise OSError(f"{self.path} shrank while it was being uploaded")
        for piece in _split(self.tail(), piece_size):
            yield piece
            _notify(on_sent, len(piece))


def _split(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _notify(on_sent: Callable[[int], None] | None, count: int) -> None:
    if on_sent is not None:
        on_sent(count)
