"""Routing by model id, routing-table merges, and registry persistence across restarts."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

from plugstack import Stack
from plugstack.apis.models import RegisterModelRequest
from plugstack.errors import BadRequestError, ConflictError, NotFoundError
from plugstack.plugins import PluginHost


def two_echoes(db_path: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "distribution_name": "routing",
        "providers": {
            "inference": [
                {"provider_id": "a", "provider_type": "inline::echo", "config": {"models": ["shared", "only-a"]}},
                {
                    "provider_id": "b",
                    "provider_type": "inline::echo",
                    "config": {"models": ["shared", "only-b"], "embedding_models": []},
                },
            ]
        },
    }
    if db_path:
        config["storage"] = {"kvstore": {"db_path": db_path}}
    return config


async def test_models_from_all_providers_are_merged(host: PluginHost) -> None:
    async with await Stack.from_config(two_echoes(), host=host) as stack:
        listed = {m.id: (m.provider_id, m.provider_resource_id) for m in (await stack.models.list_models()).data}
    assert listed == {
        "shared": ("a", "shared"),
        "only-a": ("a", "only-a"),
        "echo-embed": ("a", "echo-embed"),
        "b/shared": ("b", "shared"),  # the second provider's duplicate is qualified
        "only-b": ("b", "only-b"),
    }


async def test_each_model_id_routes_to_its_provider(host: PluginHost) -> None:
    async with await Stack.from_config(two_echoes(), host=host) as stack:
        calls: list[tuple[str, str]] = []
        for provider in stack.providers:
            original = provider.impl.chat_completion

            async def spy(request: Any, _id: str = provider.provider_id, _orig: Any = original) -> Any:
                calls.append((_id, request.model))
                return await _orig(request)

            provider.impl.chat_completion = spy
        for model in ["shared", "only-a", "b/shared", "only-b", "a/only-a"]:
            reply = await stack.inference.chat_completion(model=model, messages=[{"role": "user", "content": "hi"}])
            assert reply.model == model  # the caller's id comes back, not the provider's
    assert calls == [("a", "shared"), ("a", "only-a"), ("b", "shared"), ("b", "only-b"), ("a", "only-a")]


async def test_unknown_model_is_not_found_and_names_the_models(host: PluginHost) -> None:
    async with await Stack.from_config(two_echoes(), host=host) as stack:
        with pytest.raises(NotFoundError) as info:
            await stack.inference.chat_completion(model="gpt-99", messages=[{"role": "user", "content": "hi"}])
    assert "model 'gpt-99' not found" in info.value.message
    assert "only-a" in info.value.message and "only-b" in info.value.message
    assert info.value.status_code == 404


async def test_model_type_is_enforced(host: PluginHost) -> None:
    async with await Stack.from_config(two_echoes(), host=host) as stack:
        with pytest.raises(BadRequestError, match="is an embedding model"):
            await stack.inference.chat_completion(model="echo-embed", messages=[{"role": "user", "content": "x"}])
        with pytest.raises(BadRequestError, match="not an embedding model"):
            await stack.inference.embeddings(model="only-a", input="x")


async def test_base64_embeddings_decode_to_the_float_ones(host: PluginHost) -> None:
    async with await Stack.from_config(two_echoes(), host=host) as stack:
        floats = await stack.inference.embeddings(model="echo-embed", input=["one", "two"])
        encoded = await stack.inference.embeddings(model="echo-embed", input=["one", "two"], encoding_format="base64")
    for f, e in zip(floats.data, encoded.data, strict=True):
        assert isinstance(e.embedding, str)
        decoded = struct.unpack(f"<{len(f.embedding)}f", base64.b64decode(e.embedding))
        assert decoded == pytest.approx(f.embedding, abs=1e-6)


async def test_registered_models_survive_a_restart(host: PluginHost, tmp_path: Any) -> None:
    config = two_echoes(str(tmp_path / "kv.db"))
    async with await Stack.from_config(config, host=host) as stack:
        model = await stack.models.register_model(
            RegisterModelRequest(model_id="my-alias", provider_id="b", provider_model_id="only-b")
        )
        assert model.provider_resource_id == "only-b"
        with pytest.raises(ConflictError):
            await stack.models.register_model(RegisterModelRequest(model_id="my-alias", provider_id="a"))
        with pytest.raises(BadRequestError, match="provider_id is required"):
            await stack.models.register_model(RegisterModelRequest(model_id="other"))
        with pytest.raises(NotFoundError, match="provider 'zzz' not found"):
            await stack.models.register_model(RegisterModelRequest(model_id="other", provider_id="zzz"))
    async with await Stack.from_config(config, host=host) as stack:
        alias = await stack.models.get_model("my-alias")
        assert (alias.provider_id, alias.provider_resource_id) == ("b", "only-b")
        reply = await stack.inference.chat_completion(model="my-alias", messages=[{"role": "user", "content": "kept"}])
        assert reply.choices[0].message.content == "kept"
        with pytest.raises(BadRequestError, match="listed by provider 'a'"):
            await stack.models.unregister_model("only-a")
        await stack.models.unregister_model("my-alias")
    async with await Stack.from_config(config, host=host) as stack:
        with pytest.raises(NotFoundError):
            await stack.models.get_model("my-alias")


async def test_models_registered_in_the_run_config(host: PluginHost) -> None:
    config = two_echoes()
    config["registered_resources"] = {
        "models": [{"model_id": "fast", "provider_id": "a", "provider_model_id": "only-a"}]
    }
    async with await Stack.from_config(config, host=host) as stack:
        assert (await stack.models.get_model("fast")).provider_resource_id == "only-a"


async def test_malformed_tools_are_a_bad_request_naming_the_tool(host: PluginHost) -> None:
    async with await Stack.from_config(two_echoes(), host=host) as stack:
        for tools, expected in [
            ([{"type": "function"}], r"tools\[0\] must be"),
            (
                [{"type": "function", "function": {"name": "ok"}}, {"function": {"name": ""}}],
                r"tools\[1\]\.function\.name",
            ),
            ([{"type": "function", "function": {"name": "f", "parameters": "x"}}], r"tools\[0\]\.function\.parameters"),
        ]:
            with pytest.raises(BadRequestError, match=expected):
                await stack.inference.chat_completion(
                    model="only-a", messages=[{"role": "user", "content": "x"}], tools=tools
                )
