"""The prompts registry in library mode: versions, the default version, optimistic updates,
rendering, template checks, 404s and persistence, on SQLite (and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from plugstack.apis.prompts.template import placeholders
from plugstack.errors import BadRequestError, ConflictError, NotFoundError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack

MISSING = "pmpt_" + "0" * 48


def config(tmp_path: Path, **storage: Any) -> dict[str, Any]:
    return {
        "distribution_name": "prompts-test",
        "apis": ["prompts"],
        "providers": {},
        "storage": {
            "kvstore": {"db_path": str(tmp_path / "kv.db")},
            "sqlstore": storage or {"db_path": str(tmp_path / "sql.db")},
        },
    }


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with await Stack.from_config(config(tmp_path), host=new_plugin_host()) as running:
        yield running


async def test_create_makes_version_one_the_default(stack: Stack) -> None:
    created = await stack.prompts.create_prompt(
        prompt="Hello {{ name }}, you are {{role}}.", variables=["name", "role"]
    )
    assert re.fullmatch(r"pmpt_[0-9a-f]{48}", created.prompt_id)
    assert (created.version, created.is_default, created.variables) == (1, True, ["name", "role"])
    assert await stack.prompts.get_prompt(created.prompt_id) == created
    assert await stack.prompts.get_prompt(created.prompt_id, version=1) == created


async def test_updates_make_new_versions_and_keep_the_old_ones(stack: Stack) -> None:
    first = await stack.prompts.create_prompt(prompt="v1 {{ a }}", variables=["a"])
    second = await stack.prompts.update_prompt(first.prompt_id, prompt="v2 {{ b }}", variables=["b"], version=1)
    assert (second.version, second.is_default, second.variables) == (2, True, ["b"])
    third = await stack.prompts.update_prompt(first.prompt_id, prompt="v3", version=2, set_as_default=False)
    assert (third.version, third.is_default, third.variables) == (3, False, [])

    assert (await stack.prompts.get_prompt(first.prompt_id)).prompt == "v2 {{ b }}"  # still the default
    old = await stack.prompts.get_prompt(first.prompt_id, version=1)
    assert (old.prompt, old.variables, old.is_default) == ("v1 {{ a }}", ["a"], False)
    versions = (await stack.prompts.list_prompt_versions(first.prompt_id)).data
    assert [(v.version, v.prompt, v.is_default) for v in versions] == [
        (1, "v1 {{ a }}", False),
        (2, "v2 {{ b }}", True),
        (3, "v3", False),
    ]


async def test_list_gives_each_prompt_at_its_default_version(stack: Stack) -> None:
    one = await stack.prompts.create_prompt(prompt="one")
    two = await stack.prompts.create_prompt(prompt="two")
    await stack.prompts.update_prompt(two.prompt_id, prompt="two, second", version=1)
    await stack.prompts.update_prompt(one.prompt_id, prompt="one, unpublished", version=1, set_as_default=False)
    listed = (await stack.prompts.list_prompts()).data
    assert [(p.prompt_id, p.version, p.prompt, p.is_default) for p in listed] == [
        (one.prompt_id, 1, "one", True),
        (two.prompt_id, 2, "two, second", True),
    ]


async def test_set_default_version_switches_what_is_served(stack: Stack) -> None:
    first = await stack.prompts.create_prompt(prompt="first")
    await stack.prompts.update_prompt(first.prompt_id, prompt="second", version=1)
    switched = await stack.prompts.set_default_version(first.prompt_id, 1)
    assert (switched.version, switched.prompt, switched.is_default) == (1, "first", True)
    assert (await stack.prompts.get_prompt(first.prompt_id)).prompt == "first"
    assert (await stack.prompts.list_prompts()).data[0].version == 1
    assert await stack.prompts.render(first.prompt_id) == "first"
    assert [v.is_default for v in (await stack.prompts.list_prompt_versions(first.prompt_id)).data] == [True, False]
    # the next update still goes from the latest version, not the default
    third = await stack.prompts.update_prompt(first.prompt_id, prompt="third", version=2)
    assert third.version == 3
    with pytest.raises(NotFoundError, match="has no version 7") as missing:
        await stack.prompts.set_default_version(first.prompt_id, 7)
    assert missing.value.param == "version"


async def test_an_update_from_a_stale_version_is_a_conflict(stack: Stack) -> None:
    first = await stack.prompts.create_prompt(prompt="first")
    await stack.prompts.update_prompt(first.prompt_id, prompt="second", version=1)
    with pytest.raises(ConflictError, match="is at version 2, not 1") as stale:
        await stack.prompts.update_prompt(first.prompt_id, prompt="lost edit", version=1)
    assert (stale.value.status_code, stale.value.param) == (409, "version")
    with pytest.raises(ConflictError, match="is at version 2, not 5"):
        await stack.prompts.update_prompt(first.prompt_id, prompt="from the future", version=5)
    assert [v.prompt for v in (await stack.prompts.list_prompt_versions(first.prompt_id)).data] == ["first", "second"]


async def concurrent_updates(stack: Stack, writers: int = 16) -> None:
    """``writers`` updates all from version 1 at once: exactly one makes version 2."""
    first = await stack.prompts.create_prompt(prompt="base {{ x }}")
    results = await asyncio.gather(
        *(
            stack.prompts.update_prompt(first.prompt_id, prompt=f"edit {i} {{{{ x }}}}", version=1)
            for i in range(writers)
        ),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(r, ConflictError) and r.status_code == 409 for r in losers), losers
    versions = (await stack.prompts.list_prompt_versions(first.prompt_id)).data
    assert [(v.version, v.is_default) for v in versions] == [(1, False), (2, True)]
    assert versions[1].prompt == winners[0].prompt
    assert (await stack.prompts.get_prompt(first.prompt_id)).prompt == winners[0].prompt


async def test_concurrent_updates_from_the_same_version_one_wins(stack: Stack) -> None:
    await concurrent_updates(stack)


async def test_render_substitutes_the_variables(stack: Stack) -> None:
    prompt = await stack.prompts.create_prompt(prompt="Dear {{name}}, re: {{ topic }}. Bye {{  name  }}.")
    assert prompt.variables == ["name", "topic"]  # omitted: the template's placeholders, in order
    rendered = await stack.prompts.render(prompt.prompt_id, variables={"name": "Ada", "topic": "engines"})
    assert rendered == "Dear Ada, re: engines. Bye Ada."
    # OpenAI's input_text parts are text too; values are never expanded again
    as_part = await stack.prompts.render(
        prompt.prompt_id, variables={"name": {"type": "input_text", "text": "{{ topic }}"}, "topic": "$1 \\1"}
    )
    assert as_part == "Dear {{ topic }}, re: $1 \\1. Bye {{ topic }}."


async def test_render_picks_the_version(stack: Stack) -> None:
    prompt = await stack.prompts.create_prompt(prompt="plain text, no variables")
    await stack.prompts.update_prompt(prompt.prompt_id, prompt="v2 for {{ who }}", version=1)
    assert await stack.prompts.render(prompt.prompt_id, variables={"who": "you"}) == "v2 for you"
    assert await stack.prompts.render(prompt.prompt_id, version=1) == "plain text, no variables"
    assert await stack.prompts.render(prompt.prompt_id, "1", {}) == "plain text, no variables"  # OpenAI's string form
    with pytest.raises(NotFoundError, match="has no version 3"):
        await stack.prompts.render(prompt.prompt_id, version="3")
    with pytest.raises(BadRequestError, match="must be a version number, got 'latest'"):
        await stack.prompts.render(prompt.prompt_id, version="latest")


async def test_render_refuses_missing_unknown_and_non_text_variables(stack: Stack) -> None:
    prompt = await stack.prompts.create_prompt(prompt="{{ greeting }}, {{ name }}!", variables=["greeting", "name"])
    with pytest.raises(BadRequestError, match="no value for 'name'") as missing:
        await stack.prompts.render(prompt.prompt_id, variables={"greeting": "Hi"})
    assert missing.value.status_code == 400
    with pytest.raises(BadRequestError, match="unknown variable 'nmae': it declares 'greeting', 'name'"):
        await stack.prompts.render(prompt.prompt_id, variables={"greeting": "Hi", "name": "x", "nmae": "y"})
    with pytest.raises(BadRequestError, match=r"variables\.name: .* got 'input_image'") as image:
        await stack.prompts.render(
            prompt.prompt_id, variables={"greeting": "Hi", "name": {"type": "input_image", "image_url": "x"}}
        )
    assert image.value.param == "variables.name"
    plain = await stack.prompts.create_prompt(prompt="no variables")
    with pytest.raises(BadRequestError, match="unknown variable 'x': it declares no variables"):
        await stack.prompts.render(plain.prompt_id, variables={"x": "1"})


@pytest.mark.parametrize(
    ("template", "variables", "message"),
    [
        ("Hi {{ name }} from {{ city }}", ["name"], "uses 'city' but does not declare it"),
        ("Hi {{ name }}", ["name", "city"], "'city' is declared but the prompt has no \\{\\{ city \\}\\} placeholder"),
        ("Hi", ["not-a-name"], "'not-a-name' is not a valid variable name"),
        ("Hi {{ a }}{{ b }}", [], "uses 'a', 'b' but does not declare them"),
    ],
)
async def test_declared_variables_must_match_the_placeholders(
    stack: Stack, template: str, variables: list[str], message: str
) -> None:
    with pytest.raises(BadRequestError, match=message) as refused:
        await stack.prompts.create_prompt(prompt=template, variables=variables)
    assert refused.value.param == "variables"
    good = await stack.prompts.create_prompt(prompt="ok")
    with pytest.raises(BadRequestError, match=message):
        await stack.prompts.update_prompt(good.prompt_id, prompt=template, variables=variables, version=1)
    assert len((await stack.prompts.list_prompt_versions(good.prompt_id)).data) == 1


async def test_only_names_in_double_braces_are_placeholders(stack: Stack) -> None:
    template = 'JSON: {"a": {"b": 1}} {{ a.b }} {{ 1x }} {{x}} {{ x | upper }} {x} {{{ x }}}'
    assert placeholders(template) == ["x"]
    prompt = await stack.prompts.create_prompt(prompt=template, variables=["x", "x"])  # duplicates dropped
    assert prompt.variables == ["x"]
    assert await stack.prompts.render(prompt.prompt_id, variables={"x": "X"}) == (
        'JSON: {"a": {"b": 1}} {{ a.b }} {{ 1x }} X {{ x | upper }} {x} {X}'
    )


async def test_bad_requests_name_the_field(stack: Stack) -> None:
    for params, field in [
        ({}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x", "varaibles": ["a"]}, "varaibles"),
        ({"prompt": "x", "variables": "a"}, "variables"),
        ({"prompt": "nul \x00 byte"}, "prompt"),
    ]:
        with pytest.raises(BadRequestError) as refused:
            await stack.prompts.create_prompt(**params)
        assert refused.value.param == field, (params, refused.value.message)
    prompt = await stack.prompts.create_prompt(prompt="x")
    for params, field in [({"prompt": "y"}, "version"), ({"prompt": "y", "version": 0}, "version")]:
        with pytest.raises(BadRequestError) as refused:
            await stack.prompts.update_prompt(prompt.prompt_id, **params)
        assert refused.value.param == field


@pytest.mark.parametrize("prompt_id", [MISSING, "pmpt_short", "not a prompt id", ""])
async def test_unknown_prompts_are_404s(stack: Stack, prompt_id: str) -> None:
    calls = [
        stack.prompts.get_prompt(prompt_id),
        stack.prompts.get_prompt(prompt_id, version=1),
        stack.prompts.update_prompt(prompt_id, prompt="x", version=1),
        stack.prompts.delete_prompt(prompt_id),
        stack.prompts.list_prompt_versions(prompt_id),
        stack.prompts.set_default_version(prompt_id, 1),
        stack.prompts.render(prompt_id),
    ]
    for call in calls:
        with pytest.raises(NotFoundError, match=f"prompt {re.escape(repr(prompt_id))} not found"):
            await call


async def test_delete_removes_every_version(stack: Stack) -> None:
    prompt = await stack.prompts.create_prompt(prompt="x")
    await stack.prompts.update_prompt(prompt.prompt_id, prompt="y", version=1)
    kept = await stack.prompts.create_prompt(prompt="kept")
    deleted = await stack.prompts.delete_prompt(prompt.prompt_id)
    assert (deleted.id, deleted.deleted, deleted.object) == (prompt.prompt_id, True, "prompt.deleted")
    with pytest.raises(NotFoundError):
        await stack.prompts.get_prompt(prompt.prompt_id, version=1)
    with pytest.raises(NotFoundError):
        await stack.prompts.delete_prompt(prompt.prompt_id)
    assert [p.prompt_id for p in (await stack.prompts.list_prompts()).data] == [kept.prompt_id]
    with pytest.raises(NotFoundError, match="has no version 2"):
        await stack.prompts.get_prompt(kept.prompt_id, version=2)


async def test_prompts_survive_a_restart(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=new_plugin_host()) as first_run:
        prompt = await first_run.prompts.create_prompt(prompt="Hi {{ name }}")
        await first_run.prompts.update_prompt(prompt.prompt_id, prompt="Hello {{ name }}", version=1)
        await first_run.prompts.set_default_version(prompt.prompt_id, 1)
    async with await Stack.from_config(config(tmp_path), host=new_plugin_host()) as second_run:
        assert await second_run.prompts.render(prompt.prompt_id, variables={"name": "Ada"}) == "Hi Ada"
        versions = (await second_run.prompts.list_prompt_versions(prompt.prompt_id)).data
        assert [(v.version, v.prompt, v.is_default) for v in versions] == [
            (1, "Hi {{ name }}", True),
            (2, "Hello {{ name }}", False),
        ]
        with pytest.raises(ConflictError):
            await second_run.prompts.update_prompt(prompt.prompt_id, prompt="x", version=1)
        assert (await second_run.prompts.update_prompt(prompt.prompt_id, prompt="x", version=2)).version == 3


async def test_a_stack_that_never_uses_prompts_creates_no_database(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=new_plugin_host()) as stack:
        assert stack.prompts is not None
    assert not (tmp_path / "sql.db").exists()


@pytest.mark.postgres
async def test_prompts_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    pg = config(tmp_path, type="postgres", url=postgres_url)
    async with await Stack.from_config(pg, host=new_plugin_host()) as first_run:
        prompt = await first_run.prompts.create_prompt(prompt="Hi {{ name }}", variables=["name"])
        await first_run.prompts.update_prompt(prompt.prompt_id, prompt="Hello {{ name }}", version=1)
        with pytest.raises(ConflictError):
            await first_run.prompts.update_prompt(prompt.prompt_id, prompt="stale", version=1)
        await concurrent_updates(first_run)
    async with await Stack.from_config(pg, host=new_plugin_host()) as second_run:
        assert await second_run.prompts.render(prompt.prompt_id, variables={"name": "Ada"}) == "Hello Ada"
        assert await second_run.prompts.render(prompt.prompt_id, version=1, variables={"name": "Ada"}) == "Hi Ada"
        assert prompt.prompt_id in [p.prompt_id for p in (await second_run.prompts.list_prompts()).data]
        await second_run.prompts.delete_prompt(prompt.prompt_id)
        with pytest.raises(NotFoundError):
            await second_run.prompts.get_prompt(prompt.prompt_id)
