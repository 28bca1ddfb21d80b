"""Prompts: a registry of versioned prompt templates with ``{{ name }}`` variables, rendered in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.prompts.types import (
        CreatePromptRequest,
        ListPromptsResponse,
        Prompt,
        PromptDeleted,
        SetDefaultVersionRequest,
        UpdatePromptRequest,
    )

__all__ = [
    "API",
    "CreatePromptRequest",
    "ListPromptsResponse",
    "Prompt",
    "PromptDeleted",
    "SetDefaultVersionRequest",
    "UpdatePromptRequest",
]

API = ApiDefinition(
    name="prompts",
    description="versioned prompt templates with variables, rendered for the Responses API",
    router="plugstack.apis.prompts.router:build_routers",
    routes="plugstack.apis.prompts.routes:routes",
    standalone=True,
)

__getattr__ = lazy_reexport(__name__, "types")
