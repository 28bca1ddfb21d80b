"""A shield's rules compiled into a few fast regexes, and the scan that finds what they block.

CPython's ``re`` tries an alternation at every position of a text, but skips in C to the
positions where a regex's first character class occurs; a literal it finds with a fast
substring search. So rules are grouped by what makes each cheap, rather than merged into
one alternation (which measured five to fifty times slower):

- each PII kind is one regex that starts with a character class (see
  :mod:`plugstack_rules_shield.pii`), and the digit-based kinds are skipped at once when
  the text holds no digit (one ``[0-9]`` search);
- all keywords are one regex, run only when a cheap test passes: the longest word of some
  keyword occurs in the case-folded text (substring tests for a few keywords, one set
  intersection with the text's words for many);
- each blocked pattern is its own regex, so that ``re`` keeps its literal-prefix search
  (``ACME-\\d+``).

A clean message of a few hundred characters costs a few microseconds. Every rule reports
its own matches: a blocked pattern that overlaps a card number is reported beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from plugstack_rules_shield.pii import DESCRIPTIONS, NEEDS_A_DIGIT, PII_DETECTORS, Checker

__all__ = ["Found", "RuleSet", "keyword_regex"]

_DIGIT = re.compile("[0-9]")
_WORD = re.compile(r"\w+")
SUBSTRING_GATES = 16
"""Up to this many keywords, each one's longest word is looked for with ``in`` (about 0.1 us
each); beyond, the text's words are intersected with theirs (a constant 10-20 us)."""

_Family = tuple[str, re.Pattern[str], Checker | None, int | None]
"""(category, regex, check of a match or None, index of the rule or None)."""


@dataclass(frozen=True, slots=True)
class Found:
    """One match, redacted: its category, where it is, and which rule (index) matched.

    ``rule`` is the index of the keyword or pattern in the shield's list (the provider's
    entries first), ``None`` for PII: the matched text itself is never kept.
    """

    category: str
    start: int
    end: int
    rule: int | None = None


class RuleSet:
    """Compiled rules: ``scan(text)`` lists what they find, ordered by position."""

    def __init__(self, keywords: Sequence[str], patterns: Sequence[str], pii: Sequence[str]) -> None:
        self.keywords = list(dict.fromkeys(" ".join(word.split()) for word in keywords))
        self.patterns = list(patterns)
        kinds = [kind for kind in PII_DETECTORS if kind in set(pii)]
        self.categories: tuple[str, ...] = (
            *(f"pii/{kind}" for kind in kinds),
            *(("keyword",) if self.keywords else ()),
            *(("pattern",) if self.patterns else ()),
        )
        """Every category this rule set can report (a moderation result lists them all)."""
        self.descriptions = {category: DESCRIPTIONS[category] for category in self.categories}
        self._digit_kinds: list[_Family] = [
            (f"pii/{kind}", *PII_DETECTORS[kind], None) for kind in kinds if kind in NEEDS_A_DIGIT
        ]
        self._others: list[_Family] = [
            (f"pii/{kind}", *PII_DETECTORS[kind], None) for kind in kinds if kind not in NEEDS_A_DIGIT
        ]
        self._others.extend(("pattern", re.compile(pattern), None, i) for i, pattern in enumerate(self.patterns))
        self._keywords = keyword_regex(self.keywords) if self.keywords else None
        self._keyword_index = {word.casefold(): i for i, word in enumerate(self.keywords)}
        gates = {_gate(word) for word in self.keywords}
        self._substring_gates = sorted(gates) if len(gates) <= SUBSTRING_GATES else []
        self._word_gates = frozenset() if self._substring_gates else frozenset(g for g in gates if _WORD.fullmatch(g))
        # keywords without a word character ("!!!") cannot be found among words: test them with `in`
        self._substring_gates += [] if self._substring_gates else sorted(gates - self._word_gates)

    def scan(self, text: str) -> list[Found]:
        """What the rules find in ``text``, ordered by position."""
        found: list[Found] = []
        if self._digit_kinds:
            digit = _DIGIT.search(text)
            if digit is not None:
                start = max(digit.start() - 1, 0)
                for family in self._digit_kinds:
                    _collect(family, text, start, found)
        for family in self._others:
            _collect(family, text, 0, found)
        if self._keywords is not None and self._may_hold_a_keyword(text):
            for match in self._keywords.finditer(text):
                rule = self._keyword_index.get(" ".join(match.group().split()).casefold())
                found.append(Found("keyword", match.start(), match.end(), rule))
        if len(found) > 1:
            found.sort(key=lambda f: f.start)
        return found

    def _may_hold_a_keyword(self, text: str) -> bool:
        """A necessary condition of a keyword match, far cheaper than the keyword regex."""
        folded = text.casefold()
        if any(gate in folded for gate in self._substring_gates):
            return True
        return bool(self._word_gates) and not self._word_gates.isdisjoint(_WORD.findall(folded))


def _collect(family: _Family, text: str, start: int, found: list[Found]) -> None:
    category, regex, check, rule = family
    if regex.search(text, start) is None:  # the common case: cheaper than starting finditer
        return
    for match in regex.finditer(text, start):
        begin, end = match.span()
        if check is not None:
            span = check(text, begin, end)
            if span is None:
                continue
            begin, end = span
        if end > begin:  # a pattern matching nothing here (say a lookahead) is no violation
            found.append(Found(category, begin, end, rule))


def _gate(word: str) -> str:
    """The part of ``word`` any text holding it holds too, case-folded: its longest run of word characters."""
    runs = _WORD.findall(word.casefold())
    return max(runs, key=len) if runs else word.casefold()


def keyword_regex(keywords: Sequence[str]) -> re.Pattern[str]:
    """One regex matching any of ``keywords`` as a whole word, in any case, spaces as any whitespace.

    It starts with the class of the keywords' first letters (both cases), so that ``re``
    skips to those, then checks the left boundary behind that letter, then the rest of
    the keywords of that letter, longest first:
    ``[BCbc](?<!\\w(?s:.))(?:(?<=[Bb])(?i:omb)|(?<=[Cc])(?i:redit\\s+card|\\+\\+))(?!\\w)``.
    """
    by_first: dict[str, list[str]] = {}
    cases: dict[str, set[str]] = {}
    for word in keywords:
        normal = " ".join(word.split())
        first, rest = normal[0], normal[1:]
        key = first.lower()
        by_first.setdefault(key, []).append(r"\s+".join(re.escape(part) for part in rest.split(" ")))
        cases.setdefault(key, set()).update(c for c in (first, first.lower(), first.upper()) if len(c) == 1)
    branches = []
    for key, rests in by_first.items():
        letter = "[" + "".join(re.escape(c) for c in sorted(cases[key])) + "]"
        alternatives = "|".join(sorted(set(rests), key=len, reverse=True))
        branches.append(f"(?<={letter})(?i:{alternatives})")
    firsts = "[" + "".join(re.escape(c) for c in sorted(set().union(*cases.values()))) + "]"
    return re.compile(rf"{firsts}(?<!\w(?s:.))(?:{'|'.join(branches)})(?!\w)")
