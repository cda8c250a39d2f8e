"""schemathesis against /openapi.json: every operation, authenticated as a real key.

Bounded examples per operation keep it to seconds; the checks are the ones that matter to a
client: no 5xx, only documented statuses and content types, bodies matching their schemas.
Negative cases (values the schema forbids, in bodies, queries and declared headers) must only
never be a 5xx. The surfaces outside the public schema that anyone can reach without a key,
TikTok's webhook receiver and signed media links, are fuzzed from a schema written here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.conftest import SQLITE_ONLY, RunningService
from tikpost.media.links import MediaLinks
from tikpost.sandbox.samples import make_jpeg
from tikpost.tiktok.webhooks import sign

EXAMPLES_PER_OPERATION = 15
NEGATIVE_EXAMPLES_PER_OPERATION = 8
UNLISTED_EXAMPLES = 60
ANY_JSON = {"type": ["string", "integer", "number", "boolean", "array", "object", "null"]}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@SQLITE_ONLY
def test_api_survives_generated_requests(
    sandbox_service: RunningService, create_api_key: Callable[[str], str]
) -> None:
    headers = {"X-API-Key": create_api_key("fuzzers")}
    schema = schemathesis.openapi.from_url(f"{sandbox_service.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call(base_url=sandbox_service.url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS, headers=headers)

        run()


@SQLITE_ONLY
def test_api_survives_requests_its_schema_forbids(
    sandbox_service: RunningService, create_api_key: Callable[[str], str]
) -> None:
    headers = {"X-API-Key": create_api_key("fuzzers")}
    schema = schemathesis.openapi.from_url(f"{sandbox_service.url}/openapi.json")
    broken = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok)
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(
            max_examples=NEGATIVE_EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call(base_url=sandbox_service.url, headers=headers, timeout=30)
            if case.path.startswith("/compat/"):  # a vendor's own error shape, as documented
                checks = [not_a_server_error, response_schema_conformance]
                case.validate_response(response, checks=checks, headers=headers)
                return
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
            if response.status_code >= 400:
                assert set(response.json()["error"]) >= {"code", "message", "field"}

        try:
            run()
        except Unsatisfiable:  # nothing in it a schema can forbid (no parameters, no body)
            continue
        broken += 1
    assert broken >= 10


def _unlisted_surfaces(media_id: str, exp: str, sig: str) -> dict[str, Any]:
    """The receiver and a media link (its real id, expiry and signature, so fuzzed `Range`
    headers reach the range parser), as OpenAPI for schemathesis."""

    def header(name: str, pattern: str) -> dict[str, Any]:
        loose = {"type": "string"}
        return {"name": name, "in": "header", "schema": {"anyOf": [{"pattern": pattern}, loose]}}

    def fixed(name: str, where: str, value: str) -> dict[str, Any]:
        return {"name": name, "in": where, "required": True, "schema": {"enum": [value]}}

    event = {
        "type": "object",
        "required": ["event", "user_openid", "content"],
        "properties": {
            "event": {"enum": ["post.publish.complete", "authorization.removed", "other"]},
            # Any JSON at all where TikTok sends strings: the receiver must not trust its shape.
            "user_openid": ANY_JSON,
            "content": ANY_JSON,
        },
    }
    responses = {"default": {"description": "any"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "tikpost, unlisted", "version": "1"},
        "paths": {
            "/v1/tiktok/webhook": {
                "post": {
                    "parameters": [header("TikTok-Signature", "^t=[0-9]+,s=[0-9a-f]*$")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": event}},
                    },
                    "responses": responses,
                }
            },
            "/v1/media/{media_id}/content": {
                "get": {
                    "parameters": [
                        fixed("media_id", "path", media_id),
                        fixed("exp", "query", exp),
                        fixed("sig", "query", sig),
                        header("Range", "^bytes=[0-9]*-[0-9]*$"),
                    ],
                    "responses": responses,
                }
            },
        },
    }


@SQLITE_ONLY
def test_unauthenticated_surfaces_survive_generated_requests(
    sandbox_service: RunningService, create_api_key: Callable[[str], str]
) -> None:
    with sandbox_service.client(create_api_key("fuzzers")) as api:
        files = {"file": ("slide.jpg", make_jpeg(width=640, height=800), "image/jpeg")}
        media = api.post("/v1/media", files=files).json()
    link = httpx.URL(MediaLinks.for_settings(sandbox_service.settings).url(media["id"]))
    exp, sig = link.params["exp"], link.params["sig"]
    schema = schemathesis.openapi.from_dict(_unlisted_surfaces(media["id"], exp, sig))
    secret = sandbox_service.app.state.tikpost.tiktok.client_secret
    receiver = f"{sandbox_service.url}/v1/tiktok/webhook"
    for result in schema.get_all_operations():
        assert isinstance(result, Ok)
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=UNLISTED_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call(base_url=sandbox_service.url, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            if case.path == "/v1/tiktok/webhook":
                # The same event, signed as TikTok signs it, reaches the event handling.
                raw = json.dumps(case.body).encode()
                signed = {"TikTok-Signature": sign(secret, raw, int(time.time()))}
                answer = httpx.post(receiver, content=raw, headers=signed, timeout=30)
                assert answer.status_code in (200, 400), answer.text

        run()
