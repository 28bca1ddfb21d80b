"""``/openapi.json``: an OpenAPI 3.1 document generated from the routes' pydantic types.

OpenAPI 3.1 uses JSON Schema 2020-12, which is what pydantic emits, so every request and
response schema is pydantic's own, gathered under ``components/schemas``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from starlette.routing import BaseRoute

from plugstack import __version__
from plugstack.server.errors import ErrorResponse
from plugstack.server.routing import ApiRoute

__all__ = ["openapi_document"]

_PATH_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def openapi_document(routes: Iterable[BaseRoute], *, auth: bool) -> dict[str, Any]:
    """The document for every :class:`ApiRoute` in ``routes``; ``auth``: bearer keys required."""
    api_routes = [route for route in routes if isinstance(route, ApiRoute)]
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorResponse, "serialization")]
    for route in api_routes:
        if route.request_model is not None:
            wanted.append((route.request_model, "validation"))
        if route.response_model is not None:
            wanted.append((route.response_model, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}")
    error = {
        "description": "an OpenAI-shaped error",
        "content": {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}},
    }

    paths: dict[str, dict[str, Any]] = {}
    for route in api_routes:
        operation: dict[str, Any] = {
            "operationId": f"{route.tag}_{route.name}",
            "summary": route.summary,
            "tags": [route.tag],
            "responses": {"200": _ok(route, refs), "default": error},
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in route.param_convertors
        ]
        if parameters:
            operation["parameters"] = parameters
        if route.request_model is not None:
            schema = refs[(route.request_model, "validation")]
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        if auth and route.public:
            operation["security"] = []
        paths.setdefault(_PATH_PARAM.sub(r"{\1}", route.path), {})[route.method.lower()] = operation

    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    duplicates = sorted({op for op in operation_ids if operation_ids.count(op) > 1})
    if duplicates:
        raise ValueError(f"operationId must be unique: two endpoints of one tag are named {duplicates}")
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "plugstack",
            "version": __version__,
            "description": "One API for AI applications, many providers behind it.",
        },
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {})},
    }
    if auth:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        document["security"] = [{"bearer": []}]
    return document


def _ok(route: ApiRoute, refs: dict[Any, Any]) -> dict[str, Any]:
    if route.response_model is None:
        return {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    content: dict[str, Any] = {"application/json": {"schema": refs[(route.response_model, "serialization")]}}
    description = "OK"
    if route.streams:
        content["text/event-stream"] = {"schema": {"type": "string"}}
        description = (
            "OK; with stream=true, Server-Sent Events: one 'data: <chunk JSON>' per chunk, then 'data: [DONE]'"
        )
    return {"description": description, "content": content}
