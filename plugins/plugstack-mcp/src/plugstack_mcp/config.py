"""The ``remote::model-context-protocol`` provider config: timeouts and the registration check."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["McpConfig"]


class McpConfig(BaseModel):
    """How long to wait for MCP servers, and what registering an unreachable one does.

    The servers themselves are tool groups (``registered_resources.tool_groups`` or
    ``POST /v1/toolgroups``), not provider config: one provider serves any number of them.
    A group's ``args.timeout`` and ``args.connect_timeout`` override the two timeouts.
    """

    model_config = ConfigDict(extra="forbid")

    connect_timeout: float = Field(
        default=5.0,
        gt=0,
        description="seconds to reach an HTTP MCP server and finish the MCP handshake; a server that is down "
        "answers 503 within this time, never hangs",
    )
    stdio_connect_timeout: float = Field(
        default=30.0,
        gt=0,
        description="the same for a stdio server: launching a program (uvx, npx) takes longer than connecting",
    )
    timeout: float = Field(default=30.0, gt=0, description="seconds per tools/list or tools/call (504 after)")
    check_on_register: Literal["fail", "warn"] = Field(
        default="fail",
        description="registering a group connects to its server and lists its tools: 'fail' refuses a group "
        "whose server cannot be reached or listed (so a run config naming one does not start), 'warn' "
        "registers it with a warning and connects on first use",
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"check_on_register": "${env.MCP_CHECK_ON_REGISTER:=fail}"}
