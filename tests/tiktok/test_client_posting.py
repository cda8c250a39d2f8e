"""Happy paths of the posting client against the sandbox, all over real HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import RunningSandbox, SandboxFactory, VideoFiles
from tests.tiktok.conftest import MediaOrigin, file_pieces, posting_client, wait_for_status
from tikpost.sandbox.samples import make_jpeg
from tikpost.tiktok import (
    CreatorInfo,
    PhotoPostInfo,
    PostInfo,
    TikTokPostingClient,
    UserInfo,
    errors,
    plan_chunks,
    upload_chunks,
)

PRIVATE = PostInfo(title="hello #sandbox", privacy_level="SELF_ONLY", disable_comment=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_user_info_returns_requested_fields(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator("info_user", nickname="Info User")
    async with posting_client(sandbox, creator["access_token"]) as client:
        user = await client.user_info()
        narrow = await client.user_info(["open_id", "display_name"])
    assert user == UserInfo(
        open_id=creator["open_id"],
        union_id=user.union_id,
        avatar_url=user.avatar_url,
        display_name="Info User",
        username="info_user",
    )
    assert user.union_id
    assert user.avatar_url
    assert narrow.username is None
    assert narrow.display_name == "Info User"


async def test_creator_info_reflects_the_creator(sandbox: RunningSandbox) -> None:
    creator = sandbox.create_creator(
        "ci_user", nickname="CI", max_video_post_duration_sec=180, comment_disabled=True
    )
    async with posting_client(sandbox, creator["access_token"]) as client:
        info = await client.creator_info()
    assert isinstance(info, CreatorInfo)
    assert info.creator_username == "ci_user"
    assert info.creator_nickname == "CI"
    assert info.privacy_level_options == [
        "FOLLOWER_OF_CREATOR",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    ]
    assert info.comment_disabled is True
    assert info.duet_disabled
    assert info.stitch_disabled
    assert info.max_video_post_duration_sec == 180


async def test_direct_file_upload_publishes(sandbox: RunningSandbox, videos: VideoFiles) -> None:
    creator = sandbox.create_creator("direct")
    size = videos.good.stat().st_size
    plan = plan_chunks(size)
    progress: list[int] = []
    async with posting_client(sandbox, creator["access_token"]) as client:
        init = await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=plan)
        assert init.publish_id.startswith("v_pub_file~")
        assert init.upload_url
        assert init.chunk_plan == plan
        assert (await client.fetch_status(init.publish_id)).status == "PROCESSING_UPLOAD"
        await upload_chunks(
            init.upload_url, plan, file_pieces(videos.good), on_progress=progress.append
        )
        status = await wait_for_status(client, init.publish_id)
    assert status.status == "PUBLISH_COMPLETE", status
    assert status.is_final
    assert status.is_complete
    assert status.uploaded_bytes == size
    assert status.publicaly_available_post_id == []  # SELF_ONLY posts stay invisible
    assert progress == [size]
    [post] = sandbox.posts(creator["open_id"])
    assert post["media"]["sha256"] == sha256(videos.good)
    assert post["post_info"] == {
        "title": "hello #sandbox",
        "privacy_level": "SELF_ONLY",
        "disable_comment": True,
        "brand_content_toggle": False,
        "brand_organic_toggle": False,
        "is_aigc": False,
    }


async def test_public_post_on_audited_app_gets_a_post_id(
    sandbox_factory: SandboxFactory, videos: VideoFiles
) -> None:
    with sandbox_factory(audited=True) as sandbox:
        creator = sandbox.create_creator("public_star")
        async with posting_client(sandbox, creator["access_token"]) as client:
            info = await client.creator_info()
            assert "PUBLIC_TO_EVERYONE" in info.privacy_level_options
            post_info = PostInfo(privacy_level="PUBLIC_TO_EVERYONE", video_cover_timestamp_ms=500)
            init = await client.init_video(
                mode="direct", post_info=post_info, video_size=videos.good.stat().st_size
            )
            assert init.upload_url
            assert init.chunk_plan
            await upload_chunks(init.upload_url, init.chunk_plan, file_pieces(videos.good))
            status = await wait_for_status(client, init.publish_id)
    assert status.status == "PUBLISH_COMPLETE"
    assert len(status.publicaly_available_post_id) == 1


async def test_inbox_upload_lands_in_the_inbox(sandbox: RunningSandbox, videos: VideoFiles) -> None:
    creator = sandbox.create_creator("drafter")
    plan = plan_chunks(videos.good.stat().st_size)
    async with posting_client(sandbox, creator["access_token"]) as client:
        init = await client.init_video(mode="inbox", post_info=PRIVATE, chunk_plan=plan)
        assert init.publish_id.startswith("v_inbox_file~")
        assert init.upload_url
        await upload_chunks(init.upload_url, plan, file_pieces(videos.good))
        status = await wait_for_status(client, init.publish_id)
        assert status.status == "SEND_TO_USER_INBOX"
        assert status.is_final
        assert status.is_in_inbox
        [post] = sandbox.posts(creator["open_id"])
        assert post["post_mode"] == "MEDIA_UPLOAD"
        assert post["post_info"] == {}  # inbox init sends no post_info
        completed = sandbox.operator.post(f"/_sandbox/posts/{init.publish_id}/complete")
        completed.raise_for_status()
        assert (await client.fetch_status(init.publish_id)).status == "PUBLISH_COMPLETE"


async def test_pull_from_url_publishes(
    sandbox_factory: SandboxFactory, videos: VideoFiles, media_origin: MediaOrigin
) -> None:
    video_url = media_origin.add("/media/good.mp4", videos.good.read_bytes())
    with sandbox_factory(verified_url_prefixes=[media_origin.url + "/"]) as sandbox:
        creator = sandbox.create_creator("puller")
        async with posting_client(sandbox, creator["access_token"]) as client:
            init = await client.init_video(mode="direct", post_info=PRIVATE, video_url=video_url)
            assert init.publish_id.startswith("v_pub_url~")
            assert init.upload_url is None
            status = await wait_for_status(client, init.publish_id)
        assert status.status == "PUBLISH_COMPLETE", status
        assert status.downloaded_bytes == videos.good.stat().st_size
        [post] = sandbox.posts(creator["open_id"])
        assert post["source"] == "PULL_FROM_URL"
        assert post["media"]["sha256"] == sha256(videos.good)
    assert media_origin.requests == ["/media/good.mp4"]


async def test_inbox_pull_from_url(
    sandbox_factory: SandboxFactory, videos: VideoFiles, media_origin: MediaOrigin
) -> None:
    video_url = media_origin.add("/media/draft.mp4", videos.good.read_bytes())
    with sandbox_factory(verified_url_prefixes=[media_origin.url + "/"]) as sandbox:
        creator = sandbox.create_creator("inbox_puller")
        async with posting_client(sandbox, creator["access_token"]) as client:
            init = await client.init_video(mode="inbox", post_info=None, video_url=video_url)
            assert init.publish_id.startswith("v_inbox_url~")
            status = await wait_for_status(client, init.publish_id)
    assert status.status == "SEND_TO_USER_INBOX"


async def test_photo_carousel_direct_and_inbox(
    sandbox_factory: SandboxFactory, media_origin: MediaOrigin
) -> None:
    urls = [media_origin.add(f"/p/{i}.jpg", make_jpeg(shade=i), "image/jpeg") for i in range(3)]
    with sandbox_factory(verified_url_prefixes=[media_origin.url + "/p/"]) as sandbox:
        creator = sandbox.create_creator("photographer")
        async with posting_client(sandbox, creator["access_token"]) as client:
            direct = await client.init_photos(
                mode="direct",
                post_info=PhotoPostInfo(
                    title="three", description="a carousel", privacy_level="SELF_ONLY"
                ),
                photo_urls=urls,
                cover_index=1,
            )
            assert direct.publish_id.startswith("p_pub_url~")
            assert direct.upload_url is None
            draft = await client.init_photos(
                mode="inbox", post_info=PhotoPostInfo(title="draft"), photo_urls=urls[:1]
            )
            assert (await wait_for_status(client, direct.publish_id)).is_complete
            assert (await wait_for_status(client, draft.publish_id)).is_in_inbox
        posts = {p["publish_id"]: p for p in sandbox.posts(creator["open_id"])}
    assert posts[direct.publish_id]["media_type"] == "PHOTO"
    assert posts[direct.publish_id]["post_mode"] == "DIRECT_POST"
    assert posts[direct.publish_id]["photo_cover_index"] == 1
    assert posts[direct.publish_id]["post_info"]["description"] == "a carousel"
    assert posts[draft.publish_id]["post_mode"] == "MEDIA_UPLOAD"


async def test_cancel_stops_a_pull_in_progress(
    sandbox_factory: SandboxFactory, videos: VideoFiles, media_origin: MediaOrigin
) -> None:
    video_url = media_origin.add("/slow.mp4", videos.good.read_bytes())
    release = media_origin.hold("/slow.mp4")
    with sandbox_factory(verified_url_prefixes=[media_origin.url + "/"]) as sandbox:
        creator = sandbox.create_creator("canceller")
        async with posting_client(sandbox, creator["access_token"]) as client:
            init = await client.init_video(mode="direct", post_info=PRIVATE, video_url=video_url)
            assert (await client.fetch_status(init.publish_id)).status == "PROCESSING_DOWNLOAD"
            await client.cancel(init.publish_id)
            status = await client.fetch_status(init.publish_id)
            assert status.status == "FAILED"
            assert status.fail_reason == "publish_cancelled"
            assert status.is_final
            assert not status.failure_is_retryable
            with pytest.raises(errors.PublishNotCancellable) as again:
                await client.cancel(init.publish_id)
            assert again.value.http_status == 400
        release.set()


async def test_failed_processing_reports_the_reason(
    sandbox: RunningSandbox, videos: VideoFiles
) -> None:
    creator = sandbox.create_creator("low_fps")
    plan = plan_chunks(videos.low_fps.stat().st_size)
    async with TikTokPostingClient(sandbox.url + "/", creator["access_token"]) as client:
        init = await client.init_video(mode="direct", post_info=PRIVATE, chunk_plan=plan)
        assert init.upload_url
        await upload_chunks(init.upload_url, plan, file_pieces(videos.low_fps))
        status = await wait_for_status(client, init.publish_id)
    assert status.is_failed
    assert status.fail_reason == "frame_rate_check_failed"
