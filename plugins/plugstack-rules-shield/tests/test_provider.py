"""The provider through a library-mode stack: params, levels, roles, moderations, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import plugstack_rules_shield
import pytest
from plugstack_rules_shield.config import RulesShieldConfig

from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES, RunShieldResponse
from plugstack.apis.shields.types import RegisterShieldRequest
from plugstack.errors import BadRequestError, ConfigError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack

CARD = "4111 1111 1111 1111"
EMAIL = "jane.roe@example.com"


def rules_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(plugstack_rules_shield, name="rules_shield")
    return host


def run_config(config: dict[str, Any] | None = None, shields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "distribution_name": "rules-tests",
        "providers": {"safety": [{"provider_id": "rules", "provider_type": "inline::rules", "config": config or {}}]},
        "registered_resources": {"shields": shields or []},
    }


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config(), host=rules_host()) as stack:
        yield stack


async def check(stack: Stack, *messages: tuple[str, Any], shield_id: str = "rules", **params: Any) -> RunShieldResponse:
    return await stack.safety.run_shield(
        shield_id=shield_id, messages=[{"role": role, "content": content} for role, content in messages], params=params
    )


async def register(stack: Stack, shield_id: str, **params: Any) -> None:
    await stack.shields.register(RegisterShieldRequest(shield_id=shield_id, params=params))


# -- verdicts and what they say ---------------------------------------------------------------


async def test_a_violation_names_categories_and_offsets_but_never_the_pii(stack: Stack) -> None:
    text = f"Reach me at {EMAIL} or pay with {CARD}."
    violation = (await check(stack, ("user", text))).violation
    assert violation is not None and violation.violation_level == "error"
    assert violation.categories == ["pii/email", "pii/credit_card"]
    assert violation.category_scores == {"pii/email": 1.0, "pii/credit_card": 1.0}
    assert violation.user_message == "This message was blocked: it contains an email address, a credit card number."
    spans = [(m["category"], text[m["start"] : m["end"]]) for m in violation.metadata["matches"]]
    assert spans == [("pii/email", EMAIL), ("pii/credit_card", CARD)]
    dumped = violation.model_dump_json()
    assert EMAIL not in dumped and "4111" not in dumped and "jane" not in dumped


async def test_warn_level_reports_without_blocking(stack: Stack) -> None:
    await register(stack, "pii-warn", violation_level="warn")
    violation = (await check(stack, ("user", f"my card: {CARD}"), shield_id="pii-warn")).violation
    assert violation is not None and violation.violation_level == "warn"
    assert (await check(stack, ("user", "hello"), shield_id="pii-warn")).violation is None
    moderation = await stack.safety.create_moderation(input=f"card {CARD}", model="pii-warn")
    assert moderation.results[0].flagged, "a warning is flagged, as the router flags non-info verdicts"


async def test_info_level_is_never_flagged_in_moderations(stack: Stack) -> None:
    await register(stack, "pii-info", violation_level="info")
    [result] = (await stack.safety.create_moderation(input=f"card {CARD}", model="pii-info")).results
    assert not result.flagged and result.categories["pii/credit_card"]


async def test_call_params_override_the_shield_for_one_call(stack: Stack) -> None:
    assert (await check(stack, ("user", f"card {CARD}"), pii=["email"])).violation is None
    violation = (await check(stack, ("user", "a bomb"), blocked_keywords=["bomb"])).violation
    assert violation is not None and violation.categories == ["keyword"]
    assert violation.metadata["matches"][0]["rule_index"] == 0
    assert (await check(stack, ("user", "a bomb"))).violation is None, "the call's params did not stick"


async def test_shield_keywords_add_to_the_providers_unless_inherit_is_false() -> None:
    config = run_config({"blocked_keywords": ["alpha"]})
    async with await Stack.from_config(config, host=rules_host()) as stack:
        await register(stack, "more", blocked_keywords=["beta"])
        await register(stack, "only", blocked_keywords=["beta"], inherit=False)
        for shield_id, blocked in [("rules", {"alpha"}), ("more", {"alpha", "beta"}), ("only", {"beta"})]:
            verdicts = {
                w for w in ("alpha", "beta") if (await check(stack, ("user", w), shield_id=shield_id)).violation
            }
            assert verdicts == blocked, shield_id


async def test_user_message_template(stack: Stack) -> None:
    await register(stack, "custom", user_message="{shield_id} refused: {categories}")
    violation = (await check(stack, ("user", f"{EMAIL}"), shield_id="custom")).violation
    assert violation is not None and violation.user_message == "custom refused: pii/email"


async def test_content_parts_are_checked(stack: Stack) -> None:
    parts = [{"type": "text", "text": "hello"}, {"type": "text", "text": f"card {CARD}"}]
    violation = (await check(stack, ("user", parts))).violation
    assert violation is not None and violation.metadata["matches"][0]["start"] == len("hello\ncard ")


# -- roles and scope --------------------------------------------------------------------------


async def test_system_messages_are_not_checked(stack: Stack) -> None:
    assert (await check(stack, ("system", f"Support line: {EMAIL}"), ("user", "hi"))).violation is None


async def test_the_last_checked_message_is_judged_and_earlier_turns_are_context(stack: Stack) -> None:
    assert (await check(stack, ("user", f"I am {EMAIL}"), ("assistant", "Noted."))).violation is None
    leaked = (await check(stack, ("user", "who am I?"), ("assistant", f"You are {EMAIL}"))).violation
    assert leaked is not None and leaked.metadata["matches"][0]["message_index"] == 1
    # a tool result is not a checked role: the user's message before it is the one judged
    violation = (await check(stack, ("user", f"card {CARD}"), ("tool", "ok"))).violation
    assert violation is not None and violation.metadata["matches"][0]["message_index"] == 0


async def test_scope_all_checks_every_message_of_the_roles(stack: Stack) -> None:
    messages = (("user", f"I am {EMAIL}"), ("assistant", "Noted."), ("system", f"{CARD}"))
    violation = (await check(stack, *messages, scope="all")).violation
    assert violation is not None and violation.categories == ["pii/email"]


async def test_check_roles_choose_what_is_checked(stack: Stack) -> None:
    assert (await check(stack, ("tool", f"{EMAIL}"))).violation is None
    assert (await check(stack, ("tool", f"{EMAIL}"), check_roles=["tool"])).violation is not None
    assert (await check(stack, ("assistant", f"{EMAIL}"), check_roles=["user"])).violation is None


# -- moderations ------------------------------------------------------------------------------


async def test_moderation_lists_openai_categories_and_the_rules_own(stack: Stack) -> None:
    response = await stack.safety.create_moderation(input=["hello", f"mail {EMAIL}", f"card {CARD}"], model="rules")
    safe, email, card = response.results
    own = {"pii/email", "pii/phone", "pii/credit_card", "pii/ssn"}
    assert set(safe.categories) == set(OPENAI_MODERATION_CATEGORIES) | own
    assert not safe.flagged and not any(safe.categories.values())
    assert email.flagged and {c for c, v in email.categories.items() if v} == {"pii/email"}
    assert card.category_scores["pii/credit_card"] == 1.0 and card.category_scores["pii/email"] == 0.0
    assert card.category_applied_input_types["pii/credit_card"] == ["text"]
    assert card.category_applied_input_types["violence"] == [], "OpenAI's categories are not checked"


# -- listing, registration and errors ---------------------------------------------------------


async def test_no_unregistered_shield_without_shield_id() -> None:
    async with await Stack.from_config(run_config({"shield_id": None}), host=rules_host()) as stack:
        assert stack.shields.list() == []
    async with await Stack.from_config(run_config({"shield_id": "pii"}), host=rules_host()) as stack:
        assert [s.id for s in stack.shields.list()] == ["pii"]


@pytest.mark.parametrize(
    ("params", "key", "says"),
    [
        ({"blocklist": ["x"]}, "blocklist", "unknown param 'blocklist'"),
        ({"pii": ["passport"]}, "pii", "passport"),
        ({"violation_level": "fatal"}, "violation_level", "fatal"),
        ({"check_roles": []}, "check_roles", "at least 1"),
        ({"blocked_keywords": "bomb"}, "blocked_keywords", "list"),
        ({"blocked_patterns": ["(unclosed"]}, "blocked_patterns", "'(unclosed' is not a valid regex"),
        ({"blocked_patterns": ["ok", "a*"]}, "blocked_patterns", "blocked_patterns[1] 'a*' matches the empty string"),
        ({"user_message": "no {reason}"}, "user_message", "unknown fields ['reason']"),
    ],
)
async def test_bad_params_are_a_400_naming_the_param(stack: Stack, params: dict[str, Any], key: str, says: str) -> None:
    with pytest.raises(BadRequestError) as info:
        await register(stack, "bad", **params)
    assert info.value.status_code == 400
    assert info.value.param == f"params.{key}"
    assert says in info.value.message and "'bad'" in info.value.message
    assert [s.id for s in stack.shields.list()] == ["rules"], "a refused shield is not registered"


async def test_bad_call_params_are_a_400_too(stack: Stack) -> None:
    with pytest.raises(BadRequestError) as info:
        await check(stack, ("user", "hi"), blocked_patterns=["[z-a]"])
    assert info.value.param == "params.blocked_patterns"


async def test_a_bad_regex_in_the_run_config_is_a_config_error_at_start_up() -> None:
    with pytest.raises(ConfigError, match=r"blocked_patterns.*'\(oops' is not a valid regex"):
        await Stack.from_config(run_config({"blocked_patterns": ["(oops"]}), host=rules_host())
    with pytest.raises(BadRequestError, match=r"params\.blocked_patterns"):
        await Stack.from_config(
            run_config(shields=[{"shield_id": "s", "params": {"blocked_patterns": ["(oops"]}}]), host=rules_host()
        )


def test_unknown_config_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        RulesShieldConfig.model_validate({"blocked_words": ["x"]})


def test_sample_run_config_is_a_valid_config() -> None:
    RulesShieldConfig.model_validate(RulesShieldConfig.sample_run_config())
