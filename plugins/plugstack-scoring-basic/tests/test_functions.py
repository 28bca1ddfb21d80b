"""The rules of ``inline::basic``, as plain functions."""

from __future__ import annotations

import re

import pytest
from plugstack_scoring_basic.functions import (
    MULTIPLE_CHOICE_REGEXES,
    choice_letter,
    equality,
    normalize,
    parse_choice,
    subset_of,
)

REGEXES = [re.compile(pattern) for pattern in MULTIPLE_CHOICE_REGEXES]


def test_normalize_folds_case_space_and_edge_punctuation_only() -> None:
    assert normalize("  The   Eiffel\tTower. ") == "the eiffel tower"
    assert normalize("Straße") == "strasse"
    assert normalize("ﬁve") == "five"  # NFKC: the ligature is two letters
    assert normalize("3.14") == "3.14", "inner punctuation stays"
    assert normalize(42) == "42"


@pytest.mark.parametrize(
    ("expected", "generated", "fold", "score"),
    [
        ("Paris", "paris", True, 1.0),
        ("Paris", "paris", False, 0.0),
        ("Paris", "Paris!", True, 1.0),
        ("Paris", "Paris, France", True, 0.0),
        (4, "4", True, 1.0),
        (4, "4.0", True, 0.0),
        ([1, 2], [1, 2], True, 1.0),
        ([1, 2], "[1, 2]", True, 0.0),
    ],
)
def test_equality(expected: object, generated: object, fold: bool, score: float) -> None:
    assert equality(expected, generated, fold=fold) == score


@pytest.mark.parametrize(
    ("expected", "generated", "score"),
    [
        ("Paris", "It is PARIS, of course.", 1.0),
        ("Paris", "It is Lyon.", 0.0),
        (["red", "Blue"], ["blue", "green", "red"], 1.0),
        (["red", "pink"], ["blue", "green", "red"], 0.0),
        ("red", ["blue", "RED"], 1.0),
    ],
)
def test_subset_of(expected: object, generated: object, score: float) -> None:
    assert subset_of(expected, generated) == score


@pytest.mark.parametrize(
    ("generated", "letter"),
    [
        ("Answer: B", "B"),
        ("answer:c", "C"),
        ("After some thought, the answer is (D).", "D"),
        ("The correct answer is: a", "A"),
        ("Reasoning...\nAnswer: [C]\nConfidence: high", "C"),
        ("Réponse : B", "B"),
        ("Respuesta: D", "D"),
        ("答案：C", "C"),
        ("Answer: Ｂ", "B"),  # fullwidth
        ("B", "B"),
        ("(c)", "C"),
        ("D.", "D"),
        ("Answer: because A is wrong", None),  # "because" is a word, not option B
        ("I would go with the second one", None),
        ("Answer: E", None),  # A to D only
    ],
)
def test_parse_choice(generated: str, letter: str | None) -> None:
    assert parse_choice(generated, REGEXES) == letter


def test_the_first_matching_regex_wins() -> None:
    regexes = [re.compile(r"FINAL: ([A-D])"), *REGEXES]
    assert parse_choice("Answer: A ... FINAL: C", regexes) == "C"


@pytest.mark.parametrize("expected", ["B", "b", "(B)", "B.", " B "])
def test_choice_letter(expected: str) -> None:
    assert choice_letter(expected) == "B"
