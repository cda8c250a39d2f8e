"""Lists as iterators that follow the server's cursors, fetching a page only when needed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from tikpost_client._base import Call

if TYPE_CHECKING:
    from tikpost_client._transport import AsyncTransport, SyncTransport

Item = TypeVar("Item")
M = TypeVar("M")


class Page(Protocol[Item]):
    """What every paged list answers: `items`, and `next_cursor` (None on the last page)."""

    @property
    def items(self) -> list[Item]: ...

    @property
    def next_cursor(self) -> str | None: ...


class SyncPages(Generic[M]):
    """`for item in client.posts.list(): ...` walks every page, newest first."""

    def __init__(self, transport: SyncTransport, page: Callable[[str | None], Call[Page[M]]]):
        self._transport = transport
        self._page = page

    def __iter__(self) -> Iterator[M]:
        cursor: str | None = None
        while True:
            page = self._transport.send(self._page(cursor))
            yield from page.items
            if not page.next_cursor or not page.items:
                return
            cursor = page.next_cursor


class AsyncPages(Generic[M]):
    """`async for item in client.posts.list(): ...`."""

    def __init__(self, transport: AsyncTransport, page: Callable[[str | None], Call[Page[M]]]):
        self._transport = transport
        self._page = page

    async def __aiter__(self) -> AsyncIterator[M]:
        cursor: str | None = None
        while True:
            page = await self._transport.send(self._page(cursor))
            for item in page.items:
                yield item
            if not page.next_cursor or not page.items:
                return
            cursor = page.next_cursor
