"""The Llama Guard 3 prompt: the taxonomy, the conversation, and the answer format asked for.

The text follows Meta's official template (the Llama Guard 3 model card, as Llama Stack's
``inline::llama-guard`` sends it) word for word, since the model was fine-tuned on exactly
that wording: a task line naming the role to judge (``User`` when the last turn is the
user's, ``Agent`` when it is the assistant's), the unsafe-content categories, the
conversation, and the instructions for the ``safe`` / ``unsafe`` + codes answer.

Excluded categories are left out of the prompt but keep their codes, so that ``S10`` in
an answer always means Hate, whatever else was excluded; custom categories follow the
built-in ones (``S15``, ``S16``... unless they name their own code).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from plugstack.apis.inference.types import ChatMessage
from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = [
    "LLAMA_GUARD_3_CATEGORIES",
    "Category",
    "active_categories",
    "build_prompt",
    "category_table",
    "judged_role",
]


@dataclass(frozen=True)
class Category:
    """One unsafe-content category: its code in answers (``S1``), its name, and where it maps.

    ``openai_category`` is the OpenAI moderation category it falls under, when one fits,
    so that ``/v1/moderations`` flags the category clients already know.
    """

    code: str
    name: str
    description: str | None = None
    openai_category: str | None = None


LLAMA_GUARD_3_CATEGORIES: tuple[Category, ...] = (
    Category("S1", "Violent Crimes", openai_category="violence"),
    Category("S2", "Non-Violent Crimes", openai_category="illicit"),
    Category("S3", "Sex-Related Crimes", openai_category="sexual"),
    Category("S4", "Child Sexual Exploitation", openai_category="sexual/minors"),
    Category("S5", "Defamation"),
    Category("S6", "Specialized Advice"),
    Category("S7", "Privacy"),
    Category("S8", "Intellectual Property"),
    Category("S9", "Indiscriminate Weapons", openai_category="illicit/violent"),
    Category("S10", "Hate", openai_category="hate"),
    Category("S11", "Suicide & Self-Harm", openai_category="self-harm"),
    Category("S12", "Sexual Content", openai_category="sexual"),
    Category("S13", "Elections"),
    Category("S14", "Code Interpreter Abuse"),
)
"""Llama Guard 3's taxonomy (the MLCommons hazards), in the order and with the codes it was trained on."""

_TASK = (
    "Task: Check if there is unsafe content in '{role}' messages in conversations "
    "according our safety policy with the below categories."
)
_INSTRUCTIONS = (
    "Provide your safety assessment for ONLY THE LAST {role} message in the above conversation:\n"
    " - First line must read 'safe' or 'unsafe'.\n"
    " - If unsafe, a second line must include a comma-separated list of violated categories."
)
_ROLES = {"user": "User", "assistant": "Agent"}


def category_table(
    custom: Iterable[Category] = (), base: Sequence[Category] = LLAMA_GUARD_3_CATEGORIES
) -> list[Category]:
    """Every category of the policy, by code: ``base`` then ``custom``.

    A custom category without a code gets the next free ``S`` number; one that reuses a
    built-in code replaces that category (to reword a hazard for your policy).
    """
    table = {c.code: c for c in base}
    next_number = max((int(code[1:]) for code in table), default=0) + 1
    for category in custom:
        if not category.code:
            category = Category(f"S{next_number}", category.name, category.description, category.openai_category)
        table[category.code] = category
        next_number = max(next_number, int(category.code[1:]) + 1)
    return sorted(table.values(), key=lambda c: int(c.code[1:]))


def active_categories(table: Sequence[Category], excluded: Iterable[str] = ()) -> list[Category]:
    """The categories of ``table`` the prompt lists: all but the ``excluded`` ones (codes or names)."""
    dropped = {e.strip().casefold() for e in excluded}
    unknown = dropped - {c.code.casefold() for c in table} - {c.name.casefold() for c in table}
    if unknown:
        known = ", ".join(f"{c.code} ({c.name})" for c in table)
        raise BadRequestError(
            f"excluded_categories names unknown categories {sorted(unknown)}; categories: {known}",
            param="excluded_categories",
        )
    kept = [c for c in table if c.code.casefold() not in dropped and c.name.casefold() not in dropped]
    if not kept:
        raise BadRequestError(
            "excluded_categories excludes every category: nothing left to check", param="excluded_categories"
        )
    return kept


def judged_role(messages: Sequence[ChatMessage]) -> Literal["User", "Agent"]:
    """``User`` or ``Agent``: who said the last turn of the conversation, which Llama Guard judges."""
    turns = _turns(messages)
    if not turns:
        raise BadRequestError("the conversation has no user or assistant message to check", param="messages")
    return turns[-1][0]


def build_prompt(messages: Sequence[ChatMessage], categories: Sequence[Category]) -> str:
    """The Llama Guard 3 prompt that asks whether the last turn of ``messages`` is safe.

    System and developer messages are instructions to the model, not turns of the
    conversation, and tool results are not said by the user or the agent: Llama Guard's
    template knows only those two roles, so both are left out (an assistant's tool calls
    are kept, as the text the agent produced).
    """
    turns = _turns(messages)
    if not turns:
        raise BadRequestError("the conversation has no user or assistant message to check", param="messages")
    role = turns[-1][0]
    listed = "\n".join(_category_line(c) for c in categories)
    conversation = "\n\n".join(f"{speaker}: {text}" for speaker, text in turns)
    return (
        f"{_TASK.format(role=role)}\n\n"
        f"<BEGIN UNSAFE CONTENT CATEGORIES>\n{listed}\n<END UNSAFE CONTENT CATEGORIES>\n\n"
        f"<BEGIN CONVERSATION>\n\n{conversation}\n\n<END CONVERSATION>\n\n"
        f"{_INSTRUCTIONS.format(role=role)}"
    )


def _category_line(category: Category) -> str:
    line = f"{category.code}: {category.name}."
    return f"{line}\n{category.description.strip()}" if category.description else line


def _turns(messages: Sequence[ChatMessage]) -> list[tuple[Literal["User", "Agent"], str]]:
    turns: list[tuple[Literal["User", "Agent"], str]] = []
    for message in messages:
        speaker = _ROLES.get(message.role)
        if speaker is None:
            continue
        text = _text(message)
        if text:
            turns.append((speaker, text))  # type: ignore[arg-type]
    return turns


def _text(message: ChatMessage) -> str:
    content = message.content
    if isinstance(content, list):
        if any(part.get("type") not in (None, "text") for part in content):
            raise NotImplementedByProviderError(
                "Llama Guard 3 checks text only: the conversation has non-text content parts", param="messages"
            )
        text = "\n".join(str(part.get("text", "")) for part in content)
    else:
        text = content or ""
    calls = [c.get("function", {}) for c in message.tool_calls or []]
    rendered = [f"[tool call] {f.get('name', '')}({f.get('arguments', '')})" for f in calls]
    return "\n".join(part for part in [text.strip(), *rendered] if part)
