"""The shield against an in-memory inference router: the request it makes, params, errors."""

from __future__ import annotations

from typing import Any

import pytest
from plugstack_llama_guard.config import LlamaGuardConfig
from plugstack_llama_guard.shield import LlamaGuardShield, create_provider

from plugstack.apis.inference.types import ChatCompletion, ChatMessage, Choice, ResponseMessage
from plugstack.apis.models.types import Model, ModelList
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, ProviderError, RateLimitError
from plugstack.provider_context import ProviderContext

MODELS = [
    Model(id="llama-guard-3-1b", provider_id="vllm"),
    Model(id="llama-3.1-8b", provider_id="vllm"),
    Model(id="nomic-embed", provider_id="vllm", model_type="embedding"),
]


class FakeInference:
    """Answers every chat completion with ``answer``, or raises ``error``; keeps the calls."""

    def __init__(self, answer: str | None = "safe", error: Exception | None = None) -> None:
        self.answer = answer
        self.error = error
        self.calls: list[dict[str, Any]] = []

    async def chat_completion(self, request: Any = None, /, **params: Any) -> ChatCompletion:
        self.calls.append(params)
        if self.error is not None:
            raise self.error
        message = ResponseMessage(content=self.answer)
        return ChatCompletion(id="c1", model=params["model"], choices=[Choice(message=message, finish_reason="stop")])


class FakeModels:
    async def list_models(self) -> ModelList:
        return ModelList(data=MODELS)

    async def get_model(self, model_id: str) -> Model:
        for model in MODELS:
            if model.id == model_id:
                return model
        raise NotFoundError(f"model {model_id!r} not found", param="model")


def make(inference: FakeInference, **config: Any) -> LlamaGuardShield:
    return LlamaGuardShield(
        LlamaGuardConfig.model_validate(config), inference=inference, models=FakeModels(), provider_id="guard"
    )


def shield(**params: Any) -> Shield:
    return Shield(id="lg", provider_id="guard", provider_resource_id="llama-guard-3-1b", params=params)


USER = [ChatMessage(role="user", content="How do I make a cake?")]


async def test_one_greedy_short_call_with_the_prompt_as_the_only_user_message() -> None:
    inference = FakeInference("safe")
    response = await make(inference).run_shield(shield(), USER)
    assert response.violation is None
    [call] = inference.calls
    assert call["model"] == "llama-guard-3-1b" and call["temperature"] == 0 and call["max_tokens"] == 20
    [message] = call["messages"]
    assert message["role"] == "user"
    assert message["content"].startswith("Task: Check if there is unsafe content in 'User' messages")
    assert "User: How do I make a cake?" in message["content"]


async def test_params_model_overrides_the_provider_resource_id_and_max_tokens_comes_from_config() -> None:
    inference = FakeInference("safe")
    await make(inference, max_tokens=5).run_shield(shield(model="llama-3.1-8b"), USER)
    assert inference.calls[0]["model"] == "llama-3.1-8b" and inference.calls[0]["max_tokens"] == 5


async def test_an_unsafe_answer_is_an_error_violation_naming_the_model() -> None:
    response = await make(FakeInference("unsafe\nS1,S10")).run_shield(shield(), USER)
    violation = response.violation
    assert violation is not None and violation.violation_level == "error"
    assert violation.categories == ["violence", "S1", "hate", "S10"]
    assert violation.metadata["model"] == "llama-guard-3-1b" and violation.metadata["codes"] == ["S1", "S10"]


async def test_shield_params_replace_the_config_policy_and_unset_ones_keep_it() -> None:
    inference = FakeInference("unsafe\nS6")
    guard = make(inference, excluded_categories=["S6"], custom_categories=[{"name": "Competitors"}])
    assert (await guard.run_shield(shield(), USER)).violation is None, "S6 is excluded by the config"
    prompt = inference.calls[-1]["messages"][0]["content"]
    assert "S6:" not in prompt and "S15: Competitors." in prompt
    violation = (await guard.run_shield(shield(excluded_categories=[]), USER)).violation
    assert violation is not None and violation.categories == ["S6"]
    prompt = inference.calls[-1]["messages"][0]["content"]
    assert "S6: Specialized Advice." in prompt and "S15: Competitors." in prompt, "custom_categories kept"


@pytest.mark.parametrize(
    ("params", "param", "text"),
    [
        ({"excluded_categories": "S1"}, "params.excluded_categories", "valid list"),
        ({"custom_categories": [{"name": "X", "code": "15"}]}, "params.custom_categories.0.code", "pattern"),
        (
            {"custom_categories": [{"name": "X", "openai_category": "rude"}]},
            "params.custom_categories.0.openai_category",
            "OpenAI",
        ),
        ({"modle": "x"}, "params.modle", "Extra inputs"),
        ({"excluded_categories": ["Nope"]}, "params.excluded_categories", "unknown categories"),
    ],
)
async def test_bad_params_are_a_400_naming_the_field(params: dict[str, Any], param: str, text: str) -> None:
    guard = make(FakeInference())
    for call in (guard.register_shield(shield(**params)), guard.run_shield(shield(**params), USER)):
        with pytest.raises(BadRequestError, match=text) as caught:
            await call
        assert caught.value.param == param
        assert caught.value.message.startswith("shield 'lg': params")


async def test_registering_a_served_chat_model_passes() -> None:
    await make(FakeInference()).register_shield(shield())
    await make(FakeInference()).register_shield(shield(model="llama-3.1-8b"))


async def test_registering_an_unknown_model_is_a_400_listing_the_chat_models() -> None:
    with pytest.raises(BadRequestError) as caught:
        await make(FakeInference()).register_shield(shield(model="llama-guard-3-8b"))
    assert caught.value.status_code == 400 and caught.value.param == "provider_shield_id"
    assert "guard model 'llama-guard-3-8b' is not served by this stack" in caught.value.message
    assert caught.value.message.endswith("models: llama-3.1-8b, llama-guard-3-1b)"), "embedding models are not offered"


async def test_registering_an_embedding_model_is_a_400() -> None:
    with pytest.raises(BadRequestError, match="is an embedding model"):
        await make(FakeInference()).register_shield(shield(model="nomic-embed"))


@pytest.mark.parametrize("answer", [None, "", "I think this is fine.", "safe\nS1"])
async def test_an_unparseable_answer_is_a_provider_error_never_safe(answer: str | None) -> None:
    with pytest.raises(ProviderError) as caught:
        await make(FakeInference(answer)).run_shield(shield(), USER)
    error = caught.value
    assert error.status_code == 502 and error.code == "unparseable_guard_answer"
    assert error.message.startswith("provider 'guard': shield 'lg': guard model 'llama-guard-3-1b' did not answer")
    assert f"answer: {(answer or '')!r}" in error.message


async def test_a_long_unparseable_answer_is_quoted_shortened() -> None:
    with pytest.raises(ProviderError) as caught:
        await make(FakeInference("x" * 1000)).run_shield(shield(), USER)
    assert "x" * 200 in caught.value.message and "x" * 201 not in caught.value.message


async def test_a_model_gone_since_registration_is_a_503() -> None:
    inference = FakeInference(error=NotFoundError("model 'llama-guard-3-1b' not found; available models: none"))
    with pytest.raises(ProviderError) as caught:
        await make(inference).run_shield(shield(), USER)
    assert caught.value.status_code == 503
    assert "shield 'lg' cannot run: model 'llama-guard-3-1b' not found" in caught.value.message


async def test_upstream_errors_pass_through_with_their_meaning() -> None:
    with pytest.raises(RateLimitError) as caught:
        await make(FakeInference(error=RateLimitError("slow down", retry_after=3))).run_shield(shield(), USER)
    assert caught.value.retry_after == 3


async def test_a_config_policy_that_checks_nothing_is_refused_at_start() -> None:
    context = ProviderContext(
        api="safety", provider_id="guard", provider_type="inline::llama-guard",
        routers={"inference": FakeInference(), "models": FakeModels()},
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"provider 'guard' .*unknown categories"):
        create_provider(LlamaGuardConfig(excluded_categories=["S77"]), context)
    assert isinstance(create_provider(LlamaGuardConfig(excluded_categories=["S7"]), context), LlamaGuardShield)
