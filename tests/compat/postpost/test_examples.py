"""Every example of PostPost's TikTok page, verbatim, against tikpost: each makes a post group
that, given its video, is published on the (sandbox) TikTok exactly once, as it asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.postpost.examples import EXAMPLES, Example
from tests.compat.postpost.helpers import PREFIX, PostPost
from tests.compat.postpost.runner import group_of, run, swapped
from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example_makes_a_draft_that_publishes_once(
    postpost: PostPost, videos: VideoFiles, tmp_path: Path, example: Example
) -> None:
    code = swapped(
        example, f"{postpost.service.url}{PREFIX}", postpost.key, postpost.account["open_id"]
    )
    group = group_of(run(example, code, tmp_path))

    # No scheduledTime: PostPost's draft, waiting for its video; nothing sent to TikTok.
    [draft] = postpost.get(group)["posts"]
    assert draft["status"] == "draft"
    assert draft["platformId"] == postpost.account["open_id"]
    assert postpost.sandbox_posts() == []

    final = postpost.publish(group, videos.good)
    assert final["status"] == "published", final
    [published] = postpost.sandbox_posts()
    assert published["status"] == "PUBLISH_COMPLETE"
    info = published["post_info"]
    assert info["title"] == draft["content"]
    assert info["privacy_level"] == example.viewer_setting
    # allowComments: true, allowDuet/allowStitch: false, as the examples say (not inverted).
    assert info["disable_comment"] is False
    assert info["disable_duet"] is True
    assert info["disable_stitch"] is True
    assert final["postedId"]
