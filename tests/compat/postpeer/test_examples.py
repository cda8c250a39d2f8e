"""Every example of PostPeer's TikTok page, run by curl as written there (host, key, account
id and CDN swapped), against a real tikpost and its sandbox: each post is published once."""

from __future__ import annotations

import json

from tests.compat.postpeer.helpers import Started, run_curl
from tests.service.conftest import SQLITE_ONLY
from tests.service.publishing_helpers import sandbox_posts
from tikpost.compat.postpeer import schemas

pytestmark = SQLITE_ONLY

CONNECT = """curl https://api.postpeer.dev/v1/connect/tiktok \\
  -H "x-access-key: YOUR_API_KEY"
"""

PUBLISH = """curl -X POST "https://api.postpeer.dev/v1/posts" \\
  -H "x-access-key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "content": "Quick tutorial! #coding #devtips",
    "platforms": [
      { "platform": "tiktok", "accountId": "tt_321" }
    ],
    "mediaItems": [
      { "type": "video", "url": "https://cdn.example.com/video.mp4" }
    ],
    "publishNow": true
  }'
"""

# The page's platform entry with TikTok options, put in the publish example's place.
TIKTOK_ENTRY = """{
	"platform": "tiktok",
	"accountId": "tt_321",
	"platformSpecificData": {
		"privacyLevel": "PUBLIC_TO_EVERYONE",
		"disableComment": false,
		"disableDuet": false,
		"disableStitch": false,
		"draft": false
	}
}"""

CREATOR_INFO = """curl "https://api.postpeer.dev/v1/tiktok/creator-info?accountId=tt_321" \\
  -H "x-access-key: YOUR_API_KEY"
"""

CROSS_POST = """curl -X POST "https://api.postpeer.dev/v1/posts" \\
  -H "x-access-key: YOUR_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "content": "New tutorial out now!",
    "platforms": [
      { "platform": "tiktok", "accountId": "tt_321" },
      { "platform": "youtube", "accountId": "yt_789", "platformSpecificData": { "title": "New Tutorial", "privacyStatus": "public" } },
      { "platform": "instagram", "accountId": "ig_456" }
    ],
    "mediaItems": [
      { "type": "video", "url": "https://cdn.example.com/vertical.mp4" }
    ],
    "publishNow": true
  }'
"""  # noqa: E501  (as the page writes it)


def _connect(started: Started, username: str) -> str:
    return started.postpeer.connect(username)


def _set_default_privacy(started: Started, account_id: str, level: str) -> None:
    answer = started.native.patch(
        f"/v1/accounts/{account_id}", json={"default_privacy_level": level}
    )
    assert answer.status_code == 200, answer.text


def test_connect_example_gives_tiktoks_consent_url(started: Started) -> None:
    status, body = run_curl(CONNECT, started.swaps())
    assert status == 200, body
    connect = schemas.ConnectUrl.model_validate(body)
    assert "/sandbox/" in connect.url
    assert "client_key=" in connect.url


def test_publish_with_tiktok_options_is_published_once(started: Started) -> None:
    account_id = _connect(started, "optioned")
    entry = TIKTOK_ENTRY.replace("\t", "  ").replace("\n", "\n      ")
    command = PUBLISH.replace('{ "platform": "tiktok", "accountId": "tt_321" }', entry)
    status, body = run_curl(command, started.swaps(account_id))
    assert status == 200, body
    created = schemas.CreatePostResponse.model_validate(body)
    assert created.success
    assert created.status == "pending"
    assert [(p.platform, p.success) for p in created.platforms] == [("tiktok", True)]
    final = started.postpeer.wait(created.postId)
    schemas.PostPeerPost.model_validate(final)
    assert final["status"] == "published", final
    [platform] = final["platforms"]
    assert platform["status"] == "published"
    assert platform["errorMessage"] is None
    assert platform["publishedAt"] is not None
    [posted] = sandbox_posts(started.svc, "optioned")
    assert posted["status"] == "PUBLISH_COMPLETE"
    assert posted["post_info"]["title"] == "Quick tutorial! #coding #devtips"
    assert posted["post_info"]["privacy_level"] == "PUBLIC_TO_EVERYONE"


def test_publish_example_uses_the_accounts_default_privacy(started: Started) -> None:
    """The page's example names no privacy: the one a person set on the account is used."""
    account_id = _connect(started, "defaulted")
    _set_default_privacy(started, account_id, "MUTUAL_FOLLOW_FRIENDS")
    status, body = run_curl(PUBLISH, started.swaps(account_id))
    assert status == 200, body
    created = schemas.CreatePostResponse.model_validate(body)
    final = started.postpeer.wait(created.postId)
    assert final["status"] == "published", final
    [posted] = sandbox_posts(started.svc, "defaulted")
    assert posted["post_info"]["privacy_level"] == "MUTUAL_FOLLOW_FRIENDS"


def test_publish_example_without_any_privacy_waits_for_a_person(started: Started) -> None:
    """No privacy given and none set on the account: held as a draft, never guessed."""
    account_id = _connect(started, "undecided")
    status, body = run_curl(PUBLISH, started.swaps(account_id))
    assert status == 200, body
    created = schemas.CreatePostResponse.model_validate(body)
    assert created.status == "draft"
    post = started.postpeer.client.get(f"/v1/posts/{created.postId}").json()["post"]
    schemas.PostPeerPost.model_validate(post)
    assert "privacy_level_required" in post["platforms"][0]["errorMessage"]
    assert sandbox_posts(started.svc, "undecided") == []


def test_creator_info_example(started: Started) -> None:
    account_id = _connect(started, "informed")
    status, body = run_curl(CREATOR_INFO, started.swaps(account_id))
    assert status == 200, body
    info = schemas.CreatorInfo.model_validate(body)
    assert "PUBLIC_TO_EVERYONE" in info.privacyLevelOptions
    assert info.maxVideoPostDurationSec > 0


def test_cross_post_example_publishes_to_tiktok_and_refuses_the_others(started: Started) -> None:
    account_id = _connect(started, "crossposter")
    _set_default_privacy(started, account_id, "SELF_ONLY")
    status, body = run_curl(CROSS_POST, started.swaps(account_id))
    assert status == 200, body
    created = schemas.CreatePostResponse.model_validate(body)
    assert created.success
    assert created.status == "partial"
    results = {p.platform: p for p in created.platforms}
    assert results["tiktok"].success
    assert results["tiktok"].error is None
    for other in ("youtube", "instagram"):
        assert not results[other].success
        assert "TikTok only" in (results[other].error or "")
    final = started.postpeer.wait(created.postId)
    assert final["status"] == "published", json.dumps(final)
    [posted] = sandbox_posts(started.svc, "crossposter")
    assert posted["status"] == "PUBLISH_COMPLETE"
