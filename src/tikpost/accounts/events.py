"""`account.reauth_required`: tell the team when an account stops working, not at its next post."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts.models import Account
from tikpost.accounts.schemas import AccountRead
from tikpost.runtime.workflows import runtime_running
from tikpost.webhooks import service as webhooks
from tikpost.webhooks.workflow import start_deliveries_anywhere


async def mark_reauth_required(session: AsyncSession, account: Account, reason: str) -> list[str]:
    """Set the status and record the webhook deliveries; send them with `send` after commit."""
    account.status = "reauth_required"
    account.status_reason = reason
    await session.flush()
    data = AccountRead.model_validate(account).model_dump(mode="json")
    return await webhooks.emit(session, account.team_id, "account.reauth_required", data)


async def send(delivery_ids: list[str]) -> None:
    """Start the deliveries; a process without a workflow runtime (a script) leaves them to
    the next start's sweep of pending deliveries."""
    if delivery_ids and runtime_running():
        await start_deliveries_anywhere(delivery_ids)
