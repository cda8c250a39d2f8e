"""A team with a connected sandbox account and a video, for the posts, review and calendar
pages' tests (posts are made through the API, as a pipeline would)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.api import Api
from tests.support.dashboard import RunningDashboard, Team


@dataclass
class Posting:
    team: Team
    api: Api
    account: dict[str, Any]
    video: dict[str, Any]

    def post(self, **body: Any) -> dict[str, Any]:
        fields = {"account_id": self.account["id"], "video": self.video["id"]}
        return self.api.post(**{**fields, "privacy_level": "SELF_ONLY", **body})


def posting(dashboard: RunningDashboard, video: Path, username: str) -> Posting:
    team = dashboard.new_team()
    api = dashboard.api(team.key)
    account = api.connect_account(username)
    return Posting(team, api, account, api.upload(video))
