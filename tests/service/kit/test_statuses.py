"""The status enums reach the OpenAPI schema as the inline string enums they were as `Literal`s:
a named component instead would change the published schema, and every client generated from
it, for what is only a move of the definitions."""

from __future__ import annotations

from typing import Any

from tests.service.conftest import SQLITE_ONLY, SettingsFactory
from tikpost.accounts.models import AccountStatus
from tikpost.app import create_app
from tikpost.posts.statuses import PostStatus
from tikpost.webhooks.models import DeliveryStatus


@SQLITE_ONLY
def test_statuses_are_inline_string_enums(settings_factory: SettingsFactory) -> None:
    spec: dict[str, Any] = create_app(settings_factory()).openapi()
    schemas = spec["components"]["schemas"]
    for model, enum in (
        ("PostRead", PostStatus),
        ("AccountRead", AccountStatus),
        ("DeliveryRead", DeliveryStatus),
    ):
        assert schemas[model]["properties"]["status"] == {
            "enum": [member.value for member in enum],
            "title": "Status",
            "type": "string",
        }
        assert enum.__name__ not in schemas
    [status] = [
        parameter
        for parameter in spec["paths"]["/v1/posts"]["get"]["parameters"]
        if parameter["name"] == "status"
    ]
    assert status["schema"]["anyOf"][0] == {"enum": list(PostStatus), "type": "string"}
