"""Every error is `{"error": {"code", "message", "field"}}`, and failed requests leave no rows."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import func, select

from tests.service.conftest import SQLITE_ONLY, RunningService, ServiceFactory
from tikpost.deps import SessionDep
from tikpost.kit.db import Database
from tikpost.kit.errors import ApiError
from tikpost.teams import repository
from tikpost.teams.models import Team

LEAKY_MESSAGE = "connection to postgresql://tikpost:hunter2@db failed"


class Item(BaseModel):
    name: str
    count: int


def _add_test_routes(app: FastAPI) -> None:
    @app.post("/_test/items")
    async def create_item(item: Item) -> dict[str, Any]:
        return item.model_dump()

    @app.get("/_test/boom")
    async def boom() -> None:
        raise RuntimeError(LEAKY_MESSAGE)

    @app.post("/_test/teams/{name}")
    async def add_team(name: str, session: SessionDep, fail: bool = False) -> dict[str, str]:
        team = await repository.add_team(session, name)
        if fail:
            raise ApiError(409, "conflict_after_write", "changed my mind", "name")
        return {"id": team.id}


def _assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def _team_count(database_url: str) -> int:
    async def count() -> int:
        database = Database(database_url)
        try:
            async with database.session() as session:
                return (await session.execute(select(func.count()).select_from(Team))).scalar_one()
        finally:
            await database.dispose()

    return asyncio.run(count())


@SQLITE_ONLY
def test_framework_errors_are_json(service_factory: ServiceFactory) -> None:
    with service_factory(configure=_add_test_routes) as svc, svc.client() as client:
        assert _assert_error(client.get("/no/such/route"), 404, "not_found")["field"] is None
        not_allowed = client.delete("/healthz")
        _assert_error(not_allowed, 405, "method_not_allowed")
        assert "GET" in not_allowed.headers["allow"]

        incomplete = client.post("/_test/items", json={"name": "x"})
        missing = _assert_error(incomplete, 422, "validation_error")
        assert missing["field"] == "count"
        assert "count" in missing["message"]
        wrong_type = client.post("/_test/items", json={"name": "x", "count": "many"})
        assert _assert_error(wrong_type, 422, "validation_error")["field"] == "count"
        bad_query = client.post("/_test/teams/x", params={"fail": "perhaps"})
        assert _assert_error(bad_query, 422, "validation_error")["field"] == "fail"

        not_json = client.post(
            "/_test/items", content=b"{not json", headers={"content-type": "application/json"}
        )
        _assert_error(not_json, 400, "invalid_json")


@SQLITE_ONLY
def test_unexpected_errors_are_json_500_without_details(service_factory: ServiceFactory) -> None:
    with service_factory(configure=_add_test_routes) as svc, svc.client() as client:
        response = client.get("/_test/boom")
    error = _assert_error(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert error["field"] is None


def test_api_error_rolls_back_the_request(service_factory: ServiceFactory) -> None:
    with service_factory(configure=_add_test_routes) as svc, svc.client() as client:
        failed = client.post("/_test/teams/rolled-back", params={"fail": "true"})
        error = _assert_error(failed, 409, "conflict_after_write")
        assert error["message"] == "changed my mind"
        assert error["field"] == "name"
        assert _team_count(svc.settings.database_url) == 0

        assert client.post("/_test/teams/kept").status_code == 200
        assert _team_count(svc.settings.database_url) == 1  # committed before the response


@SQLITE_ONLY
def test_unauthenticated_routes_do_not_leak_the_session_error(service: RunningService) -> None:
    with service.client() as client:
        response = client.get("/v1/team", headers={"X-API-Key": "tp_' OR 1=1 --"})
    _assert_error(response, 401, "api_key_invalid")
