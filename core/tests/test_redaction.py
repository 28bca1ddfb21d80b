from __future__ import annotations

from pydantic import SecretStr

from plugstack.redaction import REDACTED, redact_config, redact_text


def test_redact_text_removes_known_secrets_and_key_shapes() -> None:
    text = "Incorrect API key provided: sk-abcdef123456. Also hunter2, gsk_0123456789abcdef, Bearer abc.def.ghi"
    cleaned = redact_text(text, SecretStr("hunter2"), None, "")
    for secret in ("sk-abcdef123456", "hunter2", "gsk_0123456789abcdef", "abc.def.ghi"):
        assert secret not in cleaned
    assert cleaned.startswith("Incorrect API key provided: <redacted>")


def test_redact_config_hides_secret_keys_at_any_depth() -> None:
    config = {
        "base_url": "http://user:pw@host",
        "timeout": 5,
        "api_key": SecretStr("x"),
        "models": [{"id": "m", "token": "t"}],
        "empty_key": None,
    }
    assert redact_config(config) == {
        "base_url": REDACTED,
        "timeout": 5,
        "api_key": REDACTED,
        "models": [{"id": "m", "token": REDACTED}],
        "empty_key": None,
    }
