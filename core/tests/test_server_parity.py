"""Library/server parity: one list of cases, run through ``Stack`` in-process and through the
official openai SDK against a real uvicorn server; the answers must agree.

Both sides serve the same run config (``inline::echo``). Ids and ``created`` timestamps
differ by nature and are left out of the comparison; everything else must be equal,
including errors (status and message).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from plugstack.errors import PlugstackError
from plugstack.plugins import PluginHost
from plugstack.server.background import BackgroundServer
from plugstack.stack import SyncStack

USER = [{"role": "user", "content": "the quick brown fox jumps over the lazy dog"}]
TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}]
JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "a", "schema": {"type": "object"}}}


@dataclass(frozen=True)
class Case:
    """``method`` is the ``stack.inference`` method; ``params`` go to it and to the SDK call."""

    name: str
    method: str
    params: dict[str, Any]


CASES = [
    Case("chat", "chat_completion", {"model": "echo-1", "messages": USER}),
    Case(
        "chat multi-turn",
        "chat_completion",
        {
            "model": "echo-1",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "first question"},
                {"role": "assistant", "content": "first answer"},
                {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "text", "text": "question"}]},
            ],
        },
    ),
    Case("chat stream", "chat_completion", {"model": "echo-1", "messages": USER, "stream": True}),
    Case(
        "chat stream usage",
        "chat_completion",
        {"model": "echo-1", "messages": USER, "stream": True, "stream_options": {"include_usage": True}},
    ),
    Case("chat tools", "chat_completion", {"model": "echo-1", "messages": USER, "tools": TOOLS}),
    Case("chat tools stream", "chat_completion", {"model": "echo-1", "messages": USER, "tools": TOOLS, "stream": True}),
    Case(
        "chat tool result",
        "chat_completion",
        {
            "model": "echo-1",
            "tools": TOOLS,
            "messages": [
                *USER,
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "found it"},
            ],
        },
    ),
    Case("chat n", "chat_completion", {"model": "echo-1", "messages": USER, "n": 2}),
    Case("chat stop", "chat_completion", {"model": "echo-1", "messages": USER, "stop": ["fox", "dog"]}),
    Case("chat max_tokens", "chat_completion", {"model": "echo-1", "messages": USER, "max_tokens": 3}),
    Case(
        "chat max_completion_tokens",
        "chat_completion",
        {"model": "echo-1", "messages": USER, "max_completion_tokens": 4},
    ),
    Case("chat json_schema", "chat_completion", {"model": "echo-1", "messages": USER, "response_format": JSON_SCHEMA}),
    Case("completion", "completion", {"model": "echo-1", "prompt": "one two three"}),
    Case("completion stream", "completion", {"model": "echo-1", "prompt": "one two three", "stream": True}),
    Case("completion max_tokens", "completion", {"model": "echo-1", "prompt": "one two three", "max_tokens": 1}),
    Case("embeddings float", "embeddings", {"model": "echo-embed", "input": ["a", "b c"], "encoding_format": "float"}),
    Case("embeddings base64", "embeddings", {"model": "echo-embed", "input": "a", "encoding_format": "base64"}),
    Case(
        "embeddings dimensions",
        "embeddings",
        {"model": "echo-embed", "input": "a", "dimensions": 4, "encoding_format": "float"},
    ),
    Case("error: unknown model", "chat_completion", {"model": "nope", "messages": USER}),
    Case("error: invalid field", "chat_completion", {"model": "echo-1", "messages": USER, "max_tokens": 0}),
    Case("error: empty messages", "chat_completion", {"model": "echo-1", "messages": []}),
    Case("error: llm for embeddings", "embeddings", {"model": "echo-1", "input": "a", "encoding_format": "float"}),
    Case("error: embedding model for chat", "chat_completion", {"model": "echo-embed", "messages": USER}),
]

SDK_CALLS = {
    "chat_completion": "chat.completions.create",
    "completion": "completions.create",
    "embeddings": "embeddings.create",
}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SyncStack, openai.OpenAI]]:
    """The same run config served in-process and over HTTP (each with its own registry)."""
    from plugstack.plugins import new_plugin_host
    from plugstack.testing.echo import EchoPlugin

    def config(state: Path) -> dict[str, Any]:
        return {
            "distribution_name": "parity",
            "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
            "storage": {"kvstore": {"db_path": str(state / "kvstore.db")}},
        }

    host: PluginHost = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    with (
        SyncStack.from_config(config(tmp_path_factory.mktemp("library")), host=host) as library,
        BackgroundServer(config(tmp_path_factory.mktemp("server")), host=host) as server,
        openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client,
    ):
        yield library, client


def comparable(value: Any) -> Any:
    """JSON-like data without ``id`` and ``created``, which differ between any two calls."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in ("id", "created")}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def through_library(library: SyncStack, case: Case) -> Any:
    try:
        result = getattr(library.inference, case.method)(**case.params)
    except PlugstackError as exc:
        return {"status": exc.status_code, "error": exc.to_dict()["error"]}
    if isinstance(result, BaseModel):
        return comparable(result.model_dump(mode="json"))
    return [comparable(chunk.model_dump(mode="json")) for chunk in result]


def through_server(client: openai.OpenAI, case: Case) -> Any:
    call: Any = client
    for name in SDK_CALLS[case.method].split("."):
        call = getattr(call, name)
    try:
        result = call(**case.params)
    except openai.APIStatusError as exc:
        return {"status": exc.status_code, "error": exc.body}
    if isinstance(result, openai.BaseModel):
        return sent_fields(result)
    return [sent_fields(chunk) for chunk in result]


def sent_fields(model: openai.BaseModel) -> Any:
    """Exactly the fields the server sent, as the SDK parsed them (a base64 embedding is a
    ``str`` where the SDK's type says ``list[float]``: hence no serializer warnings)."""
    return comparable(model.model_dump(mode="json", exclude_unset=True, warnings=False))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_library_and_server_agree(both: tuple[SyncStack, openai.OpenAI], case: Case) -> None:
    library, client = both
    expected = through_library(library, case)
    actual = through_server(client, case)
    assert actual == expected
    if case.name.startswith("error"):
        assert expected["status"] in (400, 404)
    else:
        assert "status" not in expected


def test_models_agree(both: tuple[SyncStack, openai.OpenAI]) -> None:
    library, client = both
    expected = comparable(library.models.list_models().model_dump(mode="json")["data"])
    assert [sent_fields(m) for m in client.models.list()] == expected
    assert sent_fields(client.models.retrieve("echo-embed")) == comparable(
        library.models.get_model("echo-embed").model_dump(mode="json")
    )
