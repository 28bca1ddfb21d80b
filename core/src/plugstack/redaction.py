"""Keeping secrets out of logs, errors and ``plugstack`` output.

Two tools: :func:`redact_config` for structured config (anything under a secret-looking
key, and every ``SecretStr``), and :func:`redact_text` for free text such as upstream
error messages, which may quote a key back ("Incorrect API key provided: sk-...").
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import SecretStr

__all__ = ["REDACTED", "SECRET_KEY_PATTERNS", "SECRET_NAME", "redact_config", "redact_text"]

REDACTED = "<redacted>"

SECRET_NAME = re.compile(r"key|token|secret|password|credential|url|authorization|cookie", re.IGNORECASE)
"""Config keys whose values are treated as secret (``url`` because URLs carry passwords;
``authorization`` and ``cookie`` for the HTTP headers a tool group's args may carry)."""

SECRET_KEY_PATTERNS: dict[str, re.Pattern[str]] = {
    "OpenAI/Anthropic-style key": re.compile(r"\bsk-[A-Za-z0-9_*-]{6,}"),
    "Groq key": re.compile(r"\bgsk_[A-Za-z0-9_*-]{6,}"),
    "bearer token": re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS SigV4 signature": re.compile(r"\bSignature=[0-9a-f]{64}\b"),
    "key query parameter": re.compile(r"[?&](?:api_key|key)=[^&\s\"']+"),
}
"""Shapes of credentials, wherever they appear in text."""


def redact_text(text: str, *secrets: str | SecretStr | None) -> str:
    """``text`` with each of ``secrets`` and anything shaped like a credential replaced."""
    for secret in secrets:
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if value:
            text = text.replace(value, REDACTED)
    for pattern in SECRET_KEY_PATTERNS.values():
        text = pattern.sub(REDACTED, text)
    return text


def redact_config(value: Any, key: str = "") -> Any:
    """``value`` (a parsed config) with every secret-looking entry replaced, safe to log."""
    if isinstance(value, SecretStr) or (key and SECRET_NAME.search(key) and value not in (None, "", [], {})):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact_config(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_config(v) for v in value]
    return value
