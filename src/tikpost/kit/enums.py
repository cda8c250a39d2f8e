"""The base of the status enums that models, schemas and the CLI share."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema


class InlineStrEnum(StrEnum):
    """A `StrEnum` that pydantic validates from and writes as its values, and that the OpenAPI
    schema shows inline, as `{"enum": [...], "type": "string"}` where it is used.

    Pydantic would make each enum a named component instead; the published schema, and the
    clients generated from it, stay as they were when these fields were `Literal`s. Members
    compare and hash as their strings, so stored values and string comparisons are unchanged.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # No `ref`: a referenced schema is what becomes a named component.
        return core_schema.enum_schema(cls, list(cls), sub_type="str")

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"enum": [member.value for member in cls], "type": "string"}


__all__ = ["InlineStrEnum"]
