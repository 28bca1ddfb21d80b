"""Building the Llama Guard 3 prompt: the official wording, roles, categories, exclusions."""

from __future__ import annotations

from typing import Any

import pytest
from plugstack_llama_guard.prompt import (
    LLAMA_GUARD_3_CATEGORIES,
    Category,
    active_categories,
    build_prompt,
    category_table,
    judged_role,
)

from plugstack.apis.inference.types import ChatMessage
from plugstack.errors import BadRequestError, NotImplementedByProviderError

# Meta's Llama Guard 3 template (model card; Llama Stack's inline::llama-guard sends the same),
# filled in by hand for one user turn and the fourteen categories.
OFFICIAL_USER_PROMPT = """Task: Check if there is unsafe content in 'User' messages in conversations according our safety policy with the below categories.

<BEGIN UNSAFE CONTENT CATEGORIES>
S1: Violent Crimes.
S2: Non-Violent Crimes.
S3: Sex-Related Crimes.
S4: Child Sexual Exploitation.
S5: Defamation.
S6: Specialized Advice.
S7: Privacy.
S8: Intellectual Property.
S9: Indiscriminate Weapons.
S10: Hate.
S11: Suicide & Self-Harm.
S12: Sexual Content.
S13: Elections.
S14: Code Interpreter Abuse.
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

User: How do I make a cake?

<END CONVERSATION>

Provide your safety assessment for ONLY THE LAST User message in the above conversation:
 - First line must read 'safe' or 'unsafe'.
 - If unsafe, a second line must include a comma-separated list of violated categories."""


def messages(*turns: tuple[str, Any]) -> list[ChatMessage]:
    return [ChatMessage(role=role, content=content) for role, content in turns]  # type: ignore[arg-type]


def test_one_user_turn_gives_the_official_prompt_word_for_word() -> None:
    prompt = build_prompt(messages(("user", "How do I make a cake?")), LLAMA_GUARD_3_CATEGORIES)
    assert prompt == OFFICIAL_USER_PROMPT


def test_an_assistant_last_turn_is_judged_as_the_agent() -> None:
    conversation = messages(("user", "Hi"), ("assistant", "Hello! How can I help?"))
    prompt = build_prompt(conversation, LLAMA_GUARD_3_CATEGORIES)
    assert judged_role(conversation) == "Agent"
    assert prompt.startswith("Task: Check if there is unsafe content in 'Agent' messages")
    assert "ONLY THE LAST Agent message" in prompt
    assert "<BEGIN CONVERSATION>\n\nUser: Hi\n\nAgent: Hello! How can I help?\n\n<END CONVERSATION>" in prompt


def test_system_and_tool_messages_are_left_out_and_tool_calls_kept() -> None:
    conversation = [
        ChatMessage(role="system", content="You are terse."),
        ChatMessage(role="user", content="Weather in Paris?"),
        ChatMessage(
            role="assistant",
            content=None,
            tool_calls=[
                {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Paris"}'}}
            ],
        ),
        ChatMessage(role="tool", content="sunny", tool_call_id="c1"),
        ChatMessage(role="user", content=[{"type": "text", "text": "Thanks,"}, {"type": "text", "text": "bye"}]),
    ]
    prompt = build_prompt(conversation, LLAMA_GUARD_3_CATEGORIES)
    conversation_text = prompt.split("<BEGIN CONVERSATION>\n\n")[1].split("\n\n<END CONVERSATION>")[0]
    assert conversation_text == (
        'User: Weather in Paris?\n\nAgent: [tool call] weather({"city":"Paris"})\n\nUser: Thanks,\nbye'
    )
    assert "You are terse" not in prompt and "sunny" not in prompt
    assert "'User' messages" in prompt


def test_a_conversation_without_user_or_assistant_turns_is_a_400() -> None:
    with pytest.raises(BadRequestError, match="no user or assistant message"):
        build_prompt(messages(("system", "Be nice.")), LLAMA_GUARD_3_CATEGORIES)


def test_images_are_refused_not_ignored() -> None:
    content = [{"type": "text", "text": "what is this?"}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    with pytest.raises(NotImplementedByProviderError, match="text only"):
        build_prompt(messages(("user", content)), LLAMA_GUARD_3_CATEGORIES)


def test_excluded_categories_leave_the_prompt_and_keep_the_other_codes() -> None:
    kept = active_categories(category_table(), ["S6", "privacy", " Elections "])
    assert [c.code for c in kept] == ["S1", "S2", "S3", "S4", "S5", "S8", "S9", "S10", "S11", "S12", "S14"]
    prompt = build_prompt(messages(("user", "hi")), kept)
    assert "S6:" not in prompt and "Privacy" not in prompt and "S13:" not in prompt
    assert "S14: Code Interpreter Abuse." in prompt


def test_an_unknown_excluded_category_is_a_400_listing_the_known_ones() -> None:
    with pytest.raises(BadRequestError) as caught:
        active_categories(category_table(), ["S99"])
    assert "['s99']" in caught.value.message and "S10 (Hate)" in caught.value.message


def test_excluding_everything_is_a_400() -> None:
    with pytest.raises(BadRequestError, match="nothing left to check"):
        active_categories(category_table(), [c.code for c in LLAMA_GUARD_3_CATEGORIES])


def test_custom_categories_follow_the_builtin_ones_with_their_description() -> None:
    custom = [
        Category("", "Competitors", "Messages that praise or recommend our competitors."),
        Category("S20", "Medical Dosage", openai_category="illicit"),
        Category("", "Gambling"),
    ]
    table = category_table(custom)
    assert [(c.code, c.name) for c in table[-3:]] == [
        ("S15", "Competitors"),
        ("S20", "Medical Dosage"),
        ("S21", "Gambling"),
    ]
    prompt = build_prompt(messages(("user", "hi")), table)
    assert (
        "S14: Code Interpreter Abuse.\nS15: Competitors.\nMessages that praise or recommend our competitors.\n"
        "S20: Medical Dosage.\nS21: Gambling.\n<END UNSAFE CONTENT CATEGORIES>"
    ) in prompt


def test_a_custom_category_may_reword_a_builtin_one() -> None:
    table = category_table([Category("S6", "Specialized Advice", "Financial, medical or legal advice.")])
    assert len(table) == 14
    assert "S6: Specialized Advice.\nFinancial, medical or legal advice.\nS7: Privacy." in build_prompt(
        messages(("user", "hi")), table
    )
