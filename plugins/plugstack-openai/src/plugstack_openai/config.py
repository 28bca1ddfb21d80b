"""Configuration of the OpenAI providers (the ``config:`` block of a run.yaml provider)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["OpenAICompatibleConfig", "OpenAIConfig"]


class OpenAICompatibleConfig(BaseModel):
    """``remote::openai-compatible``: any server that speaks the OpenAI API at ``base_url``."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(description="the API root, up to and including /v1, e.g. http://localhost:8000/v1")
    api_key: SecretStr | None = Field(
        default=None, description="sent as 'Authorization: Bearer'; local servers need none"
    )
    timeout: float = Field(
        default=60.0, gt=0, description="seconds to connect, and to wait for each read from the upstream"
    )
    max_connections: int = Field(default=100, ge=1, description="size of the keep-alive connection pool")
    models: list[str] | None = Field(
        default=None, description="chat/completion model ids to serve; unset: listed from the upstream's /models"
    )
    embedding_models: list[str] = Field(
        default_factory=list,
        description="ids that are embedding models (listed ones whose id contains 'embed' are too)",
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {
            "base_url": "${env.OPENAI_COMPATIBLE_BASE_URL:=http://localhost:8000/v1}",
            "api_key": "${env.OPENAI_COMPATIBLE_API_KEY:=}",
        }


class OpenAIConfig(OpenAICompatibleConfig):
    """``remote::openai``: OpenAI's own API."""

    base_url: str = Field(default="https://api.openai.com/v1", description="the API root, up to and including /v1")

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"api_key": "${env.OPENAI_API_KEY}"}
