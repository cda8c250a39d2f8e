"""schemathesis against /openapi.json: every operation, authenticated as a real key.

Bounded examples per operation keep it to seconds; the checks are the ones that matter to a
client: no 5xx, only documented statuses and content types, bodies matching their schemas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.conftest import RunningService

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
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
