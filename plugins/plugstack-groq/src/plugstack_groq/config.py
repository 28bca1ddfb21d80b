"""The ``remote::groq`` provider config."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["GroqConfig"]


class GroqConfig(BaseModel):
    """How to reach Groq. ``api_key`` is a secret: it never appears in logs or errors."""

    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = Field(default=None, description="Groq API key; usually ${env.GROQ_API_KEY}")
    base_url: str = Field(
        default="https://api.groq.com",
        description="the SDK appends /openai/v1/...; point at another host only for testing",
    )
    timeout: float = Field(default=60.0, gt=0, description="seconds per request")
    max_retries: int = Field(default=2, ge=0, description="SDK retries on connection errors, 429 and 5xx")
    models: list[str] | None = Field(
        default=None, description="model ids to serve; when unset, listed from Groq's /models"
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"api_key": "${env.GROQ_API_KEY}"}
