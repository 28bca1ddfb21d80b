"""Every error is OpenAI-shaped with the right status, through a real uvicorn server.

Where a provider must fail in a way ``inline::echo`` cannot (rate limit, upstream 5xx, a
bug), the test replaces one method of the running echo provider with a function that
raises: the server, router and SDK around it are real.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from plugstack.errors import ProviderError, RateLimitError
from plugstack.plugins import PluginHost
from plugstack.server.background import BackgroundServer

USER = [{"role": "user", "content": "hello"}]


@pytest.fixture
def client(echo_server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=echo_server.base_url, api_key="unused", max_retries=0) as client:
        yield client


@pytest.fixture
def http(echo_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=echo_server.base_url) as http:
        yield http


def assert_openai_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, Any] = body["error"]
    return error


def test_malformed_json_is_a_400(http: httpx.Client) -> None:
    error = assert_openai_error(http.post("/chat/completions", content=b'{"model": "echo-1", '), 400)
    assert error["type"] == "invalid_request_error"
    assert "Invalid JSON" in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "echo-1", "messages": USER, "max_tokens": "many"}, "max_tokens"),
        ({"model": "echo-1", "messages": "hello"}, "messages"),
        ({"model": "echo-1", "messages": [{"role": "robot", "content": "x"}]}, "messages.0.role"),
        ({"messages": USER}, "model"),
        ({"model": "echo-1", "messages": USER, "temperature": -1}, "temperature"),
        ({"model": "echo-1", "messages": USER, "n": 129}, "n"),
        ({"model": "echo-1", "messages": [{"role": "user", "content": 5}]}, "messages.0.content"),  # a union
        ({"model": "echo-1", "messages": USER, "tools": [{"type": "function"}]}, "tools"),
    ],
)
def test_invalid_field_is_a_400_naming_it(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    error = assert_openai_error(http.post("/chat/completions", json=body), 400)
    assert error["param"] == field
    assert error["message"].startswith(f"invalid request: {field}: ")
    for internal in ["pydantic", "ChatCompletionRequest", "list[", "dict[", ".str"]:
        assert internal not in error["message"]


def test_unknown_model_is_a_404_naming_the_known_ones(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-nope", messages=USER)  # type: ignore[arg-type]
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["code"] == "model_not_found" and body["param"] == "model"
    assert "'gpt-nope'" in body["message"] and "echo-1" in body["message"] and "echo-embed" in body["message"]


def test_wrong_model_type_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="echo-1"):
        client.embeddings.create(model="echo-1", input="x")


def test_unknown_route_is_a_404_and_wrong_method_a_405(http: httpx.Client) -> None:
    error = assert_openai_error(http.get("/no/such/route"), 404)
    assert error["code"] == "route_not_found" and "/v1/no/such/route" in error["message"]
    response = http.put("/chat/completions", json={})
    error = assert_openai_error(response, 405)
    assert response.headers["allow"] == "POST"
    assert "PUT" in error["message"]


def test_rate_limit_passes_on_status_retry_after_and_provider(
    echo_server: BackgroundServer, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def limited(request: Any) -> Any:
        raise RateLimitError("slow down", retry_after=1.5)

    monkeypatch.setattr(echo_server.stack.providers[0].impl, "chat_completion", limited)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="echo-1", messages=USER)  # type: ignore[arg-type]
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.body == {
        "message": "provider 'echo': slow down",
        "type": "rate_limit_error",
        "param": None,
        "code": None,
    }


def test_upstream_5xx_passes_on_with_the_provider_named(
    echo_server: BackgroundServer, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unavailable(request: Any) -> Any:
        raise ProviderError("upstream is overloaded", provider_id="echo", status_code=503)

    monkeypatch.setattr(echo_server.stack.providers[0].impl, "embeddings", unavailable)
    with pytest.raises(openai.InternalServerError) as caught:
        client.embeddings.create(model="echo-embed", input="x")
    assert caught.value.status_code == 503
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["message"] == "provider 'echo': upstream is overloaded"


def test_unexpected_exception_is_a_500_with_request_id_and_no_traceback(
    echo_server: BackgroundServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def buggy(request: Any) -> Any:
        raise KeyError("secret-internal-detail")

    monkeypatch.setattr(echo_server.stack.providers[0].impl, "chat_completion", buggy)
    with caplog.at_level(logging.ERROR, logger="plugstack.server"):
        response = http.post("/chat/completions", json={"model": "echo-1", "messages": USER})
    error = assert_openai_error(response, 500)
    request_id = response.headers["x-request-id"]
    assert request_id in error["message"]
    assert "secret-internal-detail" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "plugstack.server" and request_id in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None  # the traceback is in the server log
    monkeypatch.undo()
    assert http.post("/chat/completions", json={"model": "echo-1", "messages": USER}).status_code == 200


def small_limit_config(tmp_path: Path, echo_config: dict[str, Any], **server: Any) -> dict[str, Any]:
    return {**echo_config, "server": server, "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}}}


def test_body_over_the_limit_is_a_413(tmp_path: Path, echo_config: dict[str, Any], host: PluginHost) -> None:
    config = small_limit_config(tmp_path, echo_config, max_request_body_bytes=2048)
    huge = {"model": "echo-1", "messages": [{"role": "user", "content": "x" * 100_000}]}
    with BackgroundServer(config, host=host) as server, httpx.Client(base_url=server.base_url) as http:
        declared = http.post("/chat/completions", json=huge)  # Content-Length says it all
        error = assert_openai_error(declared, 413)
        assert error["code"] == "request_too_large" and "2048" in error["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            yield b'{"model": "echo-1", "messages": [{"role": "user", "content": "'
            for _ in range(100):
                yield b"x" * 1000
            yield b'"}]}'

        chunked = http.post("/chat/completions", content=chunks())
        assert_openai_error(chunked, 413)
        small = http.post("/chat/completions", json={"model": "echo-1", "messages": USER})
        assert small.status_code == 200


def test_auth(tmp_path: Path, echo_config: dict[str, Any], host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PLUGSTACK_API_KEY", "sk-right")
    config = small_limit_config(tmp_path, echo_config, auth={"api_keys": ["${env.TEST_PLUGSTACK_API_KEY}", "sk-other"]})
    with BackgroundServer(config, host=host) as server:
        for key in [None, "sk-wrong"]:
            headers = {"authorization": f"Bearer {key}"} if key else {}
            response = httpx.get(server.base_url + "/models", headers=headers)
            error = assert_openai_error(response, 401)
            assert error["code"] == "invalid_api_key"
            assert "sk-right" not in response.text
        with openai.OpenAI(base_url=server.base_url, api_key="sk-wrong", max_retries=0) as wrong:
            with pytest.raises(openai.AuthenticationError):
                wrong.models.list()
        for key in ["sk-right", "sk-other"]:
            with openai.OpenAI(base_url=server.base_url, api_key=key, max_retries=0) as right:
                reply = right.chat.completions.create(model="echo-1", messages=USER)  # type: ignore[arg-type]
                assert reply.choices[0].message.content == "hello"
        assert httpx.get(server.base_url + "/health").status_code == 200  # health checks need no key
        assert_openai_error(httpx.get(server.url + "/openapi.json"), 401)
        document = httpx.get(server.url + "/openapi.json", headers={"authorization": "Bearer sk-right"}).json()
        assert document["security"] == [{"bearer": []}]
        assert document["paths"]["/v1/health"]["get"]["security"] == []
