"""The detectors and the keyword and pattern rules, on the compiled :class:`RuleSet` directly."""

from __future__ import annotations

import random
import time

import pytest
from plugstack_rules_shield.pii import luhn_valid
from plugstack_rules_shield.rules import RuleSet

ALL_PII = ["email", "phone", "credit_card", "ssn", "ipv4"]


def found(rules: RuleSet, text: str) -> list[tuple[str, str]]:
    """(category, matched text) of each match: tests may look at the text, the shield never reports it."""
    return [(f.category, text[f.start : f.end]) for f in rules.scan(text)]


def with_check_digit(prefix: str) -> str:
    """``prefix`` followed by the one digit that makes it pass Luhn."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


@pytest.fixture
def pii() -> RuleSet:
    return RuleSet([], [], ALL_PII)


# -- Luhn and cards ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4222222222222", "79927398713"],
)
def test_luhn_accepts_real_test_card_numbers(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "5555555555554440", "79927398710", "1234567812345678"])
def test_luhn_rejects_a_wrong_check_digit(number: str) -> None:
    assert not luhn_valid(number)


def test_random_sixteen_digit_numbers_pass_unless_they_pass_luhn(pii: RuleSet) -> None:
    rng = random.Random(7)
    for _ in range(200):
        valid = with_check_digit("".join(rng.choice("0123456789") for _ in range(15)))
        invalid = valid[:-1] + str((int(valid[-1]) + 1) % 10)
        assert found(pii, f"order {valid} shipped") == [("pii/credit_card", valid)]
        assert [c for c, _ in found(pii, f"order {invalid} shipped")] == [], invalid


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "3782 822463 10005", "3782-822463-10005", "4111111111111111"],
)
def test_cards_are_found_as_printed(pii: RuleSet, card: str) -> None:
    assert found(pii, f"pay with {card}, thanks") == [("pii/credit_card", card)]


def test_a_card_followed_by_more_digits_is_found_without_them(pii: RuleSet) -> None:
    assert found(pii, "card 4111 1111 1111 1111 123 is mine") == [("pii/credit_card", "4111 1111 1111 1111")]


def test_mixed_separators_and_longer_runs_are_not_cards(pii: RuleSet) -> None:
    assert found(pii, "4111 1111-1111 1111") == []
    assert found(pii, "id 41111111111111110000") == []  # 22 digits: no card is that long


# -- the other PII kinds ----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["john.doe@example.com", "a+tag@mail.co.uk", "x_y%z@sub-domain.example.org"])
def test_emails(pii: RuleSet, address: str) -> None:
    assert found(pii, f"write to {address}.") == [("pii/email", address)]


@pytest.mark.parametrize("text", ["user@localhost", "@handle on social", "a@b", "me at example dot com"])
def test_not_emails(pii: RuleSet, text: str) -> None:
    assert [c for c, _ in found(pii, text)] == []


@pytest.mark.parametrize(
    "phone",
    ["(415) 555-0123", "415-555-0123", "415.555.0123", "1-800-555-0199", "+1 415 555 0123", "+44 20 7946 0958"],
)
def test_phones(pii: RuleSet, phone: str) -> None:
    assert found(pii, f"call {phone} today") == [("pii/phone", phone)]


@pytest.mark.parametrize("text", ["meet at 5 pm", "order 4155550123", "pages 415-555", "score 12-10"])
def test_not_phones(pii: RuleSet, text: str) -> None:
    assert [c for c, _ in found(pii, text)] == []


def test_ssns(pii: RuleSet) -> None:
    assert found(pii, "SSN 123-45-6789 on file") == [("pii/ssn", "123-45-6789")]
    assert found(pii, "SSN 123 45 6789 on file") == [("pii/ssn", "123 45 6789")]


@pytest.mark.parametrize("never_issued", ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000"])
def test_numbers_never_issued_are_not_ssns(pii: RuleSet, never_issued: str) -> None:
    assert found(pii, f"id {never_issued}") == []


def test_ipv4(pii: RuleSet) -> None:
    assert found(pii, "the host is 10.0.0.1.") == [("pii/ipv4", "10.0.0.1")]
    assert found(pii, "not 300.1.1.1, nor 1.2.3, nor 1.2.3.4.5") == []


def test_only_the_chosen_kinds_run() -> None:
    text = "mail a@example.com, call 415-555-0123, host 10.0.0.1"
    assert [c for c, _ in found(RuleSet([], [], ["email"]), text)] == ["pii/email"]
    assert [c for c, _ in found(RuleSet([], [], ["ipv4", "phone"]), text)] == ["pii/phone", "pii/ipv4"]
    assert RuleSet([], [], ["ipv4", "email"]).categories == ("pii/email", "pii/ipv4")


def test_safe_text_finds_nothing(pii: RuleSet) -> None:
    assert found(pii, "What is the capital of France? In 2024, 3 of 12 people said Paris.") == []


# -- keywords and patterns --------------------------------------------------------------------


def test_keywords_match_whole_words_in_any_case() -> None:
    rules = RuleSet(["bomb", "nerve agent", "c++"], [], [])
    assert found(rules, "A BOMB! or a Bomb.") == [("keyword", "BOMB"), ("keyword", "Bomb")]
    assert found(rules, "bombastic, carbomb, bombs") == []
    assert found(rules, "a nerve\n  agent") == [("keyword", "nerve\n  agent")]
    assert found(rules, "nerve agents") == []
    assert found(rules, "I write C++ daily, not c++x") == [("keyword", "C++")]


def test_a_keyword_match_names_the_rule_by_index() -> None:
    rules = RuleSet(["alpha", "Beta Gamma"], [], [])
    assert [(f.category, f.rule) for f in rules.scan("beta   GAMMA then ALPHA")] == [("keyword", 1), ("keyword", 0)]


def test_many_keywords_use_the_word_set_and_still_find_each() -> None:
    words = [f"word{i}x" for i in range(100)] + ["red flag", "!!!"]
    rules = RuleSet(words, [], [])
    assert found(rules, "nothing here at all") == []
    assert found(rules, "it said WORD57X twice") == [("keyword", "WORD57X")]
    assert found(rules, "a red  flag") == [("keyword", "red  flag")]
    assert found(rules, "stop !!! now") == [("keyword", "!!!")]
    assert found(rules, "word57xy") == []


def test_patterns_are_case_sensitive_unless_they_say_otherwise() -> None:
    rules = RuleSet([], [r"ACME-\d+", r"(?i)project\s+x\b", r"(sec)(ret)"], [])
    assert found(rules, "see ACME-123 and acme-9") == [("pattern", "ACME-123")]
    assert found(rules, "PROJECT  X is on") == [("pattern", "PROJECT  X")]
    assert [(f.category, f.rule) for f in rules.scan("a secret")] == [("pattern", 2)]


def test_overlapping_rules_each_report_their_match() -> None:
    rules = RuleSet(["card"], [r"\d{4} \d{4}"], ["credit_card"])
    assert sorted(found(rules, "card 4111 1111 1111 1111")) == [
        ("keyword", "card"),
        ("pattern", "1111 1111"),
        ("pattern", "4111 1111"),
        ("pii/credit_card", "4111 1111 1111 1111"),
    ]


def test_a_clean_message_costs_far_under_a_millisecond() -> None:
    """A coarse guard against an accidental slow path (the benchmark measures the real figure)."""
    rules = RuleSet(["bomb", "nerve agent"], [r"ACME-\d+"], ALL_PII)
    text = ("The quick brown fox jumps over the lazy dog in 2024, talking about Paris and Berlin. " * 4)[:350]
    start = time.perf_counter()
    for _ in range(2000):
        rules.scan(text)
    per_call = (time.perf_counter() - start) / 2000
    assert per_call < 500e-6, f"{per_call * 1e6:.0f} us per scan"
