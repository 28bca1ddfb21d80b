"""The ``remote::bedrock`` safety provider: shields that are Bedrock Guardrails, on boto3.

Each shield names a guardrail (``provider_shield_id``: its id or ARN; ``params``:
``guardrailVersion``, ``DRAFT`` when unset) and is checked with ``ApplyGuardrail``, which
needs no model invocation. The translation is in :mod:`plugstack_bedrock.guardrail`; the
session, client settings, threads and error mapping are the inference provider's
(:mod:`plugstack_bedrock.clients`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import ModerationResult, RunShieldResponse
from plugstack.apis.shields.types import Shield
from plugstack.provider_context import ProviderContext
from plugstack_bedrock import guardrail
from plugstack_bedrock.clients import boto_session, make_client, run_blocking
from plugstack_bedrock.config import BedrockSafetyConfig

__all__ = ["BedrockSafetyAdapter", "create_provider"]


async def create_provider(config: BedrockSafetyConfig, context: ProviderContext) -> BedrockSafetyAdapter:
    adapter = BedrockSafetyAdapter(config, provider_id=context.provider_id)
    await adapter.initialize()
    return adapter


class BedrockSafetyAdapter:
    """Implements :class:`plugstack.apis.safety.Safety` with Bedrock Guardrails.

    ``provider_id`` is the provider's id in the run config; its errors name it.
    """

    def __init__(self, config: BedrockSafetyConfig, *, provider_id: str = "bedrock") -> None:
        self.config = config
        self.provider_id = provider_id
        self._executor = ThreadPoolExecutor(config.max_concurrent_requests, thread_name_prefix="plugstack-bedrock")
        self.runtime: Any = None

    async def initialize(self) -> None:
        """Build the client off the loop: botocore reads its service model from disk."""
        self.runtime = await run_blocking(self._executor, self.provider_id, self._make_client)

    def _make_client(self) -> Any:
        return make_client(boto_session(self.config), "bedrock-runtime", self.config)

    async def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.runtime is not None:
            self.runtime.close()

    async def register_shield(self, shield: Shield) -> None:
        """Check the shield's guardrail id and params now, not at its first use."""
        guardrail.validate_shield(shield)

    async def run_shield(self, shield: Shield, messages: list[ChatMessage]) -> RunShieldResponse:
        guardrail.validate_shield(shield)  # the call's params are laid over the registered ones
        request = guardrail.apply_guardrail_request(shield, messages)
        if not request["content"]:
            return RunShieldResponse()  # no text at all: nothing a text guardrail can find
        response = await self._apply(request)
        violation = guardrail.violation_from_response(
            response,
            guardrail_id=request["guardrailIdentifier"],
            guardrail_version=request["guardrailVersion"],
            source=request["source"],
        )
        return RunShieldResponse(violation=violation)

    async def run_moderation(self, shield: Shield, inputs: list[str]) -> list[ModerationResult]:
        """Each input checked as user input, all at once; scores from the guardrail's assessments."""
        guardrail.validate_shield(shield)
        requests = [guardrail.apply_guardrail_request(shield, [ChatMessage(role="user", content=i)]) for i in inputs]
        responses = await asyncio.gather(*(self._apply(r) if r["content"] else _nothing() for r in requests))
        return [guardrail.moderation_result(response) for response in responses]

    async def _apply(self, request: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = await run_blocking(
            self._executor, self.provider_id, self.runtime.apply_guardrail, **request
        )
        return response


async def _nothing() -> dict[str, Any]:
    """The answer to an empty input, which ApplyGuardrail would refuse: nothing found."""
    return {"action": "NONE", "assessments": [], "outputs": []}
