"""`tikpost post --review` holds the post for a person; `--no-review` overrides the team."""

from __future__ import annotations

import re

import httpx
from typer.testing import CliRunner

from tests.conftest import VideoFiles
from tests.service.conftest import SQLITE_ONLY, RunningService
from tests.service.publishing_helpers import connect_account
from tikpost.cli import app as cli_app

pytestmark = SQLITE_ONLY


def test_review_flags(svc: RunningService, sandbox_api: httpx.Client, videos: VideoFiles) -> None:
    connect_account(sandbox_api, "cli_reviewed")
    env = {"TIKPOST_API_KEY": str(sandbox_api.headers["X-API-Key"]), "TIKPOST_URL": svc.url}
    base = ["post", str(videos.good), "--account", "@cli_reviewed", "--privacy", "SELF_ONLY"]
    held = CliRunner().invoke(cli_app, [*base, "--review"], env=env)
    assert held.exit_code == 0, held.output
    assert re.search(r"post post_\w+ awaiting_review", held.stdout), held.stdout
    assert sandbox_api.patch("/v1/team", json={"review_by_default": True}).status_code == 200
    direct = CliRunner().invoke(cli_app, [*base, "--no-review"], env=env)
    assert direct.exit_code == 0, direct.output
    assert re.search(r"post post_\w+ queued", direct.stdout), direct.stdout
