"""The service app: health, OpenAPI docs, and sandbox mode."""

from __future__ import annotations

import logging

import pytest

from tests.service.conftest import SANDBOX_MODE, SQLITE_ONLY, RunningService, ServiceFactory


@SQLITE_ONLY
def test_healthz_and_docs(service: RunningService) -> None:
    with service.client() as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert health.json()["sandbox_mode"] is False
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
    assert "/v1/team" in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} >= {"apiKey", "http"}


@SQLITE_ONLY
def test_production_mode_mounts_no_sandbox(service: RunningService) -> None:
    assert service.app.state.tikpost.sandbox_config is None
    with service.client() as client:
        response = client.get("/sandbox/v2/user/info/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@SQLITE_ONLY
def test_sandbox_mode_mounts_the_emulator_loudly(
    service_factory: ServiceFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="tikpost"),
        service_factory(**SANDBOX_MODE) as svc,
        svc.client() as client,
    ):
        assert svc.settings.sandbox_mode
        assert svc.settings.tiktok_api_url == f"{svc.url}/sandbox"
        assert svc.settings.tiktok_auth_url == f"{svc.url}/sandbox"
        config = svc.app.state.tikpost.sandbox_config
        assert config.redirect_uris == [f"{svc.url}/v1/oauth/tiktok/callback"]
        assert client.get("/healthz").json()["sandbox_mode"] is True
        created = client.post("/sandbox/_sandbox/creators", json={"username": "mounted"})
        assert created.status_code in (200, 201), created.text
        assert client.get("/sandbox/v2/user/info/").status_code == 401  # TikTok's own shape
    assert any("SANDBOX MODE" in record.getMessage() for record in caplog.records)
