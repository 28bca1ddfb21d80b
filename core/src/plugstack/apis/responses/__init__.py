"""Responses: OpenAI's Responses API, an agent loop over inference, tools, shields and stored state.

A standalone API (a router, no providers): it needs inference, and uses the tool
runtime (MCP and built-in tool groups), safety (shields), vector stores (file search)
and conversations when the run config enables them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.responses.types import (
        CreateResponseRequest,
        InputItemList,
        ResponseDeleted,
        ResponseObject,
        ResponseStreamEvent,
    )

__all__ = ["API", "CreateResponseRequest", "InputItemList", "ResponseDeleted", "ResponseObject", "ResponseStreamEvent"]

API = ApiDefinition(
    name="responses",
    description="OpenAI's Responses API: an agent loop with tools, shields and stored responses",
    router="plugstack.apis.responses.router:build_routers",
    standalone=True,
    needs=("inference",),
    optional_needs=("tool_runtime", "safety", "vector_stores", "conversations", "prompts"),
    routes="plugstack.apis.responses.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types")
