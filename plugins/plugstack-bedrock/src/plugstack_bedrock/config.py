"""The configs of the ``remote::bedrock`` providers (inference and safety)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["AwsClientConfig", "BedrockConfig", "BedrockSafetyConfig"]


class AwsClientConfig(BaseModel):
    """Where and as whom to call Bedrock: what every provider of this plugin shares.

    Credentials follow boto3's standard chain (environment, shared config and credentials
    files, ``profile``, SSO, container and instance roles) unless given here explicitly.
    Explicit keys are secrets: they never appear in logs or errors.
    """

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, description="AWS region; default: the chain's (AWS_REGION, profile)")
    profile: str | None = Field(default=None, description="a profile of ~/.aws/config")
    endpoint_url: str | None = Field(default=None, description="override both endpoints (VPC endpoint, emulator)")
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    timeout: float = Field(default=120.0, gt=0, description="seconds to wait for a response to start or continue")
    max_attempts: int = Field(default=3, ge=1, description="botocore's standard retry mode attempts")
    max_concurrent_requests: int = Field(
        default=64, ge=1, description="boto3 calls block: this many run at once, each in its own thread"
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"region": "${env.AWS_REGION:=us-east-1}"}


class BedrockConfig(AwsClientConfig):
    """The inference provider: the connection, and which models to serve."""

    models: list[str] | None = Field(
        default=None, description="chat model ids to serve; when unset, listed by ListFoundationModels"
    )
    embedding_models: list[str] = Field(
        default_factory=list, description="embedding model ids to serve (Titan or Cohere) when models is set"
    )


class BedrockSafetyConfig(AwsClientConfig):
    """The safety provider: the connection only; each shield names its guardrail.

    A guardrail check is one short request, so the default timeout is shorter than the
    inference provider's, which waits for whole answers.
    """

    timeout: float = Field(default=30.0, gt=0, description="seconds to wait for ApplyGuardrail to answer")
