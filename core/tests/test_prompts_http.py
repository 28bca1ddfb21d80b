"""The prompts API over HTTP: a real uvicorn server on 127.0.0.1, driven with httpx (the
openai SDK has no prompts client). Errors must be OpenAI-shaped and name the field."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.testing.echo import EchoPlugin

MISSING = "pmpt_" + "0" * 48


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    tmp = tmp_path_factory.mktemp("prompts-http")
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    config = {
        "distribution_name": "prompts-http",
        "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
        "storage": {"kvstore": {"db_path": str(tmp / "kv.db")}, "sqlstore": {"db_path": str(tmp / "sql.db")}},
    }
    with BackgroundServer(config, host=host) as running:  # no `apis`: prompts needs nothing, so it is on
        yield running


@pytest.fixture
def http(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    return body


def test_create_update_version_and_delete(http: httpx.Client) -> None:
    created = http.post("/prompts", json={"prompt": "Hi {{ name }}", "variables": ["name"]})
    assert created.status_code == 200, created.text
    prompt = created.json()
    prompt_id = prompt["prompt_id"]
    assert {k: prompt[k] for k in ("version", "is_default", "variables")} == {
        "version": 1,
        "is_default": True,
        "variables": ["name"],
    }
    assert http.get(f"/prompts/{prompt_id}").json() == prompt

    second = http.post(f"/prompts/{prompt_id}", json={"prompt": "Hello {{ name }}", "version": 1}).json()
    assert (second["version"], second["is_default"]) == (2, True)
    # Llama Stack clients before 0.3 send PUT
    third = http.put(
        f"/prompts/{prompt_id}", json={"prompt": "Yo {{ name }}", "version": 2, "set_as_default": False}
    ).json()
    assert (third["version"], third["is_default"]) == (3, False)
    assert http.get(f"/prompts/{prompt_id}").json()["version"] == 2
    assert http.get(f"/prompts/{prompt_id}", params={"version": 1}).json()["prompt"] == "Hi {{ name }}"

    versions = http.get(f"/prompts/{prompt_id}/versions").json()["data"]
    assert [(v["version"], v["is_default"]) for v in versions] == [(1, False), (2, True), (3, False)]
    switched = http.post(f"/prompts/{prompt_id}/set-default-version", json={"version": 3}).json()
    assert (switched["version"], switched["is_default"]) == (3, True)
    assert http.put(f"/prompts/{prompt_id}/set-default-version", json={"version": 1}).json()["version"] == 1
    listed = {p["prompt_id"]: p for p in http.get("/prompts").json()["data"]}
    assert (listed[prompt_id]["version"], listed[prompt_id]["prompt"]) == (1, "Hi {{ name }}")

    deleted = http.delete(f"/prompts/{prompt_id}")
    assert deleted.json() == {"id": prompt_id, "object": "prompt.deleted", "deleted": True}
    assert error(http.get(f"/prompts/{prompt_id}"), 404)["param"] == "prompt_id"
    assert prompt_id not in [p["prompt_id"] for p in http.get("/prompts").json()["data"]]


def test_a_stale_update_is_a_409(http: httpx.Client) -> None:
    prompt_id = http.post("/prompts", json={"prompt": "a"}).json()["prompt_id"]
    assert http.post(f"/prompts/{prompt_id}", json={"prompt": "b", "version": 1}).status_code == 200
    stale = error(http.post(f"/prompts/{prompt_id}", json={"prompt": "c", "version": 1}), 409)
    assert stale["type"] == "conflict_error"
    assert stale["param"] == "version"
    assert "is at version 2, not 1" in stale["message"]


async def test_sixteen_concurrent_updates_one_wins(server: BackgroundServer) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        prompt_id = (await http.post("/prompts", json={"prompt": "base"})).json()["prompt_id"]
        responses = await asyncio.gather(
            *(http.post(f"/prompts/{prompt_id}", json={"prompt": f"edit {i}", "version": 1}) for i in range(16))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [409] * 15, [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 200)
        versions = (await http.get(f"/prompts/{prompt_id}/versions")).json()["data"]
        assert [v["prompt"] for v in versions] == ["base", winner["prompt"]]


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"prompt": "Hi {{ name }}", "variables": []}, "variables", "uses 'name' but does not declare it"),
        ({"prompt": "Hi", "variables": ["name"]}, "variables", "'name' is declared but"),
        ({"prompt": "Hi", "variables": ["a b"]}, "variables", "'a b' is not a valid variable name"),
        ({"prompt": "x", "temperature": 1}, "temperature", "Extra inputs are not permitted"),
        ({"variables": []}, "prompt", "Field required"),
        ({"prompt": 3}, "prompt", "valid string"),
        ({"prompt": "a\u0000b"}, "prompt", "NUL"),
    ],
)
def test_bad_creates_are_400s_naming_the_field(
    http: httpx.Client, body: dict[str, Any], param: str, words: str
) -> None:
    refused = error(http.post("/prompts", json=body), 400)
    assert refused["param"] == param
    assert words in refused["message"]


def test_bad_requests_on_a_prompt(http: httpx.Client) -> None:
    prompt_id = http.post("/prompts", json={"prompt": "x"}).json()["prompt_id"]
    assert error(http.get(f"/prompts/{prompt_id}", params={"version": "two"}), 400)["param"] == "version"
    assert error(http.get(f"/prompts/{prompt_id}", params={"version": 9}), 404)["param"] == "version"
    assert error(http.post(f"/prompts/{prompt_id}", json={"prompt": "y"}), 400)["param"] == "version"
    assert error(http.post(f"/prompts/{prompt_id}", json={"prompt": "y", "version": 2**40}), 400)["param"] == "version"
    assert error(http.post(f"/prompts/{prompt_id}", content=b"{not json"), 400)["type"] == "invalid_request_error"
    assert error(http.post(f"/prompts/{prompt_id}/set-default-version", json={}), 400)["param"] == "version"
    assert error(http.post(f"/prompts/{prompt_id}/set-default-version", json={"version": 4}), 404)["param"] == "version"


@pytest.mark.parametrize("prompt_id", [MISSING, "pmpt_nope", "%20"])
def test_unknown_prompts_are_404s(http: httpx.Client, prompt_id: str) -> None:
    for response in [
        http.get(f"/prompts/{prompt_id}"),
        http.post(f"/prompts/{prompt_id}", json={"prompt": "x", "version": 1}),
        http.delete(f"/prompts/{prompt_id}"),
        http.get(f"/prompts/{prompt_id}/versions"),
        http.post(f"/prompts/{prompt_id}/set-default-version", json={"version": 1}),
    ]:
        assert error(response, 404)["type"] == "not_found_error"


def test_openapi_documents_the_routes(server: BackgroundServer) -> None:
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    assert set(paths["/v1/prompts"]) == {"get", "post"}
    assert set(paths["/v1/prompts/{prompt_id}"]) == {"get", "post", "put", "delete"}
    assert set(paths["/v1/prompts/{prompt_id}/set-default-version"]) == {"post", "put"}
    assert set(paths["/v1/prompts/{prompt_id}/versions"]) == {"get"}
