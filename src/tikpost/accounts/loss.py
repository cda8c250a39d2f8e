"""What else happens, in the same transaction, when an account is disconnected through the API.

The domains above accounts decide it (posts waiting for the account fail: posts.account_loss).
Accounts sits below them, so they register a handler here rather than accounts importing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts.models import Account

AfterCommit = Callable[[], Awaitable[None]]
OnDisconnect = Callable[[AsyncSession, Account], Awaitable[AfterCommit]]

_handlers: list[OnDisconnect] = []


def on_disconnect(handler: OnDisconnect) -> OnDisconnect:
    _handlers.append(handler)
    return handler


async def disconnected(session: AsyncSession, account: Account) -> AfterCommit:
    """Run every handler for the (revoked) account; returns what to run once it committed."""
    # None registered would leave the account's waiting posts to fail only at their time.
    if not _handlers:
        raise RuntimeError("no account-loss handler registered (import tikpost.posts)")
    after = [await handler(session, account) for handler in _handlers]

    async def settle() -> None:
        for then in after:
            await then()

    return settle
