"""The work inside each publish step: talking to TikTok for one post, safely repeatable.

What differs by kind of post (uploaded video, pulled video, photos) is in `publish.kinds`,
chosen once per step by `kind_of`; what every kind shares is here and in `publish.calls`.
"""

from __future__ import annotations

import logging
from typing import Any

from tikpost.accounts import repository as accounts
from tikpost.posts import service
from tikpost.posts.failures import Failure
from tikpost.posts.failures import PublishFailedError as PublishFailedError  # re-exported
from tikpost.posts.publish.calls import call_tiktok, fetch_status, load_post, locked
from tikpost.posts.publish.context import PublishContext
from tikpost.posts.publish.fencing import check_run
from tikpost.posts.publish.kinds import kind_of
from tikpost.tiktok import CreatorInfo

logger = logging.getLogger(__name__)


async def check_creator(ctx: PublishContext, post_id: str) -> None:
    """TikTok's UX rules: privacy among the creator's options, their max duration, and the
    interactions they disabled (those stay off, as TikTok's composer greys them out)."""
    post = await load_post(ctx, post_id)
    check_run(post)
    info: CreatorInfo = await call_tiktok(ctx, post, lambda client: client.creator_info())
    if post.mode == "direct" and post.privacy_level not in info.privacy_level_options:
        raise PublishFailedError(
            Failure(
                "privacy_not_offered",
                f"@{info.creator_username} does not offer {post.privacy_level}; choose one of "
                f"{', '.join(info.privacy_level_options)}.",
            )
        )
    kind = kind_of(post)
    await kind.check(ctx, post, info)
    async with ctx.database.session(write=True) as session:
        # Cancelled or retried while TikTok answered: this run stops here.
        post = await locked(session, post_id)
        check_run(post)
        turned_off = []
        toggles = [
            ("disable_comment", info.comment_disabled),
            ("disable_duet", info.duet_disabled),
            ("disable_stitch", info.stitch_disabled),
        ]
        for name, disabled in toggles:
            if name not in kind.toggles:
                continue
            if post.mode == "direct" and disabled and not getattr(post, name):
                setattr(post, name, True)
                turned_off.append(name.removeprefix("disable_"))
        note = (
            f"; {', '.join(turned_off)} off as the creator's settings require" if turned_off else ""
        )
        await service.record(
            session, post, post.status, f"Creator info checked for @{info.creator_username}{note}"
        )


async def init_post(ctx: PublishContext, post_id: str) -> str:
    """The workflow's init step for any kind of post."""
    post = await load_post(ctx, post_id)
    return await kind_of(post).init(ctx, post)


async def upload_to_tiktok(ctx: PublishContext, post_id: str) -> None:
    """The workflow's upload step: the chunks of a held video; for the kinds TikTok pulls,
    only the post's move to `processing`."""
    post = await load_post(ctx, post_id)
    await kind_of(post).upload(ctx, post)


async def fetch_outcome(ctx: PublishContext, post_id: str) -> dict[str, Any]:
    """TikTok's status for the post's publish_id, with the username for the post's URL."""
    post = await load_post(ctx, post_id)
    assert post.publish_id is not None
    status = await fetch_status(ctx, post, post.publish_id)
    outcome: dict[str, Any] = {**status.model_dump(mode="json"), "is_final": status.is_final}
    if status.is_final:
        async with ctx.database.session() as session:
            account = await accounts.get(session, post.account_id)
        outcome["username"] = account.username if account else None
    return outcome
