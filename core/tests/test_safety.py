"""Shields, run-shield, moderations and guardrails, on the in-process ``inline::words`` shield.

Library-mode tests call ``stack.safety``; HTTP tests run a real uvicorn server and use the
official openai SDK (moderations, guarded chat) or httpx (Llama Stack's run-shield route).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import openai
import pytest

from plugstack.errors import BadRequestError, ConfigError, ConflictError, NotFoundError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.safety_conformance import SafetyConformance
from plugstack.testing.word_shield import WordShieldPlugin

WORDS = {"provider_id": "words", "provider_type": "inline::words", "config": {}}
ECHO = {"provider_id": "echo", "provider_type": "inline::echo", "config": {}}


def safety_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(WordShieldPlugin(), name="words")
    assert host.register(EchoPlugin(), name="echo")
    return host


def config(tmp_path: Path, **resources: Any) -> dict[str, Any]:
    return {
        "distribution_name": "safety-test",
        "providers": {"safety": [WORDS], "inference": [ECHO]},
        "registered_resources": resources,
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }


class TestWordShieldConformance(SafetyConformance):
    """The suite itself, on a deterministic shield that needs no network."""

    shield_id = "words"
    unsafe_text = "tell me the forbidden recipe"
    unsupported: ClassVar[dict[str, str]] = {}

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {"distribution_name": "words-conformance", "providers": {"safety": [WORDS]}}

    @classmethod
    def plugin_host(cls) -> PluginHost:
        return safety_host()


# -- shields table ---------------------------------------------------------------------


async def test_shields_come_from_the_provider_and_the_run_config(tmp_path: Path) -> None:
    configured = [{"shield_id": "no-secrets", "params": {"blocked": ["password"]}}]
    async with await Stack.from_config(config(tmp_path, shields=configured), host=safety_host()) as stack:
        assert [s.id for s in stack.shields.list()] == ["words", "no-secrets"]
        shield = stack.shields.get("no-secrets")
        assert (shield.provider_id, shield.provider_resource_id) == ("words", "no-secrets")
        blocked = await stack.safety.run_shield(
            shield_id="no-secrets", messages=[{"role": "user", "content": "my password is hunter2"}]
        )
        assert blocked.violation is not None and blocked.violation.metadata == {"words": ["password"]}
        # the default shield does not block that word: params are the shield's own
        passed = await stack.safety.run_shield(
            shield_id="words", messages=[{"role": "user", "content": "my password is hunter2"}]
        )
        assert passed.violation is None


async def test_a_registered_shield_survives_a_restart_and_can_be_unregistered(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        await stack.shields.register(stack.shields.request_class(shield_id="no-spam", params={"blocked": ["lottery"]}))
        with pytest.raises(ConflictError):
            await stack.shields.register(stack.shields.request_class(shield_id="no-spam"))
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        assert stack.shields.get("no-spam").params == {"blocked": ["lottery"]}
        await stack.shields.unregister("no-spam")
        with pytest.raises(BadRequestError, match="listed by provider 'words'"):
            await stack.shields.unregister("words")
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        with pytest.raises(NotFoundError):
            stack.shields.get("no-spam")


async def test_the_provider_checks_a_shields_params(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        with pytest.raises(BadRequestError, match=r"params\.blocked"):
            await stack.shields.register(stack.shields.request_class(shield_id="bad", params={"blocked": "x"}))
        assert "bad" not in [s.id for s in stack.shields.list()]


async def test_call_params_override_the_shields_own(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        response = await stack.safety.run_shield(
            shield_id="words", messages=[{"role": "user", "content": "a lottery win"}], params={"blocked": ["lottery"]}
        )
        assert response.violation is not None


# -- moderations -----------------------------------------------------------------------


async def test_moderation_of_content_parts_is_one_result(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        parts = [{"type": "text", "text": "hello"}, {"type": "text", "text": "forbidden"}]
        response = await stack.safety.create_moderation(input=parts)
        [result] = response.results
        assert result.flagged and result.categories["harassment"]
        assert result.category_applied_input_types == {"harassment": ["text"]}
        assert response.model == "words", "with no model, the first shield moderates"


@pytest.mark.parametrize(
    ("moderation_input", "message"),
    [([], "must not be empty"), ([{"type": "audio"}], "of type 'text' or 'image_url'"), ([1, "a"], "input")],
)
async def test_bad_moderation_input_is_a_400(tmp_path: Path, moderation_input: Any, message: str) -> None:
    async with await Stack.from_config(config(tmp_path), host=safety_host()) as stack:
        with pytest.raises(BadRequestError, match=message):
            await stack.safety.create_moderation(input=moderation_input, model="words")


async def test_moderation_with_no_safety_provider_says_so(tmp_path: Path) -> None:
    no_safety = {"distribution_name": "t", "providers": {"inference": [ECHO]}}
    async with await Stack.from_config(no_safety, host=safety_host()) as stack:
        with pytest.raises(NotImplementedByProviderError, match="enables no provider for the safety API"):
            await stack.safety.create_moderation(input="hi")


# -- guardrails ------------------------------------------------------------------------


async def test_guardrails_refuse_a_request_before_inference(tmp_path: Path) -> None:
    rules = [{"models": ["echo-1"], "input_shields": ["words"]}]
    async with await Stack.from_config(config(tmp_path, guardrails=rules), host=safety_host()) as stack:
        with pytest.raises(BadRequestError, match="blocked the request: I can't talk about forbidden") as caught:
            await stack.inference.chat_completion(
                model="echo-1", messages=[{"role": "user", "content": "the forbidden word"}]
            )
        assert caught.value.code == "content_filter"
        ok = await stack.inference.chat_completion(model="echo-1", messages=[{"role": "user", "content": "hello"}])
        assert ok.choices[0].message.content == "hello"


async def test_guardrails_check_the_answer_and_only_the_models_named(tmp_path: Path) -> None:
    rules = [{"models": ["echo-1"], "output_shields": ["words"]}]
    cfg = config(tmp_path, guardrails=rules)
    cfg["providers"]["inference"] = [{**ECHO, "config": {"models": ["echo-1", "echo-2"]}}]
    async with await Stack.from_config(cfg, host=safety_host()) as stack:
        messages = [{"role": "user", "content": "say forbidden"}]
        with pytest.raises(BadRequestError, match="blocked the answer"):
            await stack.inference.chat_completion(model="echo-1", messages=messages)
        unguarded = await stack.inference.chat_completion(model="echo-2", messages=messages)
        assert unguarded.choices[0].message.content == "say forbidden"


async def test_guardrails_naming_an_unknown_shield_stop_the_start(tmp_path: Path) -> None:
    rules = [{"models": ["*"], "input_shields": ["nope"]}]
    with pytest.raises(ConfigError, match=r"guardrails\[0\]: unknown shield 'nope'; shields: words"):
        await Stack.from_config(config(tmp_path, guardrails=rules), host=safety_host())


async def test_a_guardrail_with_a_typo_stops_the_start(tmp_path: Path) -> None:
    rules = [{"models": ["*"], "input_shield": ["words"]}]
    with pytest.raises(ConfigError, match="input_shield"):
        await Stack.from_config(config(tmp_path, guardrails=rules), host=safety_host())


# -- over HTTP -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    tmp = tmp_path_factory.mktemp("safety-http")
    rules = [
        {"models": ["echo-1"], "input_shields": ["words"], "output_shields": ["words"]},
        {"models": ["echo-3"], "output_shields": ["words"], "stream_check_chars": 8},
    ]
    cfg = config(tmp, guardrails=rules)
    cfg["providers"]["inference"] = [{**ECHO, "config": {"models": ["echo-1", "echo-2", "echo-3"]}}]
    with BackgroundServer(cfg, host=safety_host()) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        yield client


def test_openai_sdk_moderations(client: openai.OpenAI) -> None:
    response = client.moderations.create(model="words", input=["good morning", "the forbidden fruit"])
    assert response.id.startswith("modr-") and response.model == "words"
    assert [r.flagged for r in response.results] == [False, True]
    assert response.results[1].categories.harassment is True
    assert response.results[0].categories.violence is False


def test_openai_sdk_moderation_of_an_unknown_model_is_a_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.moderations.create(model="omni-moderation-latest", input="hi")
    assert caught.value.body["code"] == "model_not_found"  # type: ignore[index]
    assert "shields: words" in caught.value.body["message"]  # type: ignore[index]


def test_run_shield_route(server: BackgroundServer) -> None:
    url = f"{server.base_url}/safety/run-shield"
    blocked = httpx.post(url, json={"shield_id": "words", "messages": [{"role": "user", "content": "forbidden"}]})
    assert blocked.status_code == 200
    assert blocked.json()["violation"]["violation_level"] == "error"
    unknown = httpx.post(url, json={"shield_id": "nope", "messages": [{"role": "user", "content": "hi"}]})
    assert unknown.status_code == 404 and "nope" in unknown.json()["error"]["message"]
    empty = httpx.post(url, json={"shield_id": "words", "messages": []})
    assert empty.status_code == 400 and empty.json()["error"]["param"] == "messages"


def test_shields_routes(server: BackgroundServer) -> None:
    base = f"{server.base_url}/shields"
    created = httpx.post(base, json={"shield_id": "no-lottery", "params": {"blocked": ["lottery"]}})
    assert created.status_code == 200, created.text
    assert created.json()["provider_id"] == "words"
    assert "no-lottery" in [s["id"] for s in httpx.get(base).json()["data"]]
    assert httpx.get(f"{base}/no-lottery").json()["params"] == {"blocked": ["lottery"]}
    assert httpx.post(base, json={"shield_id": "no-lottery"}).status_code == 409
    assert httpx.post(base, json={"shield_id": "x", "params": {"blocked": 3}}).status_code == 400
    assert httpx.delete(f"{base}/no-lottery").status_code == 200
    assert httpx.get(f"{base}/no-lottery").status_code == 404


def test_guarded_chat_over_http(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="echo-1", messages=[{"role": "user", "content": "forbidden"}])
    assert caught.value.code == "content_filter"
    answer = client.chat.completions.create(model="echo-1", messages=[{"role": "user", "content": "hello there"}])
    assert answer.choices[0].message.content == "hello there"


def test_a_guarded_stream_passes_safe_text_whole(client: openai.OpenAI) -> None:
    text = "one two three four five six seven eight nine ten"
    stream = client.chat.completions.create(model="echo-1", messages=[{"role": "user", "content": text}], stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == text


def test_a_violation_mid_stream_ends_it_with_an_error_event(server: BackgroundServer) -> None:
    # echo-3 has output shields only; its answer is checked every 8 characters, so the first
    # words reach the client, and the stream ends with an error event instead of the chunk
    # that brings "forbidden".
    text = "alpha beta gamma delta epsilon forbidden zeta eta"
    contents: list[str] = []
    errors: list[dict[str, Any]] = []
    with httpx.stream(
        "POST",
        f"{server.base_url}/chat/completions",
        json={"model": "echo-3", "stream": True, "messages": [{"role": "user", "content": text}]},
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line.removeprefix("data: "))
            if "error" in event:
                errors.append(event["error"])
            else:
                contents.extend(c["delta"].get("content") or "" for c in event["choices"])
    streamed = "".join(contents)
    assert streamed and text.startswith(streamed)
    assert "forbidden" not in streamed
    [error] = errors
    assert error["code"] == "content_filter" and "blocked the answer" in error["message"]


def test_the_openai_sdk_raises_on_a_stream_a_shield_ends(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="echo-3", messages=[{"role": "user", "content": "one two three four forbidden"}], stream=True
    )
    received: list[str] = []
    with pytest.raises(openai.APIError, match="blocked the answer"):
        for chunk in stream:
            received.extend(c.delta.content or "" for c in chunk.choices)
    assert "forbidden" not in "".join(received)


async def test_a_shield_that_asks_a_guarded_model_is_not_guarded_itself(tmp_path: Path) -> None:
    # The shield asks echo-1, which the guardrail guards with that same shield: its own call
    # must go straight to the model, or every check would recurse and refuse itself.
    cfg = config(tmp_path, guardrails=[{"models": ["*"], "input_shields": ["words"]}])
    cfg["providers"]["safety"] = [{**WORDS, "config": {"ask_model": "echo-1"}}]
    async with await Stack.from_config(cfg, host=safety_host()) as stack:
        moderation = await stack.safety.create_moderation(input="forbidden", model="words")
        assert moderation.results[0].flagged
        run = await stack.safety.run_shield(shield_id="words", messages=[{"role": "user", "content": "forbidden"}])
        assert run.violation is not None
        with pytest.raises(BadRequestError, match="blocked the request"):
            await stack.inference.chat_completion(model="echo-1", messages=[{"role": "user", "content": "forbidden"}])
        ok = await stack.inference.chat_completion(model="echo-1", messages=[{"role": "user", "content": "fine"}])
        assert ok.choices[0].message.content == "fine"
