"""The HTTP server through the official openai SDK: models, chat, completions, embeddings, meta.

A real uvicorn server on 127.0.0.1 serves the in-process ``inline::echo`` provider.
"""

from __future__ import annotations

import base64
import json
import logging
import struct
from collections.abc import Iterator

import httpx
import openai
import pytest
from openapi_spec_validator import validate

from plugstack import __version__
from plugstack.server.background import BackgroundServer
from plugstack.server.routing import ApiRoute

USER = [{"role": "user", "content": "the quick brown fox jumps"}]


@pytest.fixture
def client(echo_server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=echo_server.base_url, api_key="unused", max_retries=0) as client:
        yield client


def test_models_list_and_retrieve(client: openai.OpenAI) -> None:
    listed = {model.id: model for model in client.models.list()}
    assert set(listed) >= {"echo-1", "echo-embed"}
    assert listed["echo-1"].owned_by == "echo"
    retrieved = client.models.retrieve("echo-embed")
    assert retrieved.id == "echo-embed"
    assert retrieved.model_extra is not None and retrieved.model_extra["model_type"] == "embedding"


def test_register_use_and_delete_a_model(echo_server: BackgroundServer, client: openai.OpenAI) -> None:
    registered = httpx.post(
        echo_server.base_url + "/models",
        json={"model_id": "team/alias-1", "provider_id": "echo", "provider_model_id": "echo-1"},
    )
    assert registered.status_code == 200, registered.text
    assert registered.json()["provider_resource_id"] == "echo-1"
    assert client.models.retrieve("team/alias-1").id == "team/alias-1"  # a slash in the id: {model_id:path}
    reply = client.chat.completions.create(model="team/alias-1", messages=USER)
    assert reply.model == "team/alias-1"
    assert reply.choices[0].message.content == "the quick brown fox jumps"

    deleted = client.models.delete("team/alias-1")
    assert deleted.deleted and deleted.id == "team/alias-1"
    with pytest.raises(openai.NotFoundError, match="team/alias-1"):
        client.models.retrieve("team/alias-1")


def test_register_twice_is_a_conflict(echo_server: BackgroundServer) -> None:
    body = {"model_id": "twice", "provider_model_id": "echo-1"}
    assert httpx.post(echo_server.base_url + "/models", json=body).status_code == 200
    again = httpx.post(echo_server.base_url + "/models", json=body)
    assert again.status_code == 409
    assert again.json()["error"]["param"] == "model_id"


def test_chat_completion(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="echo-1", messages=USER)
    assert reply.object == "chat.completion"
    assert reply.model == "echo-1"
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].message.content == "the quick brown fox jumps"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None and reply.usage.completion_tokens == 5


def test_chat_tools(client: openai.OpenAI) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}]
    reply = client.chat.completions.create(model="echo-1", messages=USER, tools=tools)  # type: ignore[arg-type]
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "lookup"
    assert json.loads(call.function.arguments) == {"text": "the quick brown fox jumps"}


def test_chat_n_choices(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="echo-1", messages=USER, n=3)
    assert [choice.index for choice in reply.choices] == [0, 1, 2]
    assert {choice.message.content for choice in reply.choices} == {"the quick brown fox jumps"}


def test_chat_stop(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="echo-1", messages=USER, stop=["fox"])
    assert reply.choices[0].message.content == "the quick brown"


@pytest.mark.parametrize("limit", ["max_tokens", "max_completion_tokens"])
def test_chat_token_limit_finishes_with_length(client: openai.OpenAI, limit: str) -> None:
    reply = client.chat.completions.create(model="echo-1", messages=USER, **{limit: 2})  # type: ignore[call-overload]
    assert reply.choices[0].message.content == "the quick"
    assert reply.choices[0].finish_reason == "length"


def test_chat_response_format_json_schema_is_accepted(client: openai.OpenAI) -> None:
    schema = {"name": "answer", "schema": {"type": "object", "properties": {"text": {"type": "string"}}}}
    reply = client.chat.completions.create(
        model="echo-1", messages=USER, response_format={"type": "json_schema", "json_schema": schema}
    )
    assert reply.choices[0].message.content == "the quick brown fox jumps"


def test_completion_plain_and_streamed(client: openai.OpenAI) -> None:
    reply = client.completions.create(model="echo-1", prompt="one two three", max_tokens=2)
    assert reply.choices[0].text == "one two"
    assert reply.choices[0].finish_reason == "length"
    chunks = list(client.completions.create(model="echo-1", prompt="one two three", stream=True))
    assert "".join(chunk.choices[0].text for chunk in chunks) == "one two three"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_embeddings_float_and_base64_agree(client: openai.OpenAI) -> None:
    floats = client.embeddings.create(model="echo-embed", input=["a", "b c"], encoding_format="float")
    assert [item.index for item in floats.data] == [0, 1]
    assert len(floats.data[0].embedding) == 8
    encoded = client.embeddings.create(model="echo-embed", input=["a", "b c"], encoding_format="base64")
    for as_float, as_base64 in zip(floats.data, encoded.data, strict=True):
        raw = base64.b64decode(as_base64.embedding)  # type: ignore[arg-type]
        assert list(struct.unpack(f"<{len(raw) // 4}f", raw)) == pytest.approx(as_float.embedding, rel=1e-6)
    # the SDK's default asks for base64 and decodes it itself
    default = client.embeddings.create(model="echo-embed", input="a")
    assert default.data[0].embedding == pytest.approx(floats.data[0].embedding, rel=1e-6)
    assert default.usage.prompt_tokens == 1


def test_embeddings_dimensions(client: openai.OpenAI) -> None:
    reply = client.embeddings.create(model="echo-embed", input="a", dimensions=16, encoding_format="float")
    assert len(reply.data[0].embedding) == 16


def test_health_version_providers(echo_server: BackgroundServer) -> None:
    assert httpx.get(echo_server.base_url + "/health").json() == {"status": "OK"}
    assert httpx.get(echo_server.base_url + "/version").json() == {"version": __version__}
    providers = httpx.get(echo_server.base_url + "/providers").json()
    assert providers == {
        "data": [
            {"provider_id": "echo", "api": "inference", "provider_type": "inline::echo", "health": {"status": "OK"}}
        ]
    }


def test_inspect_routes_lists_every_api_route(echo_server: BackgroundServer) -> None:
    listed = {(r["method"], r["route"]) for r in httpx.get(echo_server.base_url + "/inspect/routes").json()["data"]}
    assert listed == {(r.method, r.path) for r in echo_server.app.routes if isinstance(r, ApiRoute)}
    assert {
        ("POST", "/v1/chat/completions"),
        ("POST", "/v1/completions"),
        ("POST", "/v1/embeddings"),
        ("GET", "/v1/models"),
        ("POST", "/v1/models"),
        ("GET", "/v1/models/{model_id:path}"),
        ("DELETE", "/v1/models/{model_id:path}"),
        ("GET", "/v1/health"),
        ("GET", "/v1/version"),
        ("GET", "/v1/providers"),
        ("GET", "/v1/inspect/routes"),
        ("GET", "/openapi.json"),
    } <= listed


def test_openapi_is_valid_3_1_and_describes_every_route(echo_server: BackgroundServer) -> None:
    document = httpx.get(echo_server.url + "/openapi.json").json()
    validate(document)  # raises on an invalid OpenAPI document
    assert document["openapi"].startswith("3.1")
    app_routes = [r for r in echo_server.app.routes if isinstance(r, ApiRoute)]
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert described == {(r.method, r.path.replace(":path}", "}")) for r in app_routes}
    chat = document["paths"]["/v1/chat/completions"]["post"]
    assert chat["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChatCompletionRequest"
    }
    assert "text/event-stream" in chat["responses"]["200"]["content"]
    assert "messages" in document["components"]["schemas"]["ChatCompletionRequest"]["properties"]


def test_every_response_carries_a_request_id(echo_server: BackgroundServer) -> None:
    ids = set()
    with httpx.Client(base_url=echo_server.base_url) as http:
        responses = [
            http.get("/models"),
            http.get("/no-such-route"),
            http.post("/chat/completions", content=b"{"),
            http.post("/chat/completions", json={"model": "echo-1", "messages": USER, "stream": True}),
        ]
    for response in responses:
        request_id = response.headers["x-request-id"]
        assert len(request_id) == 32
        ids.add(request_id)
    assert len(ids) == len(responses)


def test_access_log_is_one_line_per_request(echo_server: BackgroundServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="plugstack.access"):
        response = httpx.post(echo_server.base_url + "/chat/completions", json={"model": "echo-1", "messages": USER})
    lines = [r.getMessage() for r in caplog.records if r.name == "plugstack.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("POST /v1/chat/completions 200 ")
    assert "ms model=echo-1 provider=echo request_id=" + response.headers["x-request-id"] in line
