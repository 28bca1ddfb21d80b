"""Prompts in Llama Stack's wire format: a versioned template with declared variables.

A prompt is named ``pmpt_<48 hex digits>`` (OpenAI's reusable prompts use the same form,
so the Responses API's ``prompt: {"id", "version", "variables"}`` can name one), and each
update makes a new integer version; one version is the default. Requests forbid unknown
fields, so a misspelt option is a 400 naming it rather than silently ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_VERSION",
    "CreatePromptRequest",
    "ListPromptsResponse",
    "Prompt",
    "PromptDeleted",
    "SetDefaultVersionRequest",
    "UpdatePromptRequest",
]

MAX_VERSION = 2**31 - 1
"""The largest version number: the SQL store's integer columns are 32-bit on PostgreSQL."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Prompt(BaseModel):
    """One version of a prompt; ``is_default`` says whether it is the version served when none is named."""

    prompt_id: str
    prompt: str
    version: int
    variables: list[str]
    is_default: bool
    created_at: int = Field(description="when this version was made, in Unix seconds")


class ListPromptsResponse(BaseModel):
    data: list[Prompt]


class PromptDeleted(BaseModel):
    id: str
    object: Literal["prompt.deleted"] = "prompt.deleted"
    deleted: bool = True


class CreatePromptRequest(_Request):
    prompt: str = Field(min_length=1, description="the template: text with {{ name }} placeholders")
    variables: list[str] | None = Field(
        default=None,
        description="the names of the template's placeholders; when omitted, those the template uses",
    )


class UpdatePromptRequest(_Request):
    prompt: str = Field(min_length=1, description="the new version's template")
    version: int = Field(ge=1, le=MAX_VERSION, description="the latest version, the one this update replaces")
    variables: list[str] | None = Field(
        default=None,
        description="the names of the template's placeholders; when omitted, those the template uses",
    )
    set_as_default: bool = Field(default=True, description="make the new version the default")


class SetDefaultVersionRequest(_Request):
    version: int = Field(ge=1, le=MAX_VERSION)
