"""PostPeer's account routes: connect TikTok, list and remove integrations (tikpost's
connected accounts), TikTok's creator info, and its health checks.

An integration is a tikpost account; one disconnected here stays in tikpost as `revoked`
(for its posts' record) and is no longer listed, as PostPeer forgets it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from tikpost.accounts import service as accounts
from tikpost.accounts.models import AccountStatus
from tikpost.accounts.oauth import state_signer
from tikpost.accounts.schemas import AccountRead
from tikpost.compat.auth import key_from_header
from tikpost.compat.postpeer import reading, schemas
from tikpost.compat.postpeer.routing import PostPeerRoute
from tikpost.compat.postpeer.translate import TIKTOK
from tikpost.deps import DatabaseDep, SessionDep, SettingsDep, TikTokDep, TokensDep
from tikpost.kit.errors import ApiError
from tikpost.teams.schemas import TeamRead
from tikpost.teams.service import Authenticated

router = APIRouter(route_class=PostPeerRoute)
Key = Annotated[Authenticated, Depends(key_from_header("x-access-key"))]
Url = Annotated[str | None, Query(max_length=2000)]


@router.get("/v1/health", response_model=schemas.Health)
async def health() -> schemas.Health:
    return schemas.Health(ok=True)


@router.get("/v1/health/auth", response_model=schemas.Health)
async def health_auth(_key: Key) -> schemas.Health:
    """`ok` when the `x-access-key` is a valid tikpost key (401 otherwise)."""
    return schemas.Health(ok=True)


@router.get("/v1/connect/integrations", response_model=schemas.IntegrationList)
async def list_integrations(
    key: Key,
    session: SessionDep,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    profileId: Annotated[str | None, Query(max_length=200)] = None,  # noqa: N803
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Literal["asc", "desc"] = "desc",
) -> schemas.IntegrationList:
    """The team's connected TikTok accounts; tikpost has no profiles (`profileId` other than
    `null` matches none)."""
    found = await _connected(session, key.team)
    if (platform and platform.lower() != TIKTOK) or (profileId and profileId != "null"):
        found = []
    if q:
        needle = q.casefold()
        found = [
            account
            for account in found
            if any(
                needle in (text or "").casefold()
                for text in (account.display_name, account.username, account.open_id)
            )
        ]
    found.sort(key=lambda account: account.created_at, reverse=sort == "desc")
    page = [_integration(account) for account in found[offset : offset + limit]]
    return schemas.IntegrationList(success=True, total=len(found), integrations=page)


@router.get("/v1/connect/integrations/{integrationId}", response_model=schemas.IntegrationAnswer)
async def get_integration(
    integrationId: str,  # noqa: N803
    key: Key,
    session: SessionDep,
) -> schemas.IntegrationAnswer:
    account = await _listed(session, key.team, integrationId)
    return schemas.IntegrationAnswer(success=True, integration=_integration(account))


@router.delete("/v1/connect/integrations/{integrationId}", response_model=schemas.Message)
async def disconnect(
    integrationId: str,  # noqa: N803
    key: Key,
    database: DatabaseDep,
    tokens: TokensDep,
) -> schemas.Message:
    """Revoke tikpost's access at TikTok (as DELETE /v1/accounts/{id}); its waiting posts fail."""
    async with database.session() as session:
        await _listed(session, key.team, integrationId)
    await accounts.disconnect(database, tokens, key.team, integrationId)
    return schemas.Message(success=True, message="Integration disconnected.")


@router.get("/v1/tiktok/creator-info", response_model=schemas.CreatorInfo)
async def creator_info(
    key: Key,
    tokens: TokensDep,
    accountId: Annotated[str, Query(min_length=1, max_length=64)],  # noqa: N803
) -> schemas.CreatorInfo:
    """TikTok's creator_info, live: what the creator may choose for a direct post."""
    info = await accounts.creator_info(tokens, key.team, accountId)
    return schemas.CreatorInfo(
        success=True,
        creatorUsername=info.creator_username,
        creatorNickname=info.creator_nickname,
        creatorAvatarUrl=info.creator_avatar_url,
        privacyLevelOptions=info.privacy_level_options,
        commentDisabled=info.comment_disabled,
        duetDisabled=info.duet_disabled,
        stitchDisabled=info.stitch_disabled,
        maxVideoPostDurationSec=info.max_video_post_duration_sec,
    )


@router.get("/v1/connect/{platform}", response_model=schemas.ConnectUrl)
async def connect(
    platform: str,
    key: Key,
    database: DatabaseDep,
    tiktok: TikTokDep,
    settings: SettingsDep,
    redirectUri: Url = None,  # noqa: N803
    cancelRedirectUri: Url = None,  # noqa: N803
    profileId: Annotated[str | None, Query(max_length=200)] = None,  # noqa: N803
) -> schemas.ConnectUrl:
    """TikTok's consent URL for a new creator (403 for any other platform). After consent the
    browser goes to `redirectUri` with `account_id` and `status=connected` (or `error`; a
    creator who declines goes to `cancelRedirectUri` if given); both must be on an origin in
    TIKPOST_CONNECT_REDIRECT_ORIGINS."""
    if platform.lower() != TIKTOK:
        raise ApiError(
            403,
            "platform_not_available",
            f"tikpost connects TikTok accounts only, not {platform!r}",
        )
    async with database.session(write=True) as session:
        started = await accounts.start_connect(
            session,
            key.team,
            tiktok,
            state_signer(settings),
            redirect_uri=redirectUri,
            cancel_redirect_uri=cancelRedirectUri,
            allowed_origins=settings.connect_redirect_origins,
        )
    return schemas.ConnectUrl(url=started.authorize_url)


async def _connected(session: SessionDep, team: TeamRead) -> list[AccountRead]:
    return [
        account
        for account in await accounts.list_accounts(session, team)
        if account.status != AccountStatus.REVOKED
    ]


async def _listed(session: SessionDep, team: TeamRead, account_id: str) -> AccountRead:
    account = await accounts.get_account(session, team, account_id)
    if account.status == AccountStatus.REVOKED:
        raise ApiError(404, "account_not_found", f"no integration with id {account_id}", "id")
    return account


def _integration(account: AccountRead) -> schemas.Integration:
    return schemas.Integration(
        id=account.id,
        platform=TIKTOK,
        platformUserId=account.open_id,
        displayName=account.display_name or account.username,
        imageUrl=account.avatar_url,
        profileId=None,
        createdAt=reading.iso(account.created_at) or "",
    )
