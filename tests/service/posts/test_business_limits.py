"""The Business API's 1 GB cap, as the rule applies it: a video that size cannot be made for each
run of the suite, so the rule is given the size such a video's media row would have."""

from __future__ import annotations

import pytest

from tikpost.accounts.models import Account, AccountApi
from tikpost.kit.errors import ApiError
from tikpost.posts import business_rules


def test_a_video_over_1_gb_is_refused_for_a_business_account_only() -> None:
    business = Account(team_id="team", open_id="b", api=AccountApi.BUSINESS)
    creator = Account(team_id="team", open_id="c", api=AccountApi.CONTENT_POSTING)
    business_rules.check_size(business, business_rules.MAX_VIDEO_BYTES)
    business_rules.check_size(creator, business_rules.MAX_VIDEO_BYTES + 1)
    with pytest.raises(ApiError) as refused:
        business_rules.check_size(business, business_rules.MAX_VIDEO_BYTES + 1)
    error = refused.value
    assert (error.status, error.code, error.field) == (
        422,
        "video_too_large_for_business_api",
        "video",
    )
    assert error.details == {"value": 2**30 + 1, "limit": 2**30}
