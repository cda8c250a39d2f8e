"""When an account is disconnected, its posts that have not reached TikTok fail at once.

Left waiting, a scheduled post would fail only at its time and a queued one at its turn, each
with the account's error; failing them as the account goes (`DELETE /v1/accounts/{id}`, or a
developer revoke TikTok reports) tells the team now, through the usual `post.failed`
webhooks, while it can still connect the account again and retry them. Their workflows are
cancelled too: one sleeping out TikTok's daily cap would otherwise hold the account's place
in the publish queue, and a retry would wait behind it. Posts already at TikTok (uploading,
processing) stay with their workflows: TikTok decides how those end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbos import DBOS
from sqlalchemy.ext.asyncio import AsyncSession

from tikpost.accounts import events, loss
from tikpost.accounts.models import Account
from tikpost.accounts.tokens import forget_tokens
from tikpost.posts import repository, service
from tikpost.posts.failures import Failure
from tikpost.posts.publish.context import PublishContext
from tikpost.runtime.workflows import runtime_running

# `authorization.removed` reason 5: "Developer revoke authorization" (TikTok's events page).
DEVELOPER_REVOKED = 5
WAITING = ("scheduled", "queued")


@dataclass
class Dropped:
    """What failing posts leaves to do once the transaction has committed."""

    deliveries: list[str] = field(default_factory=list)
    workflows: list[str] = field(default_factory=list)

    async def settle(self) -> None:
        """Send the webhooks and stop the failed posts' workflows. Without a workflow runtime
        (a script) the startup sweep sends the webhooks, and a stale workflow finds its post
        final when it wakes and does nothing."""
        await events.send(self.deliveries)
        if self.workflows and runtime_running():
            # An id DBOS never saw (a post whose enqueue a crash lost) is simply not updated.
            await DBOS.cancel_workflows_async(self.workflows)


@loss.on_disconnect
async def _disconnected(session: AsyncSession, account: Account) -> loss.AfterCommit:
    """`DELETE /v1/accounts/{id}` (accounts.service.disconnect): fail the waiting posts."""
    dropped = Dropped()
    await fail_waiting_posts(session, account, dropped)
    return dropped.settle


async def revoked_at_tiktok(
    session: AsyncSession, account: Account, reason: str, dropped: Dropped
) -> None:
    """TikTok reports a developer revoke: a disconnect made with this app's credentials, by
    another tool or by tikpost's own `DELETE`, whose echo this then is (the account is already
    revoked and keeps its reason). Unlike a creator removing the app (`reauth_required`), it
    is a decision on the app's side, so the account is `revoked` as `DELETE` leaves it."""
    if account.status != "revoked":
        forget_tokens(account, reason)
    await fail_waiting_posts(session, account, dropped)


async def fail_waiting_posts(session: AsyncSession, account: Account, dropped: Dropped) -> None:
    """Fail the revoked account's scheduled and queued posts as a publish failure ends a post:
    error, timeline line, `post.failed` webhooks (recorded in `dropped`, sent by `settle`)."""
    failure = Failure(
        "account_revoked",
        "The TikTok account was disconnected before this post was sent "
        f"({account.status_reason}); connect it again (POST /v1/accounts/connect), then "
        "retry the post.",
    )
    for post in await repository.waiting_for_account(session, account.id, WAITING):
        await service.fail(session, post, failure)
        dropped.deliveries += await PublishContext.notify(session, post)
        dropped.workflows.append(service.workflow_id(post))
