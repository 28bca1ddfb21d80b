"""Calling a compiled tool, and turning what it returned (or raised) into a ToolInvocationResult.

A tool that raises answers with ``error_message`` (the exception's type and message):
the model that called it can read the error and try again, where a 500 would end the
turn. Arguments pydantic refuses are the caller's fault, a 400 like the router's own.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError, to_jsonable_python

from plugstack.apis.tool_runtime.types import ToolInvocationResult
from plugstack.errors import BadRequestError
from plugstack.redaction import redact_text
from plugstack.validation import bad_request_from
from plugstack_python_tools.schema import CompiledTool

__all__ = ["invoke", "to_result"]

log = logging.getLogger("plugstack_python_tools")


async def invoke(tool: CompiledTool, arguments: dict[str, Any], *, provider_id: str) -> ToolInvocationResult:
    """Validate ``arguments`` with the tool's model, call it (sync functions in a worker thread), answer."""
    try:
        args, kwargs = tool.bind(arguments)
    except ValidationError as exc:
        problem = bad_request_from(exc)
        raise BadRequestError(
            f"arguments of tool {tool.name!r}: {problem.message.removeprefix('invalid request: ')}", param="kwargs"
        ) from None
    try:
        if tool.is_async:
            value = await tool.func(*args, **kwargs)
        else:  # never block the event loop: a sync tool may sleep, read files or call the network
            value = await asyncio.to_thread(tool.func, *args, **kwargs)
        if inspect.isawaitable(value):  # a sync callable that returned a coroutine
            value = await value
    except Exception as exc:
        log.info("provider %r: tool %r (%s) raised %s", provider_id, tool.name, tool.label, type(exc).__name__)
        return ToolInvocationResult(
            error_message=redact_text(f"{type(exc).__name__}: {exc}"), metadata={"error_type": type(exc).__name__}
        )
    return to_result(value)


def to_result(value: Any) -> ToolInvocationResult:
    """A str is the text; a ToolInvocationResult is passed on; anything else is its JSON, kept in ``metadata["result"]``.

    A value with no JSON form (an arbitrary object) is answered as ``str(value)``.
    """
    if isinstance(value, ToolInvocationResult):
        return value
    if isinstance(value, str):
        return ToolInvocationResult(content=value)
    try:
        data = value.model_dump(mode="json") if isinstance(value, BaseModel) else to_jsonable_python(value)
        text = json.dumps(data, ensure_ascii=False)
    except (PydanticSerializationError, TypeError, ValueError):
        return ToolInvocationResult(content=str(value))
    return ToolInvocationResult(content=text, metadata={"result": data})
