"""`POST /v1/tiktok/webhook`: TikTok's own events, to learn outcomes sooner than polling.

Register `<public url>/v1/tiktok/webhook` as the app's callback URL in TikTok's developer
portal. An event about a post only wakes that post's workflow, which then asks TikTok for the
status itself: a webhook is a hint, never the verdict, so a forged or replayed one (already
refused by the signature check) could at worst cause one extra status request.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from dbos import DBOS
from fastapi import APIRouter, Request

from tikpost.accounts import events
from tikpost.accounts import repository as accounts
from tikpost.deps import DatabaseDep, TikTokDep
from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.kit.parse import check_strings, parse_uint
from tikpost.posts import account_loss, repository, service
from tikpost.posts.publish.workflow import TIKTOK_TOPIC
from tikpost.posts.statuses import FINAL_STATUSES
from tikpost.tiktok.webhooks import verify_signature

logger = logging.getLogger(__name__)
router = APIRouter(tags=["tiktok"])
# authorization.removed reasons, as TikTok numbers them.
REMOVAL_REASONS = {
    1: "the creator disconnected the app on TikTok",
    2: "the creator's TikTok account was deleted",
    3: "the creator's age changed",
    4: "the creator's TikTok account was banned",
    5: "this app's access was revoked with the app's credentials (tikpost or another tool)",
}


@router.post("/v1/tiktok/webhook", include_in_schema=False)
async def tiktok_webhook(
    request: Request,
    tiktok: TikTokDep,
    database: DatabaseDep,
) -> dict[str, bool]:
    raw = await request.body()
    if not verify_signature(request.headers.get("tiktok-signature"), raw, tiktok.client_secret):
        raise ApiError(
            401,
            "invalid_signature",
            "the TikTok-Signature header does not verify",
            "TikTok-Signature",
        )
    try:
        event = json.loads(raw)
        content = json.loads(event.get("content") or "{}")
        check_strings([event, content])  # a lone surrogate would fail at the database
    except (ValueError, AttributeError, TypeError) as exc:
        raise ApiError(400, "invalid_event", "the event is not TikTok's JSON shape") from exc
    if not isinstance(event, dict) or not isinstance(content, dict):
        raise ApiError(400, "invalid_event", "the event is not TikTok's JSON shape")
    name = str(event.get("event", ""))
    if name.startswith("post.publish."):
        await _nudge_post(database, str(content.get("publish_id", "")), name)
    elif name == "authorization.removed":
        await _authorization_removed(database, str(event.get("user_openid", "")), content)
    return {"received": True}


async def _nudge_post(database: Database, publish_id: str, name: str) -> None:
    async with database.session() as session:
        post = await repository.find_by_publish_id(session, publish_id)
    if post is None or post.status in FINAL_STATUSES:
        return
    await DBOS.send_async(service.workflow_id(post), name, TIKTOK_TOPIC)


async def _authorization_removed(database: Database, open_id: str, content: dict[str, Any]) -> None:
    """TikTok says the creator took access away: mark every team's copy of that account."""
    code = content.get("reason")
    number = code if isinstance(code, int) else parse_uint(str(code))
    reason = REMOVAL_REASONS.get(number or 0, "TikTok removed the access")
    dropped = account_loss.Dropped()
    async with database.session(write=True) as session:
        # Locked: tikpost's own DELETE may be writing the account at this moment (see
        # posts.account_loss), and its reason must not be lost to this one.
        for account in await accounts.lock_by_open_id(session, open_id):
            if number == account_loss.DEVELOPER_REVOKED:
                await account_loss.revoked_at_tiktok(
                    session, account, f"TikTok reported that {reason}", dropped
                )
            elif account.status == "ready":
                dropped.deliveries += await events.mark_reauth_required(
                    session, account, f"TikTok reported that {reason}"
                )
    await dropped.settle()
