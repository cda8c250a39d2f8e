"""The SDK's models from the server's own schema: the one way `_models.py` is made.

Only the native API is the SDK's: the `/v1` operations and the components they reach. The
`/compat/*` vendor routes have their own clients (the vendors'), so their schemas stay out.
Run `python -m tests.clients.python.codegen` to rewrite the committed module after an API
change; `test_models.py` fails until that is done.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datamodel_code_generator import (
    Formatter,
    InputFileType,
    LiteralType,
    PythonVersion,
    generate,
)
from datamodel_code_generator.enums import DataModelType

MODELS = (
    Path(__file__).resolve().parents[3]
    / "clients"
    / "python"
    / "src"
    / "tikpost_client"
    / "_models.py"
)
HEADER = "tikpost /v1 API models, generated from the server's /openapi.json: do not edit"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def native(openapi: dict[str, Any]) -> dict[str, Any]:
    """The document cut down to `/v1` paths and the component schemas they reach."""
    paths = {path: item for path, item in openapi["paths"].items() if path.startswith("/v1/")}
    schemas: dict[str, Any] = openapi["components"]["schemas"]
    wanted: set[str] = set()
    pending = list(_refs(paths))
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(_refs(schemas[name]))
    kept = {name: schemas[name] for name in sorted(wanted)}
    return {**openapi, "paths": paths, "components": {"schemas": kept}}


def generate_models(openapi: dict[str, Any]) -> str:
    """`_models.py`'s text for this schema (pydantic v2, Literal enums, ruff-formatted)."""
    with warnings.catch_warnings():
        # A URL field's length limit has no place on AnyUrl; the server still checks it.
        warnings.simplefilter("ignore", UserWarning)
        code = _generate(openapi)
    assert isinstance(code, str)
    return _ruff(_ruff(code, "check", "--fix", "--select", "I,W292", "--quiet"), "format")


def _generate(openapi: dict[str, Any]) -> object:
    return generate(
        json.dumps(native(openapi)),
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        enum_field_as_literal=LiteralType.All,
        use_standard_collections=True,
        use_union_operator=True,
        use_annotated=True,
        use_schema_description=True,
        collapse_root_models=True,
        use_double_quotes=True,
        disable_timestamp=True,
        custom_file_header=f'"""{HEADER}."""',
        formatters=[Formatter.BUILTIN],
    )


def _ruff(code: str, *args: str) -> str:
    """The repository's own ruff on the text, as if it were the committed file."""
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), *args, "--stdin-filename", str(MODELS), "-"],
        input=code,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def served_schema() -> dict[str, Any]:
    """/openapi.json as a service with default settings (and a throwaway data dir) serves it."""
    import tempfile

    from tests.service.conftest import _isolated_settings
    from tikpost.app import create_app

    with tempfile.TemporaryDirectory() as root:
        settings = _isolated_settings(data_dir=root, database_url=f"sqlite:///{root}/t.db")
        schema: dict[str, Any] = create_app(settings).openapi()
    return schema


if __name__ == "__main__":
    source = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else served_schema()
    MODELS.write_text(generate_models(source))
