"""Reading Llama Guard's answer, and turning it into a violation: strict, never "safe" by default."""

from __future__ import annotations

import pytest
from plugstack_llama_guard.prompt import LLAMA_GUARD_3_CATEGORIES, Category, category_table
from plugstack_llama_guard.verdict import UnparseableVerdict, Verdict, parse_verdict, to_violation


@pytest.mark.parametrize("answer", ["safe", "\n\nsafe", "Safe\n", "  SAFE  "])
def test_safe(answer: str) -> None:
    assert parse_verdict(answer) == Verdict(safe=True)


@pytest.mark.parametrize(
    ("answer", "codes"),
    [
        ("unsafe\nS1", ("S1",)),
        ("unsafe\nS1,S10", ("S1", "S10")),
        ("\n\nunsafe\ns9, S10 ,", ("S9", "S10")),
        ("unsafe\nS10,S10", ("S10",)),
        ("UNSAFE", ()),
    ],
)
def test_unsafe(answer: str, codes: tuple[str, ...]) -> None:
    assert parse_verdict(answer) == Verdict(safe=False, codes=codes)


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (None, "empty"),
        ("   ", "empty"),
        ("S1: Violent Crimes.\nS2: Non-Violent Crimes.\nS", "neither 'safe' nor 'unsafe'"),
        ("The conversation is safe.", "neither 'safe' nor 'unsafe'"),
        ("safe\nbut maybe not", "followed by more text"),
        ("unsafe\nviolence", "not a comma-separated list of codes"),
        ("unsafe\nS1\nS2", "not a comma-separated list of codes"),
        ("unsafe\nS0", "not a comma-separated list of codes"),
        ("safely", "neither 'safe' nor 'unsafe'"),
    ],
)
def test_anything_else_is_unparseable(answer: str | None, why: str) -> None:
    with pytest.raises(UnparseableVerdict, match=why) as caught:
        parse_verdict(answer)
    assert caught.value.answer == (answer or "")


def test_safe_is_no_violation() -> None:
    assert to_violation(Verdict(safe=True), LLAMA_GUARD_3_CATEGORIES) is None


def test_codes_are_named_and_mapped_to_openai_categories_where_one_fits() -> None:
    violation = to_violation(Verdict(False, ("S1", "S5", "S10", "S11", "S12", "S4")), LLAMA_GUARD_3_CATEGORIES)
    assert violation is not None and violation.violation_level == "error"
    assert violation.categories == [
        "violence", "S1", "S5", "hate", "S10", "self-harm", "S11", "sexual", "S12", "sexual/minors", "S4",
    ]  # fmt: skip
    assert violation.metadata["codes"] == ["S1", "S5", "S10", "S11", "S12", "S4"]
    assert violation.metadata["violation_type"] == "S1,S5,S10,S11,S12,S4"
    assert violation.metadata["category_names"]["S11"] == "Suicide & Self-Harm"
    assert violation.user_message is not None and "(Violent Crimes, Defamation, Hate," in violation.user_message
    assert violation.category_scores == {}, "Llama Guard gives no probabilities: none are made up"


def test_unsafe_without_codes_is_still_a_violation() -> None:
    violation = to_violation(Verdict(safe=False), LLAMA_GUARD_3_CATEGORIES)
    assert violation is not None and violation.categories == [] and violation.metadata["violation_type"] == "unsafe"


def test_only_excluded_codes_reported_is_safe_and_excluded_ones_are_dropped_beside_others() -> None:
    assert to_violation(Verdict(False, ("S6",)), LLAMA_GUARD_3_CATEGORIES, excluded_codes={"S6"}) is None
    violation = to_violation(Verdict(False, ("S6", "S2")), LLAMA_GUARD_3_CATEGORIES, excluded_codes={"S6"})
    assert violation is not None and violation.categories == ["illicit", "S2"]


def test_a_code_the_prompt_did_not_list_is_reported_bare() -> None:
    violation = to_violation(Verdict(False, ("S42",)), LLAMA_GUARD_3_CATEGORIES)
    assert violation is not None and violation.categories == ["S42"]
    assert violation.metadata["category_names"] == {"S42": "S42"}


def test_custom_categories_map_as_configured() -> None:
    table = category_table([Category("", "Competitors"), Category("", "Gambling", openai_category="illicit")])
    violation = to_violation(Verdict(False, ("S15", "S16")), table)
    assert violation is not None and violation.categories == ["S15", "illicit", "S16"]
    assert violation.metadata["category_names"] == {"S15": "Competitors", "S16": "Gambling"}
