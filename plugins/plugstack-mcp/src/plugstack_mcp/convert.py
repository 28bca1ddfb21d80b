"""MCP's wire shapes (tools, tool results) to plugstack's ToolDef and ToolInvocationResult.

It works on the JSON the MCP spec defines (camelCase keys, as the SDK's models dump
``by_alias``), not on SDK classes: the mapping then follows the spec, whatever the SDK
version, and is tested without a server.
"""

from __future__ import annotations

from typing import Any

from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult

__all__ = ["content_part", "tool_def", "tool_result"]


def tool_def(tool: dict[str, Any], toolgroup_id: str) -> ToolDef:
    """A ToolDef: ``inputSchema`` as parameters; annotations, title and outputSchema in metadata."""
    parameters = dict(tool.get("inputSchema") or {})
    parameters.setdefault("type", "object")  # the spec requires an object schema; some servers omit "type"
    metadata: dict[str, Any] = {}
    for key, name in (("annotations", "annotations"), ("title", "title"), ("outputSchema", "output_schema")):
        if tool.get(key):
            metadata[name] = tool[key]
    return ToolDef(
        name=tool["name"],
        description=tool.get("description") or tool.get("title") or "",
        parameters=parameters,
        toolgroup_id=toolgroup_id,
        metadata=metadata,
    )


def tool_result(result: dict[str, Any], tool_name: str) -> ToolInvocationResult:
    """The result of ``tools/call``: content parts, ``structuredContent`` in metadata, ``isError`` as error_message."""
    parts = [content_part(part) for part in result.get("content") or []]
    metadata: dict[str, Any] = {}
    if result.get("structuredContent") is not None:
        metadata["structured_content"] = result["structuredContent"]
    error_message = None
    if result.get("isError"):
        text = " ".join(str(part["text"]) for part in parts if part.get("type") == "text" and part.get("text"))
        error_message = text or f"tool {tool_name!r} failed"
    return ToolInvocationResult(content=parts, error_message=error_message, metadata=metadata)


def content_part(part: dict[str, Any]) -> dict[str, Any]:
    """One MCP content block as a plugstack content part (``mime_type`` for ``mimeType``)."""
    kind = part.get("type")
    if kind == "text":
        return {"type": "text", "text": part.get("text", "")}
    if kind in ("image", "audio"):
        return {"type": kind, "data": part.get("data", ""), "mime_type": part.get("mimeType", "")}
    if kind == "resource":
        resource = part.get("resource") or {}
        converted = {"type": "resource", "uri": resource.get("uri", ""), "mime_type": resource.get("mimeType")}
        if "text" in resource:
            converted["text"] = resource["text"]  # so that a text resource reads as text too
        if "blob" in resource:
            converted["blob"] = resource["blob"]
        return converted
    if kind == "resource_link":
        return {
            "type": "resource_link",
            "uri": part.get("uri", ""),
            "name": part.get("name", ""),
            "mime_type": part.get("mimeType"),
            "description": part.get("description"),
        }
    return dict(part)  # a block type newer than this mapping: passed on as the server sent it
