"""The rules themselves, as plain functions of two values: what each built-in function scores.

Kept apart from the provider so that they are tested, and benchmarked, without a stack.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "MULTIPLE_CHOICE_REGEXES",
    "choice_letter",
    "equality",
    "normalize",
    "parse_choice",
    "subset_of",
]

_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\n.,;:!?\"'`()[]{}"

_ANSWER_PREFIXES = (
    r"answer\s*(?:is|:)?\s*:?",  # "Answer: B", "The answer is (C)", "the correct answer is: d"
    r"Antwort\s*:",
    r"Respuesta\s*:",
    r"R[ée]ponse\s*:",
    r"Risposta\s*:",
    r"Resposta\s*:",
    r"Jawaban\s*:",
    r"答案\s*[:：]",
    r"答え\s*[:：]",
    r"정답\s*:",
)
_LETTER = r"\s*[(\[]?\s*([A-D]|[Ａ-Ｄ])(?![^\W\d_])"  # one option letter, not the start of a word
MULTIPLE_CHOICE_REGEXES: tuple[str, ...] = (
    *(rf"(?i){prefix}{_LETTER}" for prefix in _ANSWER_PREFIXES),
    r"(?i)^\s*[(\[]?([A-D])[)\].]?\s*$",  # the whole answer is a letter: "B", "(B)", "B."
)
"""The usual "Answer: B" forms (English first, then other languages' "answer:"), then a bare letter.

Options A to D (fullwidth letters count), as Llama Stack's: with more letters, "Answer: I
think it is B" would parse as I. A benchmark with more options passes ``parsing_regexes``."""


def normalize(value: object) -> str:
    """``value`` as comparable text: NFKC, case-folded, whitespace collapsed, edge punctuation stripped."""
    text = unicodedata.normalize("NFKC", value if isinstance(value, str) else str(value))
    return _SPACES.sub(" ", text.casefold()).strip(_EDGE_PUNCTUATION)


def _text(value: object, fold: bool) -> str:
    return normalize(value) if fold else (value if isinstance(value, str) else str(value))


def equality(expected: object, generated: object, *, fold: bool = True) -> float:
    """1.0 when the answers are the same (as normalised text, when ``fold``), else 0.0."""
    if isinstance(expected, list | dict) or isinstance(generated, list | dict):
        return 1.0 if expected == generated else 0.0
    return 1.0 if _text(expected, fold) == _text(generated, fold) else 0.0


def subset_of(expected: object, generated: object, *, fold: bool = True) -> float:
    """1.0 when ``expected`` is part of ``generated``: a substring, or (lists) every item an item."""
    if isinstance(expected, list) or isinstance(generated, list):
        wanted = expected if isinstance(expected, list) else [expected]
        items = generated if isinstance(generated, list) else [generated]
        have = {_text(item, fold) for item in items}
        return 1.0 if all(_text(item, fold) in have for item in wanted) else 0.0
    return 1.0 if _text(expected, fold) in _text(generated, fold) else 0.0


def parse_choice(generated: object, regexes: Sequence[re.Pattern[str]]) -> str | None:
    """The option letter the first matching regex captures (upper case, ASCII), or ``None``."""
    text = generated if isinstance(generated, str) else str(generated)
    for regex in regexes:
        match = regex.search(text)
        if match is not None:
            return unicodedata.normalize("NFKC", match.group(1)).strip().upper()
    return None


def choice_letter(expected: object) -> str:
    """The expected option as a letter: ``"b"``, ``"(B)"`` and ``"B."`` are all ``B``."""
    return unicodedata.normalize("NFKC", str(expected)).strip(_EDGE_PUNCTUATION).upper()
