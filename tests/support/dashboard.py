"""Driving the dashboard's test server: teams, keys, links, and time moved for idle tests.

The `dashboard` fixture (tests/dashboard/conftest.py) yields a RunningDashboard.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import create_engine, update
from typer.testing import CliRunner

from tests.support.api import Api
from tests.support.browser import Driver, wait_for
from tikpost.cli import app as cli_app
from tikpost.kit.db import utcnow
from tikpost.settings import Settings
from tikpost.teams.models import DashboardSession, SignInLink


@dataclass(frozen=True)
class Team:
    name: str
    key: str


@dataclass
class RunningDashboard:
    """The service in sandbox mode on a real socket, with the operator's CLI beside it."""

    url: str
    settings: Settings

    def cli(self, *args: str) -> str:
        """`tikpost ARGS…` against this server's database; returns stdout (exit 0 asserted)."""
        env = {
            "TIKPOST_DATA_DIR": str(self.settings.data_dir),
            "TIKPOST_DATABASE_URL": self.settings.database_url,
            "TIKPOST_PUBLIC_URL": self.url,
        }
        result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout.strip()

    def new_team(self, prefix: str = "team") -> Team:
        """A fresh team and its first key (`tikpost keys create`), so tests don't collide."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        return Team(name, self.cli("keys", "create", "--team", name))

    def api(self, key: str) -> Api:
        return Api(httpx.Client(base_url=self.url, headers={"X-API-Key": key}, timeout=30))

    def sign_in_link(self, team: str) -> str:
        return self.cli("dashboard-link", "--team", team)

    def _age(self, model: Any, column: str, by: timedelta) -> None:
        """Move every row's timestamp back in time: how a test lets a session idle out or a
        link expire without waiting (the server compares with the real clock)."""
        engine = create_engine(self.settings.database_url)
        try:
            with engine.begin() as connection:
                connection.execute(update(model).values({column: utcnow() - by}))
        finally:
            engine.dispose()

    def idle_all_sessions(self, by: timedelta) -> None:
        self._age(DashboardSession, "last_seen_at", by)

    def expire_all_links(self) -> None:
        self._age(SignInLink, "expires_at", timedelta(seconds=1))


def sign_in(driver: Driver, dashboard: RunningDashboard, key: str) -> None:
    """Sign the browser in with `key` through the sign-in form; lands on the accounts page."""
    driver.get(f"{dashboard.url}/sign-in")
    wait_for(driver, "#api_key").send_keys(key)
    driver.find_element("css selector", "#sign-in-submit").click()
    wait_for(driver, "#sign-out")


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def browserless_session(dashboard: RunningDashboard, key: str) -> tuple[httpx.Client, str]:
    """An httpx client signed in through the real sign-in form, and its CSRF token: for what a
    browser cannot be made to send (forged or missing tokens, other teams' ids)."""
    client = httpx.Client(base_url=dashboard.url, timeout=30)
    page = client.get("/sign-in")
    token = CSRF_INPUT.search(page.text)
    assert token is not None, page.text
    signed = client.post("/sign-in", data={"api_key": key, "csrf_token": token.group(1)})
    assert signed.status_code == 303, signed.text
    page = client.get("/keys")
    token = CSRF_INPUT.search(page.text)
    assert token is not None, page.text
    return client, token.group(1)
