"""The PII detectors: one regex per kind, each followed by a check in Python where a regex is not enough.

Every regex starts with one character class ("a digit", "an ``@``") and only then looks
behind for its left boundary (``[0-9](?<![0-9][0-9])`` rather than ``(?<![0-9])[0-9]``): CPython's
``re`` then skips, in C, straight to the positions where that class occurs, so a text
without digits or ``@`` costs each detector well under a microsecond. A regex that starts
with a lookbehind, or an alternation of several detectors, is tried at every position and
is some fifty times slower. The checks after the regex (Luhn for cards, octet ranges for
IPv4, never-issued numbers for SSNs) reject what the regex cannot tell apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "DESCRIPTIONS",
    "NEEDS_A_DIGIT",
    "PII_DETECTORS",
    "PII_KINDS",
    "Checker",
    "Detector",
    "card_span",
    "luhn_valid",
]

Checker = Callable[[str, int, int], "tuple[int, int] | None"]
Detector = tuple[re.Pattern[str], Checker | None]

_SEP = "[ .-]"
_TAIL = rf"[0-9]{{3}}{_SEP}[0-9]{{4}}"  # 555-0123
_AREA = rf"(?:\([0-9]{{3}}\){_SEP}?|[0-9]{{3}}{_SEP})"  # (415) or 415-


def _card_groups(sep: str) -> str:
    """The printed groupings of 13-19 digit cards after their first digit, one separator throughout."""
    four, six = "[0-9]{4}", "[0-9]{6}"
    return (
        rf"[0-9]{{3}}{sep}{four}{sep}{four}{sep}(?:{four}(?:{sep}[0-9]{{3}})?|[0-9]{{1,3}})"  # 4-4-4-4(-3), 4-4-4-1..3
        rf"|[0-9]{{3}}{sep}{six}{sep}[0-9]{{4,5}}"  # 4-6-5 (Amex), 4-6-4 (Diners)
    )


_CARD = re.compile(rf"[0-9](?<![0-9][0-9])(?:[0-9]{{12,18}}|{_card_groups(' ')}|{_card_groups('-')})(?![0-9])")
_SSN = re.compile(r"[0-9](?<![0-9-][0-9])[0-9][0-9](?:-[0-9][0-9]-[0-9]{4}|\ [0-9][0-9]\ [0-9]{4})(?![0-9-])")
_PHONE = re.compile(
    rf"[0-9+(](?<![\w+][0-9+(])(?:"
    rf"(?<=\+)(?:1{_SEP}?{_AREA}{_TAIL}|[1-9][0-9]{{0,2}}(?:{_SEP}?[0-9]){{6,12}})"  # +1 415 555 0123, +44 20 7946 0958
    rf"|(?<=\()[0-9]{{3}}\){_SEP}?{_TAIL}"  # (415) 555-0123
    rf"|(?<=1){_SEP}?{_AREA}{_TAIL}"  # 1-415-555-0123
    rf"|(?<=[0-9])[0-9][0-9]{_SEP}{_TAIL}"  # 415-555-0123, 415.555.0123
    r")(?!\w)"
)
_EMAIL = re.compile(r"@(?<=[A-Za-z0-9._%+-]@)(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")
_IPV4 = re.compile(r"[0-9](?<![0-9.][0-9])[0-9]{0,2}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?!\.?[0-9])")
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_DIGIT_RUN = re.compile(r"[0-9]+")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a card number (digits only): every real card number passes it."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if i % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The card number in ``text[start:end]``, or ``None`` if it fails Luhn.

    A grouped match may run on into digits that are not the card's ("4111 1111 1111 1111
    123"): when the whole match fails, its prefixes that end at a group boundary and hold
    at least 13 digits are tried, longest first.
    """
    candidate = text[start:end]
    digits = candidate.replace(" ", "").replace("-", "")
    if luhn_valid(digits):
        return start, end
    if len(digits) == len(candidate):
        return None
    for group_end in reversed([m.end() for m in _DIGIT_RUN.finditer(candidate)][:-1]):
        prefix = candidate[:group_end].replace(" ", "").replace("-", "")
        if len(prefix) >= 13 and luhn_valid(prefix):
            return start, start + group_end
    return None


def _ssn_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Numbers never issued are not SSNs: area 000, 666 or 9xx, group 00, serial 0000."""
    area, group, serial = text[start : start + 3], text[start + 4 : start + 6], text[start + 7 : end]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return None
    return start, end


def _ipv4_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    if all(int(octet) <= 255 for octet in text[start:end].split(".")):
        return start, end
    return None


def _email_span(text: str, at: int, end: int) -> tuple[int, int] | None:
    """The regex matched from the ``@``: walk back over the local part to the address's start."""
    start = at
    while start > 0 and text[start - 1] in _EMAIL_LOCAL and not (text[start - 1] == text[start] == "."):
        start -= 1
    while text[start] == ".":  # "see...jo@x.org": the dots are not the address's
        start += 1
    if start == at or text[start - 1 : start].isalnum():  # nothing before the @, or inside a word
        return None
    return start, end


PII_DETECTORS: dict[str, Detector] = {
    "credit_card": (_CARD, card_span),
    "ssn": (_SSN, _ssn_span),
    "phone": (_PHONE, None),
    "email": (_EMAIL, _email_span),
    "ipv4": (_IPV4, _ipv4_span),
}
"""Per PII kind: its regex, and the check (``None``: none) that confirms a match and gives its span."""

PII_KINDS: tuple[str, ...] = tuple(PII_DETECTORS)

NEEDS_A_DIGIT = frozenset({"credit_card", "ssn", "phone", "ipv4"})
"""Kinds whose every match holds a digit: a text without digits skips them all (phone numbers
start at most one character, ``+`` or ``(``, before their first digit)."""

DESCRIPTIONS: dict[str, str] = {
    "pii/email": "an email address",
    "pii/phone": "a phone number",
    "pii/credit_card": "a credit card number",
    "pii/ssn": "a social security number",
    "pii/ipv4": "an IP address",
    "keyword": "a blocked word",
    "pattern": "blocked content",
}
"""What each category means to a user: the ``{reasons}`` of a shield's ``user_message``."""
