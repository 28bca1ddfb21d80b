"""Reading Llama Guard's answer: ``safe``, or ``unsafe`` and a line of category codes.

The parser is strict on purpose. A shield that cannot tell what the model meant must not
let the conversation through, so anything but the two documented forms raises
:class:`UnparseableVerdict` (the shield turns it into a ``ProviderError``) instead of
being read as "safe". Leading and trailing whitespace and letter case are tolerated:
Llama Guard served through some chat templates starts its answer with blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from plugstack.apis.safety.types import SafetyViolation
from plugstack_llama_guard.prompt import Category

__all__ = ["UnparseableVerdict", "Verdict", "parse_verdict", "to_violation"]

_CODES = re.compile(r"^\s*S[1-9][0-9]*\s*(,\s*S[1-9][0-9]*\s*)*,?\s*$", re.IGNORECASE)


class UnparseableVerdict(ValueError):
    """The model's answer is neither ``safe`` nor ``unsafe`` with category codes."""

    def __init__(self, answer: str, why: str) -> None:
        super().__init__(why)
        self.answer = answer
        self.why = why


@dataclass(frozen=True)
class Verdict:
    """What the model said: ``safe``, or ``unsafe`` with the codes it gave (maybe none)."""

    safe: bool
    codes: tuple[str, ...] = field(default=())


def parse_verdict(answer: str | None) -> Verdict:
    """``answer`` as a :class:`Verdict`; :class:`UnparseableVerdict` for anything else."""
    if answer is None or not answer.strip():
        raise UnparseableVerdict(answer or "", "the answer is empty")
    lines = [line.strip() for line in answer.strip().splitlines() if line.strip()]
    first = lines[0].casefold()
    if first == "safe":
        if len(lines) > 1:
            raise UnparseableVerdict(answer, "'safe' is followed by more text")
        return Verdict(safe=True)
    if first != "unsafe":
        raise UnparseableVerdict(answer, "the first line is neither 'safe' nor 'unsafe'")
    if len(lines) == 1:
        return Verdict(safe=False)  # unsafe, no category named: still a clear verdict
    if len(lines) > 2 or not _CODES.match(lines[1]):
        raise UnparseableVerdict(answer, "the line after 'unsafe' is not a comma-separated list of codes (S1,S10)")
    codes = tuple(dict.fromkeys(code.strip().upper() for code in lines[1].split(",") if code.strip()))
    return Verdict(safe=False, codes=codes)


def to_violation(
    verdict: Verdict, categories: Sequence[Category], *, excluded_codes: Collection[str] = ()
) -> SafetyViolation | None:
    """The shield's violation for ``verdict`` (``None`` when safe), categories named and mapped.

    ``categories`` are those the prompt listed, ``excluded_codes`` those the policy left
    out. A code the model reports but the prompt did not list is reported as the bare
    code; when every reported code is one the policy excluded, the verdict is "safe" (the
    operator chose not to block those), as Llama Stack's shield does. Llama Guard gives no
    probabilities, so ``category_scores`` stays empty rather than made up.
    """
    if verdict.safe:
        return None
    if verdict.codes and all(code in excluded_codes for code in verdict.codes):
        return None
    by_code = {c.code: c for c in categories}
    names: dict[str, str] = {}
    reported: list[str] = []
    for code in verdict.codes:
        if code in excluded_codes:
            continue
        category = by_code.get(code)
        names[code] = category.name if category else code
        if category is not None and category.openai_category:
            reported.append(category.openai_category)
        reported.append(code)
    named = ", ".join(names.values())
    return SafetyViolation(
        violation_level="error",
        user_message="I can't help with that: this content was flagged as unsafe" + (f" ({named})." if named else "."),
        categories=list(dict.fromkeys(reported)),
        metadata={
            "violation_type": ",".join(names) if names else "unsafe",
            "codes": list(names),
            "category_names": names,
        },
    )
