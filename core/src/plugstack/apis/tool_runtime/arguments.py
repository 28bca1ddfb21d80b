"""Checking a tool call's arguments against the tool's JSON schema, before any provider sees them."""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from plugstack.apis.tool_runtime.types import ToolDef
from plugstack.errors import BadRequestError

__all__ = ["check_arguments"]

log = logging.getLogger("plugstack.tool_runtime")


def check_arguments(tool: ToolDef, arguments: dict[str, Any]) -> None:
    """A 400 naming the first problem if ``arguments`` do not match ``tool.parameters``.

    A tool whose own schema is invalid (a provider's mistake) is called unchecked, with a
    warning: refusing every call would make the tool unusable for its caller's no fault.
    """
    validator = _validator(json.dumps(tool.parameters, sort_keys=True))
    if validator is None:
        log.warning("tool %r has an invalid parameters schema; its arguments are not checked", tool.name)
        return
    import jsonschema.exceptions

    error = jsonschema.exceptions.best_match(validator.iter_errors(arguments))
    if error is not None:
        where = "kwargs" + "".join(f"[{part!r}]" for part in error.absolute_path)
        raise BadRequestError(
            f"arguments of tool {tool.name!r} do not match its schema: {where}: {error.message}", param="kwargs"
        )


@functools.lru_cache(maxsize=512)
def _validator(schema_json: str) -> Any:
    """A validator for the schema (cached: the same tools are called again and again); None if invalid."""
    import jsonschema  # imported on the first tool call, not at start-up

    schema = json.loads(schema_json)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError:
        return None
    return cls(schema)
