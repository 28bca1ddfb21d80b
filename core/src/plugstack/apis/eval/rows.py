"""What a benchmark row asks, and the row the scoring functions then grade.

A row asks through one of these columns, tried in turn: ``chat_completion_input`` (a chat,
as a list of messages or the JSON text of one, as Llama Stack stores it), ``messages``
(the ``eval/messages-answer`` purpose's), ``input_query`` or ``question`` (a text, sent
as one user message). The scoring row is the dataset row with the ``generated_answer``
added, and ``expected_answer`` taken from ``answer`` when only that is there (the
``eval/question-answer`` purpose's name), so that functions reading ``expected_answer``
grade datasets of either convention.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["QUESTION_COLUMNS", "RowError", "question_of", "scoring_row"]

QUESTION_COLUMNS = ("chat_completion_input", "messages", "input_query", "question")

Message = dict[str, Any]


class RowError(Exception):
    """The row cannot be asked; the message says which column is missing or malformed."""


def question_of(row: object) -> list[Message]:
    """The messages the candidate is asked for ``row``."""
    if not isinstance(row, dict):
        raise RowError(f"a row must be an object of columns, not {type(row).__name__}")
    for column in QUESTION_COLUMNS[:2]:
        value = row.get(column)
        if value is not None:
            return _chat(column, value)
    for column in QUESTION_COLUMNS[2:]:
        value = row.get(column)
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                raise RowError(f"column {column!r} must be a non-empty string")
            return [{"role": "user", "content": value}]
    names = ", ".join(repr(column) for column in QUESTION_COLUMNS)
    raise RowError(f"missing the question: the row has none of the columns {names}")


def _chat(column: str, value: object) -> list[Message]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise RowError(f"column {column!r} is text but not the JSON of a list of messages") from None
    if not isinstance(value, list) or not value or not all(isinstance(m, dict) and "role" in m for m in value):
        raise RowError(f"column {column!r} must be a non-empty list of messages, each with a 'role'")
    return value


def scoring_row(row: dict[str, Any], generation: dict[str, Any]) -> dict[str, Any]:
    """``row`` as the scoring functions get it: with ``generated_answer`` (``None`` when none was generated)."""
    scored = {**row, "generated_answer": generation.get("generated_answer")}
    if scored.get("expected_answer") is None and row.get("answer") is not None:
        scored["expected_answer"] = row["answer"]
    return scored
