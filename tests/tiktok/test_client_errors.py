"""Every documented error the client can meet arrives as its own exception class."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import RunningSandbox, SandboxFactory
from tests.tiktok.conftest import MediaOrigin, posting_client
from tikpost.tiktok import (
    ChunkPlan,
    PhotoPostInfo,
    PostInfo,
    TikTokPostingClient,
    errors,
    plan_chunks,
)

PRIVATE = PostInfo(privacy_level="SELF_ONLY")
SMALL = plan_chunks(1_000_000)  # any legal plan: these inits never upload


def fault(sandbox: RunningSandbox, endpoint: str, **fields: object) -> None:
    body = {"endpoint": endpoint, "error_rate": 1.0, **fields}
    sandbox.operator.post("/_sandbox/faults", json=body).raise_for_status()


async def test_missing_scope_is_scope_not_authorized(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("narrow", scope="user.info.basic,video.upload")
    async with posting_client(sandbox, creator["access_token"]) as client:
        with pytest.raises(errors.ScopeNotAuthorized) as caught:
            await client.creator_info()
        assert caught.value.http_status == 401
        assert not caught.value.retryable
        with pytest.raises(errors.ScopeNotAuthorized):
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
        with pytest.raises(errors.ScopeNotAuthorized):
            await client.user_info(["open_id", "username"])  # username needs user.info.profile
        # video.upload is granted, so the inbox works.
        assert (await client.init_video(mode="inbox", post_info=None, chunk_plan=SMALL)).upload_url


async def test_expired_access_token_is_access_token_invalid(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("expired")
    expire = {"access_token": creator["access_token"]}
    sandbox.operator.post("/_sandbox/tokens/expire", json=expire).raise_for_status()
    async with posting_client(sandbox, creator["access_token"]) as client:
        with pytest.raises(errors.AccessTokenInvalid) as caught:
            await client.fetch_status("v_pub_file~v2-1.1")
    assert caught.value.http_status == 401
    assert caught.value.code == "access_token_invalid"
    assert caught.value.log_id


async def test_seventh_init_in_a_minute_is_rate_limited(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("hasty")
    async with posting_client(sandbox, creator["access_token"]) as client:
        for _ in range(6):
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
        with pytest.raises(errors.RateLimitExceeded) as caught:
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
        assert caught.value.http_status == 429
        assert caught.value.retryable
        sandbox.advance_clock(61)
        assert await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)


async def test_privacy_not_offered_is_a_mismatch(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("private_one")
    async with posting_client(sandbox, creator["access_token"]) as client:
        public = PostInfo(privacy_level="PUBLIC_TO_EVERYONE")
        with pytest.raises(errors.PrivacyLevelOptionMismatch) as caught:
            await client.init_video(mode="direct", post_info=public, chunk_plan=SMALL)
    assert caught.value.http_status == 403


async def test_unaudited_app_cannot_post_to_public_account(
    sandbox_factory: SandboxFactory,
) -> None:
    options = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    with sandbox_factory(verified_url_prefixes=["https://media.example/"]) as sandbox:
        creator = sandbox.create_creator("public_one", privacy_level_options=options)
        async with posting_client(sandbox, creator["access_token"]) as client:
            # SELF_ONLY does not help: the account itself must be private (brightbean #144).
            with pytest.raises(errors.UnauditedClientCanOnlyPostToPrivateAccounts) as caught:
                await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
            assert caught.value.http_status == 403
            with pytest.raises(errors.UnauditedClientCanOnlyPostToPrivateAccounts):
                await client.init_photos(
                    mode="direct",
                    post_info=PhotoPostInfo(privacy_level="SELF_ONLY"),
                    photo_urls=["https://media.example/a.jpg"],
                )


async def test_unverified_pull_url_is_refused(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(verified_url_prefixes=["https://media.example/verified/"]) as sandbox:
        creator = sandbox.create_creator("puller")
        async with posting_client(sandbox, creator["access_token"]) as client:
            with pytest.raises(errors.UrlOwnershipUnverified) as caught:
                await client.init_video(
                    mode="direct",
                    post_info=PRIVATE,
                    video_url="https://media.example/other/v.mp4",
                )
            assert caught.value.http_status == 403
            with pytest.raises(errors.UrlOwnershipUnverified):
                await client.init_video(
                    mode="inbox", post_info=None, video_url="https://evil.example/verified/v.mp4"
                )


async def test_bad_chunk_plan_is_invalid_params(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("bad_plan")
    too_small = ChunkPlan(video_size=10_000_000, chunk_size=1000, total_chunk_count=10_000)
    async with posting_client(sandbox, creator["access_token"]) as client:
        with pytest.raises(errors.InvalidParams) as caught:
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=too_small)
    assert caught.value.code == "invalid_params"
    assert caught.value.http_status == 400
    # Postiz's "balanced" plan breaks floor(size / chunk) and cannot even be built here, so send
    # it raw, as Postiz did.
    raw = {
        "post_info": {"privacy_level": "SELF_ONLY"},
        "source_info": {
            "source": "FILE_UPLOAD",
            "video_size": 75_064_653,
            "chunk_size": 37_532_327,
            "total_chunk_count": 2,
        },
    }
    response = httpx.post(
        sandbox.url + "/v2/post/publish/video/init/",
        json=raw,
        headers={"Authorization": f"Bearer {creator['access_token']}"},
    )
    error = errors.posting_error(response.json()["error"]["code"], http_status=400)
    assert isinstance(error, errors.InvalidParams)


async def test_invalid_param_spelling_maps_to_the_same_class(
    sandbox_factory: SandboxFactory,
) -> None:
    with sandbox_factory(invalid_params_code="invalid_param") as sandbox:
        creator = sandbox.create_creator("speller")
        bad = ChunkPlan(video_size=10_000_000, chunk_size=1000, total_chunk_count=10_000)
        async with posting_client(sandbox, creator["access_token"]) as client:
            with pytest.raises(errors.InvalidParams) as caught:
                await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=bad)
    assert caught.value.code == "invalid_param"


async def test_daily_cap_is_spam_risk_too_many_posts(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(daily_post_cap=1) as sandbox:
        creator = sandbox.create_creator("prolific")
        async with posting_client(sandbox, creator["access_token"]) as client:
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
            with pytest.raises(errors.SpamRiskTooManyPosts) as at_init:
                await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
            assert at_init.value.http_status == 403
            # creator_info reports the same with HTTP 200: only error.code tells.
            with pytest.raises(errors.SpamRiskTooManyPosts) as at_info:
                await client.creator_info()
            assert at_info.value.http_status == 200


async def test_banned_creator_cannot_post(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("banned")
    patch = sandbox.operator.patch(
        f"/_sandbox/creators/{creator['open_id']}", json={"banned": True}
    )
    patch.raise_for_status()
    async with posting_client(sandbox, creator["access_token"]) as client:
        with pytest.raises(errors.SpamRiskUserBannedFromPosting) as at_info:
            await client.creator_info()
        assert at_info.value.http_status == 200
        with pytest.raises(errors.SpamRiskUserBannedFromPosting):
            await client.init_video(mode="inbox", post_info=None, chunk_plan=SMALL)


async def test_sixth_pending_draft_is_refused(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("drafty")
    async with posting_client(sandbox, creator["access_token"]) as client:
        for _ in range(5):
            await client.init_video(mode="inbox", post_info=None, chunk_plan=SMALL)
        with pytest.raises(errors.SpamRiskTooManyPendingShare) as caught:
            await client.init_video(mode="inbox", post_info=None, chunk_plan=SMALL)
    assert caught.value.http_status == 403


async def test_active_user_cap(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(unaudited_active_user_cap=1) as sandbox:
        first = sandbox.create_creator("first")
        second = sandbox.create_creator("second")
        async with posting_client(sandbox, first["access_token"]) as client:
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
        async with posting_client(sandbox, second["access_token"]) as client:
            with pytest.raises(errors.ReachedActiveUserCap):
                await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
            with pytest.raises(errors.ReachedActiveUserCap):
                await client.creator_info()


async def test_unknown_and_foreign_publish_ids(sandbox: RunningSandbox) -> None:
    owner = sandbox.create_creator("owner")
    other = sandbox.create_creator("other")
    async with posting_client(sandbox, owner["access_token"]) as client:
        init = await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
        with pytest.raises(errors.InvalidPublishId) as unknown:
            await client.fetch_status("v_pub_file~v2-1.123456789")
        assert unknown.value.http_status == 400
        with pytest.raises(errors.InvalidPublishId):
            await client.cancel("v_pub_url~v2.123456789")
        # A FILE_UPLOAD task has no download to stop.
        with pytest.raises(errors.PublishNotCancellable):
            await client.cancel(init.publish_id)
    async with posting_client(sandbox, other["access_token"]) as client:
        with pytest.raises(errors.TokenNotAuthorizedForSpecifiedPublishId):
            await client.fetch_status(init.publish_id)
        with pytest.raises(errors.TokenNotAuthorizedForSpecifiedPublishId):
            await client.cancel(init.publish_id)


async def test_server_faults_are_retryable(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("unlucky")
    async with posting_client(sandbox, creator["access_token"]) as client:
        fault(sandbox, "status/fetch")
        with pytest.raises(errors.InternalError) as internal:
            await client.fetch_status("v_pub_file~v2-1.1")
        assert internal.value.http_status == 500
        assert internal.value.retryable
        fault(sandbox, "creator_info", status=503, code="service_unavailable")
        with pytest.raises(errors.TikTokError) as unknown:
            await client.creator_info()
        assert type(unknown.value) is errors.TikTokError
        assert unknown.value.code == "service_unavailable"
        assert unknown.value.retryable
        fault(sandbox, "video/init", status=400, code="some_new_rule")
        with pytest.raises(errors.TikTokError) as new_rule:
            await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=SMALL)
        assert not new_rule.value.retryable


async def test_gateway_pages_and_odd_bodies_are_tiktok_errors(media_origin: MediaOrigin) -> None:
    """A proxy in front of TikTok answers HTML; a JSON body may lack what we need."""
    media_origin.add("/v2/post/publish/status/fetch/", b"<h1>504</h1>", "text/html", 504)
    media_origin.add("/v2/post/publish/cancel/", b"", "text/plain", 502)
    media_origin.add(
        "/v2/post/publish/creator_info/query/",
        b'{"data": {}, "error": {"code": "ok"}}',
        "application/json",
    )
    media_origin.add("/v2/user/info/?fields=open_id", b"[1, 2]", "application/json")
    async with TikTokPostingClient(media_origin.url, "act.x") as client:
        with pytest.raises(errors.TikTokError) as gateway:
            await client.fetch_status("p")
        assert (gateway.value.code, gateway.value.http_status) == ("http_504", 504)
        assert gateway.value.retryable
        with pytest.raises(errors.TikTokError) as empty:
            await client.cancel("p")
        assert empty.value.retryable
        with pytest.raises(errors.TikTokError) as missing:
            await client.creator_info()
        assert missing.value.code == "invalid_response"
        with pytest.raises(errors.TikTokError) as not_object:
            await client.user_info(["open_id"])
        assert not not_object.value.retryable


def test_registry_covers_every_documented_code() -> None:
    documented = {
        "access_token_invalid": errors.AccessTokenInvalid,
        "scope_not_authorized": errors.ScopeNotAuthorized,
        "scope_permission_missed": errors.ScopePermissionMissed,
        "rate_limit_exceeded": errors.RateLimitExceeded,
        "internal_error": errors.InternalError,
        "invalid_file_upload": errors.InvalidFileUpload,
        "invalid_params": errors.InvalidParams,
        "invalid_param": errors.InvalidParams,
        "spam_risk_too_many_posts": errors.SpamRiskTooManyPosts,
        "spam_risk_user_banned_from_posting": errors.SpamRiskUserBannedFromPosting,
        "spam_risk_too_many_pending_share": errors.SpamRiskTooManyPendingShare,
        "reached_active_user_cap": errors.ReachedActiveUserCap,
        "unaudited_client_can_only_post_to_private_accounts": (
            errors.UnauditedClientCanOnlyPostToPrivateAccounts
        ),
        "url_ownership_unverified": errors.UrlOwnershipUnverified,
        "privacy_level_option_mismatch": errors.PrivacyLevelOptionMismatch,
        "app_version_check_failed": errors.AppVersionCheckFailed,
        "invalid_publish_id": errors.InvalidPublishId,
        "token_not_authorized_for_specified_publish_id": (
            errors.TokenNotAuthorizedForSpecifiedPublishId
        ),
        "publish_not_cancellable": errors.PublishNotCancellable,
    }
    for code, cls in documented.items():
        error = errors.posting_error(code, "m", log_id="L", http_status=400)
        assert type(error) is cls
        assert (error.code, error.message, error.log_id) == (code, "m", "L")
    retryable = {c for c, cls in documented.items() if cls("x").retryable}
    assert retryable == {"rate_limit_exceeded", "internal_error"}
    oauth = {
        "invalid_grant": errors.InvalidGrant,
        "invalid_client": errors.InvalidClient,
        "invalid_request": errors.InvalidRequest,
        "invalid_scope": errors.InvalidScope,
        "unauthorized_client": errors.UnauthorizedClient,
        "unsupported_grant_type": errors.UnsupportedGrantType,
        "access_denied": errors.AccessDenied,
        "server_error": errors.ServerError,
        "temporarily_unavailable": errors.TemporarilyUnavailable,
    }
    for code, oauth_cls in oauth.items():
        assert type(errors.oauth_error(code)) is oauth_cls
        assert isinstance(errors.oauth_error(code), errors.OAuthError)
    assert {c for c, k in oauth.items() if k("x").retryable} == {
        "server_error",
        "temporarily_unavailable",
    }


def test_upload_statuses_worth_sending_again_are_retryable() -> None:
    """408 (the server stopped waiting for the body), 429 and 5xx: the chunk was not kept,
    so it is sent again; a malformed or out-of-step chunk (400, 416) is not."""
    for status in (408, 429, 500, 503):
        assert errors.upload_error(status).retryable, status
    for status in (400, 403, 404, 416):
        assert not errors.upload_error(status).retryable, status
