"""Streaming a multipart upload straight into storage, hashing and counting on the way.

Starlette's `request.form()` spools every file to a temporary file first: a 4 GB video would
be written to disk twice and could fill it before any limit applied. Here the `file` part's
bytes go from the socket to storage a few megabytes at a time (`media.stream_store`), so memory
stays flat, the size cap bites the moment it is crossed, and the SHA-256 is ready when the last
byte lands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from tikpost.kit.errors import ApiError
from tikpost.kit.parse import parse_uint
from tikpost.media.storage import Storage, StorageWriter
from tikpost.media.stream_store import StreamedFile

FIELD = "file"
MAX_FILENAME = 255
# Text fields kept beside the file (a compat vendor's caption): small, so held in memory.
MAX_FORM_BYTES = 64 * 1024
MAX_BOUNDARY = 200
# Room for the multipart framing around the file when judging a declared Content-Length.
FRAMING_ALLOWANCE = 64 * 1024


@dataclass(frozen=True)
class ReceivedFile:
    """What arrived: the client's own labels (advisory only) and the bytes' true size and hash."""

    filename: str | None
    declared_type: str | None
    size_bytes: int
    sha256: str


@dataclass
class _Part:
    name: str | None = None
    filename: str | None = None
    content_type: str | None = None


class _Upload:
    """The `file` part in flight: its labels and its bytes on their way to storage."""

    def __init__(self, part: _Part, writer: StorageWriter, max_bytes: int) -> None:
        self.part = part
        self.file = StreamedFile(writer, max_bytes, lambda: too_large(max_bytes))
        self.finished = False


class _Receiver:
    """Turns the parser's synchronous callbacks into the file's bytes and the form's fields.

    Callbacks cannot await a storage write, so they only hand the file's bytes to the
    `StreamedFile` (which counts them against the cap there and then); `receive_upload` lets
    it write between chunks. Other form fields are skipped without being buffered, unless
    `form` asks for them: then their text (at most MAX_FORM_BYTES in all) is kept there by name.
    """

    def __init__(
        self,
        writer: StorageWriter,
        max_bytes: int,
        field: str = FIELD,
        form: dict[str, str] | None = None,
    ) -> None:
        self.writer = writer
        self.max_bytes = max_bytes
        self.field = field
        self.form = form
        self._text: bytearray | None = None
        self._form_bytes = 0
        self.upload: _Upload | None = None
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    def parser(self, boundary: bytes) -> MultipartParser:
        return MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        name, raw = self._header_name.lower(), self._header_value
        value = raw.decode("utf-8", "replace")
        self._header_name = self._header_value = b""
        if name == b"content-disposition":
            # Raw bytes: the parser round-trips them through latin-1, which any byte survives
            # (a decoded non-Latin filename would not); the option values are then UTF-8.
            _, options = parse_options_header(raw)
            if b"name" in options:
                self._part.name = options[b"name"].decode("utf-8", "replace")
            if b"filename" in options:
                self._part.filename = options[b"filename"].decode("utf-8", "replace")
        elif name == b"content-type":
            self._part.content_type = value.strip()[:200] or None

    def _on_headers_finished(self) -> None:
        if self._part.name == self.field:
            if self.upload is not None:
                raise ApiError(
                    422, "too_many_files", f"{self.field}: send one file per request", self.field
                )
            self.upload = _Upload(self._part, self.writer, self.max_bytes)
        elif self.form is not None and self._part.name and self._part.filename is None:
            self._text = bytearray()

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.upload is not None and self.upload.part is self._part:
            # The whole chunk (the usual case inside a big file) is passed on uncopied.
            self.upload.file.add(data if start == 0 and end == len(data) else data[start:end])
        elif self._text is not None:
            self._form_bytes += end - start
            if self._form_bytes > MAX_FORM_BYTES:
                raise ApiError(413, "form_too_large", "the form's text fields are too large")
            self._text += data[start:end]

    def _on_part_end(self) -> None:
        if self.upload is not None and self.upload.part is self._part:
            self.upload.finished = True
        elif self._text is not None and self.form is not None and self._part.name:
            self.form[self._part.name] = self._text.decode("utf-8", "replace")
        self._text = None
        self._part = _Part()

    async def pump(self) -> None:
        if self.upload is not None:
            await self.upload.file.pump()

    def abandon(self) -> None:
        if self.upload is not None:
            self.upload.file.abandon()


async def receive_upload(
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    storage: Storage,
    key: str,
    max_bytes: int,
    *,
    field: str = FIELD,
    form: dict[str, str] | None = None,
) -> ReceivedFile:
    """Store the request's `field` part at `key`; on any error nothing is left at `key`.

    With `form`, the other (text) fields are put there by name, wherever they come in the body.
    """
    boundary = _boundary(content_type)
    declared = parse_uint(content_length)
    if declared is not None and declared > max_bytes + FRAMING_ALLOWANCE:
        raise too_large(max_bytes)  # refuse before reading a byte
    async with storage.open_write(key) as writer:
        receiver = _Receiver(writer, max_bytes, field, form)
        try:
            await _feed(body, receiver.parser(boundary), receiver, max_bytes)
            upload = receiver.upload
            if upload is None:
                raise ApiError(
                    422, "validation_error", f"{field}: send the media as field `{field}`", field
                )
            if not upload.finished:
                raise _invalid("the multipart body ended before the file did")
            if upload.file.size == 0:
                raise ApiError(422, "empty_file", f"{field}: the uploaded file is empty", field)
            sha256 = await upload.file.finish()
        except BaseException:
            receiver.abandon()
            raise
    return ReceivedFile(
        filename=_clean_filename(upload.part.filename),
        declared_type=upload.part.content_type,
        size_bytes=upload.file.size,
        sha256=sha256,
    )


async def _feed(
    body: AsyncIterator[bytes], parser: MultipartParser, receiver: _Receiver, max_bytes: int
) -> None:
    """The whole body through the parser, the file's bytes on to storage as they come."""
    received = 0
    try:
        async for chunk in body:
            # Bytes outside the file count too, or endless other fields could stream forever.
            received += len(chunk)
            if received > max_bytes + FRAMING_ALLOWANCE:
                raise too_large(max_bytes)
            parser.write(chunk)
            await receiver.pump()
        parser.finalize()
    except MultipartParseError:
        raise _invalid("the multipart body is malformed") from None
    except ClientDisconnect:
        raise ApiError(400, "upload_incomplete", "the client disconnected mid-upload") from None


def _boundary(content_type: str | None) -> bytes:
    media_type, options = parse_options_header(content_type or "")
    if media_type != b"multipart/form-data":
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the upload as multipart/form-data with the media in field `file`",
        )
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > MAX_BOUNDARY:
        raise _invalid("the multipart Content-Type has no valid boundary")
    return boundary


def _clean_filename(name: str | None) -> str | None:
    """Keep only a displayable base name: it is shown back to people, never used as a path."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:MAX_FILENAME] or None


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_multipart", message)


def too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "media_too_large", f"file: media may be at most {max_bytes} bytes", FIELD)
