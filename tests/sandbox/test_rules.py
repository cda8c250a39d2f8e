"""TikTok's init rules over raw HTTP, each answered with TikTok's code, status and envelope."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.conftest import RunningSandbox, SandboxFactory
from tests.sandbox.helpers import bearer, error_code, init_file
from tests.support.waiting import wait_until

PUBLIC = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


def test_creator_info_reflects_the_creator(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("info_me", nickname="Info Me", max_video_post_duration_sec=300)
    with bearer(sandbox.url, creator["access_token"]) as api:
        response = api.post("/v2/post/publish/creator_info/query/")
    assert response.status_code == 200
    body = response.json()
    assert body["error"]["code"] == "ok"
    assert len(body["error"]["log_id"]) == 34
    data = body["data"]
    assert data["creator_username"] == "info_me"
    assert data["creator_nickname"] == "Info Me"
    assert data["privacy_level_options"] == [
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert data["max_video_post_duration_sec"] == 300
    # Private accounts cannot be dueted or stitched.
    assert data["duet_disabled"] is True
    assert data["stitch_disabled"] is True


def test_missing_and_wrong_tokens_are_401(sandbox: RunningSandbox) -> None:
    no_token = sandbox.operator.post("/v2/post/publish/creator_info/query/")
    assert no_token.status_code == 401
    assert error_code(no_token) == "access_token_invalid"
    with bearer(sandbox.url, "act.not-a-token") as api:
        assert error_code(api.post("/v2/post/publish/video/init/", json={})) == (
            "access_token_invalid"
        )


def test_scopes_decide_direct_post_versus_inbox(sandbox: RunningSandbox) -> None:
    uploader = sandbox.create_creator("uploader", scope="user.info.basic,video.upload")
    publisher = sandbox.create_creator("publisher", scope="user.info.basic,video.publish")
    with bearer(sandbox.url, uploader["access_token"]) as api:
        direct = init_file(api, 1000)
        assert (direct.status_code, error_code(direct)) == (401, "scope_not_authorized")
        assert init_file(api, 1000, inbox=True).status_code == 200
    with bearer(sandbox.url, publisher["access_token"]) as api:
        inbox = init_file(api, 1000, inbox=True)
        assert (inbox.status_code, error_code(inbox)) == (401, "scope_not_authorized")
        assert init_file(api, 1000).status_code == 200


def test_privacy_level_must_be_offered(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("private_one")
    with bearer(sandbox.url, creator["access_token"]) as api:
        wrong = init_file(api, 1000, privacy="PUBLIC_TO_EVERYONE")
        missing = api.post(
            "/v2/post/publish/video/init/",
            json={
                "post_info": {"title": "x"},
                "source_info": {
                    "source": "FILE_UPLOAD",
                    "video_size": 10,
                    "chunk_size": 10,
                    "total_chunk_count": 1,
                },
            },
        )
    for response in (wrong, missing):
        assert response.status_code == 403
        assert error_code(response) == "privacy_level_option_mismatch"


def test_unaudited_app_posts_only_self_only_to_private_accounts(sandbox: RunningSandbox) -> None:
    public = sandbox.create_creator("public_one", privacy_level_options=PUBLIC)
    private = sandbox.create_creator("private_two")
    with bearer(sandbox.url, public["access_token"]) as api:
        self_only_on_public = init_file(api, 1000, privacy="SELF_ONLY")
    with bearer(sandbox.url, private["access_token"]) as api:
        followers_on_private = init_file(api, 1000, privacy="FOLLOWER_OF_CREATOR")
        assert init_file(api, 1000, privacy="SELF_ONLY").status_code == 200
    for response in (self_only_on_public, followers_on_private):
        assert response.status_code == 403
        assert error_code(response) == "unaudited_client_can_only_post_to_private_accounts"


def test_audited_app_posts_publicly(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(audited=True) as sandbox:
        creator = sandbox.create_creator("public_star")
        with bearer(sandbox.url, creator["access_token"]) as api:
            assert init_file(api, 1000, privacy="PUBLIC_TO_EVERYONE").status_code == 200


def test_unaudited_app_may_have_only_five_posting_users(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(unaudited_active_user_cap=2, access_token_ttl_sec=10**6) as sandbox:
        tokens = [sandbox.create_creator(f"user{i}")["access_token"] for i in range(3)]
        for token in tokens[:2]:
            with bearer(sandbox.url, token) as api:
                assert init_file(api, 1000).status_code == 200
        with bearer(sandbox.url, tokens[2]) as api:
            capped = init_file(api, 1000)
            info = api.post("/v2/post/publish/creator_info/query/")
        assert (capped.status_code, error_code(capped)) == (403, "reached_active_user_cap")
        assert (info.status_code, error_code(info)) == (200, "reached_active_user_cap")
        sandbox.advance_clock(86401)
        with bearer(sandbox.url, tokens[2]) as api:
            assert init_file(api, 1000).status_code == 200


@pytest.mark.parametrize(
    ("title", "accepted"),
    [("a" * 2200, True), ("a" * 2201, False), ("😀" * 1100, True), ("😀" * 1101, False)],
)
def test_video_title_length_counts_utf16_units(
    sandbox: RunningSandbox, title: str, accepted: bool
) -> None:
    creator = sandbox.create_creator("titler")
    with bearer(sandbox.url, creator["access_token"]) as api:
        response = init_file(api, 1000, title=title)
    if accepted:
        assert response.status_code == 200
    else:
        assert (response.status_code, error_code(response)) == (400, "invalid_params")


def test_invalid_param_spelling_is_configurable(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(invalid_params_code="invalid_param") as sandbox:
        creator = sandbox.create_creator("speller")
        with bearer(sandbox.url, creator["access_token"]) as api:
            response = api.post("/v2/post/publish/video/init/", content=b"{not json")
        assert (response.status_code, error_code(response)) == (400, "invalid_param")


MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("video_size", "chunk_size", "count", "ok"),
    [
        (4 * MIB, 4 * MIB, 1, True),  # under 5 MiB: one chunk of the whole size
        (4 * MIB, 1 * MIB, 4, False),  # small files may not be split
        (50_000_123, 10_000_000, 5, True),  # TikTok's worked example
        (50_000_123, 10_000_000, 6, False),  # count must be floor(size / chunk)
        (50_000_123, 4 * MIB, 11, False),  # chunk below 5 MiB
        (200_000_000, 64_000_001, 3, False),  # chunk above 64 MB
        (64_000_000, 64_000_000, 1, True),
        (100_000_000, 64_000_000, 1, False),  # files over 64 MB must be multi-chunk
        (15_000_000, 10_000_000, 1, False),  # one chunk must be the whole file
        (120_000_000, 40_000_000, 3, True),
        (130_000_000, 64_000_000, 2, True),
        (192_000_001, 64_000_000, 2, False),  # final chunk 128,000,001 > 128 MB
        (6 * MIB, 5 * MIB, 1, False),  # floor count 1, but chunk_size is not the file
        (6 * MIB, 6 * MIB, 1, True),
        (0, 0, 0, False),
        (5 * 1024 * MIB, 64_000_000, 83, False),  # over 4 GB
    ],
)
def test_chunk_rules(
    sandbox: RunningSandbox, video_size: int, chunk_size: int, count: int, ok: bool
) -> None:
    creator = sandbox.create_creator("chunker")
    source = {
        "source": "FILE_UPLOAD",
        "video_size": video_size,
        "chunk_size": chunk_size,
        "total_chunk_count": count,
    }
    with bearer(sandbox.url, creator["access_token"]) as api:
        response = api.post("/v2/post/publish/inbox/video/init/", json={"source_info": source})
    if ok:
        assert response.status_code == 200, response.text
        assert response.json()["data"]["upload_url"]
    else:
        assert (response.status_code, error_code(response)) == (400, "invalid_params")


def test_rate_limit_is_per_token_per_endpoint(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("hasty")
    other = sandbox.create_creator("calm")
    with bearer(sandbox.url, creator["access_token"]) as api:
        for _ in range(6):
            assert init_file(api, 1000).status_code == 200
        limited = init_file(api, 1000)
        assert (limited.status_code, error_code(limited)) == (429, "rate_limit_exceeded")
        # Another endpoint has its own window.
        assert api.post("/v2/post/publish/creator_info/query/").status_code == 200
    with bearer(sandbox.url, other["access_token"]) as api:
        assert init_file(api, 1000).status_code == 200
    sandbox.advance_clock(61)
    with bearer(sandbox.url, creator["access_token"]) as api:
        assert init_file(api, 1000).status_code == 200


def test_daily_post_cap(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(daily_post_cap=2, access_token_ttl_sec=10**6) as sandbox:
        creator = sandbox.create_creator("prolific")
        with bearer(sandbox.url, creator["access_token"]) as api:
            for _ in range(2):
                assert init_file(api, 1000).status_code == 200
            capped = init_file(api, 1000)
            info = api.post("/v2/post/publish/creator_info/query/")
            assert (capped.status_code, error_code(capped)) == (403, "spam_risk_too_many_posts")
            assert (info.status_code, error_code(info)) == (200, "spam_risk_too_many_posts")
            sandbox.advance_clock(86401)
            assert init_file(api, 1000).status_code == 200


def test_pending_inbox_cap(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("drafty")
    with bearer(sandbox.url, creator["access_token"]) as api:
        for _ in range(5):
            assert init_file(api, 1000, inbox=True).status_code == 200
        sandbox.advance_clock(61)  # past the rate window, not past the day
        capped = init_file(api, 1000, inbox=True)
    assert (capped.status_code, error_code(capped)) == (403, "spam_risk_too_many_pending_share")


def test_banned_creator(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("naughty")
    sandbox.operator.patch(f"/_sandbox/creators/{creator['open_id']}", json={"banned": True})
    with bearer(sandbox.url, creator["access_token"]) as api:
        info = api.post("/v2/post/publish/creator_info/query/")
        init = init_file(api, 1000)
    assert (info.status_code, error_code(info)) == (200, "spam_risk_user_banned_from_posting")
    assert (init.status_code, error_code(init)) == (403, "spam_risk_user_banned_from_posting")


def test_publish_id_must_exist_and_belong_to_the_token(sandbox: RunningSandbox) -> None:
    owner = sandbox.create_creator("owner")
    stranger = sandbox.create_creator("stranger")
    with bearer(sandbox.url, owner["access_token"]) as api:
        publish_id = init_file(api, 1000).json()["data"]["publish_id"]
        unknown = api.post("/v2/post/publish/status/fetch/", json={"publish_id": "v_pub_file~x"})
        not_cancellable = api.post("/v2/post/publish/cancel/", json={"publish_id": publish_id})
    with bearer(sandbox.url, stranger["access_token"]) as api:
        foreign = api.post("/v2/post/publish/status/fetch/", json={"publish_id": publish_id})
    assert (unknown.status_code, error_code(unknown)) == (400, "invalid_publish_id")
    assert (foreign.status_code, error_code(foreign)) == (
        400,
        "token_not_authorized_for_specified_publish_id",
    )
    assert (not_cancellable.status_code, error_code(not_cancellable)) == (
        400,
        "publish_not_cancellable",
    )


def test_injected_faults_and_latency(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("unlucky")
    fault = {"endpoint": "creator_info", "error_rate": 1.0, "latency_ms": 10}
    assert sandbox.operator.post("/_sandbox/faults", json=fault).status_code == 200
    with bearer(sandbox.url, creator["access_token"]) as api:
        failed = api.post("/v2/post/publish/creator_info/query/")
        assert (failed.status_code, error_code(failed)) == (500, "internal_error")
        assert init_file(api, 1000).status_code == 200
        sandbox.operator.delete("/_sandbox/faults")
        assert api.post("/v2/post/publish/creator_info/query/").status_code == 200
    bad = sandbox.operator.post("/_sandbox/faults", json={"endpoint": "nope", "error_rate": 1})
    assert bad.status_code == 422


def test_clearing_the_faults_lets_a_held_request_go_on_unfailed(sandbox: RunningSandbox) -> None:
    """A request a latency holds (a minute here) is let go by DELETE /faults: it answers
    at once, and as if the fault had never been there."""
    creator = sandbox.create_creator("held")
    fault = {"endpoint": "creator_info", "error_rate": 1.0, "latency_ms": 60_000}
    sandbox.operator.post("/_sandbox/faults", json=fault).raise_for_status()
    answers: list[httpx.Response] = []

    def ask() -> None:
        with bearer(sandbox.url, creator["access_token"]) as api:
            answers.append(api.post("/v2/post/publish/creator_info/query/"))

    asking = threading.Thread(target=ask)
    asking.start()
    wait_until(
        lambda: sandbox.operator.get("/_sandbox/faults").json()["held"].get("creator_info"),
        "the request held",
    )
    sandbox.operator.delete("/_sandbox/faults").raise_for_status()
    asking.join(timeout=10)
    assert not asking.is_alive(), "the held request was not let go"
    [answer] = answers
    assert answer.status_code == 200, answer.text
    assert sandbox.operator.get("/_sandbox/faults").json() == {"faults": {}, "held": {}}


def test_operator_expires_a_token(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("expiring")
    sandbox.operator.post(
        "/_sandbox/tokens/expire", json={"access_token": creator["access_token"]}
    ).raise_for_status()
    with bearer(sandbox.url, creator["access_token"]) as api:
        response = api.post("/v2/post/publish/creator_info/query/")
    assert (response.status_code, error_code(response)) == (401, "access_token_invalid")


def test_scope_the_app_is_not_approved_for(sandbox_factory: SandboxFactory) -> None:
    approved = frozenset({"user.info.basic", "video.upload"})
    with sandbox_factory(app_scopes=approved) as sandbox:
        creator = sandbox.create_creator("unapproved")
        with bearer(sandbox.url, creator["access_token"]) as api:
            response = api.post("/v2/post/publish/creator_info/query/")
    assert (response.status_code, error_code(response)) == (400, "scope_permission_missed")


def test_photo_drafts_need_a_recent_tiktok_app(sandbox_factory: SandboxFactory) -> None:
    with sandbox_factory(verified_url_prefixes=["https://cdn.example/"]) as sandbox:
        creator = sandbox.create_creator("old_phone")
        sandbox.operator.patch(
            f"/_sandbox/creators/{creator['open_id']}", json={"app_version": "30.2.1"}
        ).raise_for_status()
        with bearer(sandbox.url, creator["access_token"]) as api:
            response = api.post(
                "/v2/post/publish/content/init/",
                json={
                    "media_type": "PHOTO",
                    "post_mode": "MEDIA_UPLOAD",
                    "post_info": {"title": "drafts"},
                    "source_info": {
                        "source": "PULL_FROM_URL",
                        "photo_images": ["https://cdn.example/a.jpg"],
                        "photo_cover_index": 0,
                    },
                },
            )
    assert (response.status_code, error_code(response)) == (400, "app_version_check_failed")
