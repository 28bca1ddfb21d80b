"""The Responses API's ``prompt`` parameter: a prompt of the Prompts API, rendered as its instructions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from plugstack.errors import BadRequestError, NotFoundError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    config = {
        "distribution_name": "responses-prompts",
        "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }
    async with await Stack.from_config(config, host=host) as running:
        yield running


async def test_a_prompt_becomes_the_instructions_with_its_variables(stack: Stack) -> None:
    prompt = await stack.prompts.create_prompt(prompt="You answer questions about {{ topic }}.", variables=["topic"])
    response = await stack.responses.create(
        model="echo-1",
        input="hello",
        prompt={"id": prompt.prompt_id, "variables": {"topic": "volcanoes"}},
        instructions="Be brief.",
    )
    assert response.instructions == "You answer questions about volcanoes.\n\nBe brief."
    assert response.prompt is not None and response.prompt.id == prompt.prompt_id
    assert (await stack.responses.retrieve(response.id)).instructions == response.instructions


async def test_a_named_version_is_rendered(stack: Stack) -> None:
    first = await stack.prompts.create_prompt(prompt="Version one.")
    await stack.prompts.update_prompt(first.prompt_id, prompt="Version two.", version=1)
    response = await stack.responses.create(model="echo-1", input="hi", prompt={"id": first.prompt_id, "version": "1"})
    assert response.instructions == "Version one."


async def test_a_missing_variable_or_prompt_is_refused(stack: Stack) -> None:
    prompt = await stack.prompts.create_prompt(prompt="About {{ topic }}.", variables=["topic"])
    with pytest.raises(BadRequestError, match="topic"):
        await stack.responses.create(model="echo-1", input="hi", prompt={"id": prompt.prompt_id})
    with pytest.raises(NotFoundError):
        await stack.responses.create(model="echo-1", input="hi", prompt={"id": "pmpt_" + "0" * 48})
