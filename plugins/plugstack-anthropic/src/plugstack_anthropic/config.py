"""The ``remote::anthropic`` provider config."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["AnthropicConfig"]


class AnthropicConfig(BaseModel):
    """How to reach Anthropic. ``api_key`` is a secret: it never appears in logs or errors."""

    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = Field(default=None, description="Anthropic API key; usually ${env.ANTHROPIC_API_KEY}")
    base_url: str = Field(default="https://api.anthropic.com", description="the SDK appends /v1/...")
    timeout: float = Field(default=600.0, gt=0, description="seconds per request")
    max_retries: int = Field(default=2, ge=0, description="SDK retries on connection errors, 429, 5xx and 529")
    default_max_tokens: int = Field(
        default=4096, ge=1, description="max_tokens when a request sets none: the Messages API requires one"
    )
    models: list[str] | None = Field(default=None, description="model ids to serve; when unset, listed from /v1/models")

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"api_key": "${env.ANTHROPIC_API_KEY}"}
