"""The shield over HTTP: a real server (127.0.0.1), the official ``openai`` SDK and ``httpx`` as clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import plugstack_rules_shield
import pytest

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer

CONFIG = {
    "distribution_name": "rules-http",
    "providers": {
        "safety": [{"provider_id": "rules", "provider_type": "inline::rules", "config": {"blocked_keywords": ["bomb"]}}]
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    host = new_plugin_host()
    assert host.register(plugstack_rules_shield, name="rules_shield")
    with BackgroundServer(CONFIG, host=host) as server:
        yield server


def test_openai_sdk_moderations(server: BackgroundServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
    response = client.moderations.create(
        model="rules", input=["What is the capital of France?", "mail me: jane.roe@example.com", "a BOMB"]
    )
    assert response.model == "rules" and response.id.startswith("modr-")
    safe, email, bomb = response.results
    assert [r.flagged for r in response.results] == [False, True, True]
    assert safe.categories.violence is False and email.categories.harassment is False
    email_categories = email.categories.model_dump(by_alias=True)
    assert email_categories["pii/email"] is True and email_categories["keyword"] is False
    assert bomb.categories.model_dump(by_alias=True)["keyword"] is True
    assert email.category_scores.model_dump(by_alias=True)["pii/email"] == 1.0


def test_run_shield_over_http(server: BackgroundServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        text = "pay with 4111-1111-1111-1111"
        response = client.post(
            "/v1/safety/run-shield", json={"shield_id": "rules", "messages": [{"role": "user", "content": text}]}
        )
        assert response.status_code == 200, response.text
        violation = response.json()["violation"]
        assert violation["violation_level"] == "error" and violation["categories"] == ["pii/credit_card"]
        assert "4111" not in response.text, "the card number is never echoed"
        [match] = violation["metadata"]["matches"]
        assert text[match["start"] : match["end"]] == "4111-1111-1111-1111"

        safe = client.post(
            "/v1/safety/run-shield",
            json={"shield_id": "rules", "messages": [{"role": "user", "content": "hello"}], "params": {"pii": []}},
        )
        assert safe.status_code == 200 and safe.json() == {"violation": None}


def test_bad_params_over_http_are_a_400(server: BackgroundServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.post("/v1/shields", json={"shield_id": "bad", "params": {"blocked_patterns": ["(x"]}})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["param"] == "params.blocked_patterns" and "not a valid regex" in error["message"]
        run = client.post(
            "/v1/safety/run-shield",
            json={"shield_id": "rules", "messages": [{"role": "user", "content": "x"}], "params": {"nope": 1}},
        )
        assert run.status_code == 400 and run.json()["error"]["param"] == "params.nope"
        assert client.get("/v1/shields").json()["data"][0]["id"] == "rules"
