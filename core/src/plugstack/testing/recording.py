"""Record-replay of HTTP traffic for provider tests, on vcrpy.

A test that talks to an upstream (OpenAI, Anthropic, Bedrock...) runs inside a cassette:
``tests/cassettes/<test module>/<test name>.yaml`` under the test's own package. The mode
comes from ``PLUGSTACK_TEST_MODE``:

- ``replay`` (the default, and CI): every request must match a recorded one; a missing
  cassette or an unmatched request fails the test and says how to record it.
- ``record``: delete the test's cassette and record it anew from the real upstream.
- ``record-if-missing``: replay a cassette that exists, record one that does not.
- ``live``: no cassette at all; talk to the real upstream.

Requests match on method, path, query and JSON body normalised (key order and spacing do
not matter), never on scheme, host or port: a cassette recorded against
``http://127.0.0.1:8091/v1`` replays for ``https://api.openai.com/v1``. Identical
requests replay in recording order, each interaction once.

Before anything is written, credentials are scrubbed: the ``Authorization``,
``x-api-key``, ``api-key`` and AWS SigV4 token headers, and ``api_key``/``key`` query
parameters. :func:`find_secrets` then re-checks the cassette file, and the repo-wide test
``tests/test_cassettes_have_no_secrets.py`` checks every cassette.

Streaming responses (SSE) are stored as the exact bytes received and replayed from them,
so a client reads the same events, one by one, as it did live. vcrpy reads a stream to
its end before handing it on while *recording* (not while replaying): record with that in
mind, it changes timing only.

vcrpy is imported only when a cassette is used: this module is reached from the pytest
plugin that every pytest run with plugstack installed loads.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from plugstack.redaction import SECRET_KEY_PATTERNS

if TYPE_CHECKING:
    from vcr.cassette import Cassette
    from vcr.request import Request

__all__ = [
    "MODE_ENV",
    "SCRUBBED_HEADERS",
    "SCRUBBED_QUERY_PARAMETERS",
    "CassetteMiss",
    "Mode",
    "Recording",
    "cassette_path_for",
    "current_mode",
    "find_secrets",
    "use_cassette",
]

MODE_ENV = "PLUGSTACK_TEST_MODE"
Mode = Literal["replay", "record", "record-if-missing", "live"]
_MODES: tuple[Mode, ...] = ("replay", "record", "record-if-missing", "live")

SCRUBBED_HEADERS = (
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "x-subscription-token",  # Brave Search
    "x-amz-security-token",
    "cookie",
    "set-cookie",
)
SCRUBBED_QUERY_PARAMETERS = ("api_key", "key", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")


def current_mode() -> Mode:
    """The mode named by ``PLUGSTACK_TEST_MODE`` (``replay`` when unset)."""
    value = os.environ.get(MODE_ENV, "replay").strip().lower() or "replay"
    if value not in _MODES:
        raise ValueError(f"{MODE_ENV}={value!r} is not one of {', '.join(_MODES)}")
    return value


def cassette_path_for(test_file: str | os.PathLike[str], test_name: str) -> Path:
    """``<package>/tests/cassettes/<module>/<test_name>.yaml`` for a test in ``test_file``.

    The package's tests folder is the nearest ancestor of ``test_file`` named ``tests``,
    so a conformance test inherited from the core writes into the plugin's own folder.
    ``test_name`` is made file-name safe (``Class::test[param]`` → ``Class.test-param``).
    """
    path = Path(test_file).resolve()
    tests_dir = next((parent for parent in path.parents if parent.name == "tests"), path.parent)
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name.replace("::", ".")).strip("-")
    return tests_dir / "cassettes" / path.stem / f"{safe_name}.yaml"


@dataclass
class CassetteMiss:
    """A request that replay could not answer from the cassette."""

    method: str
    path: str
    body: str


@dataclass
class Recording:
    """What a test sees of its cassette: where it is, in which mode, and what missed."""

    path: Path
    mode: Mode
    cassette: Cassette | None = None
    misses: list[CassetteMiss] = field(default_factory=list)

    def how_to_record(self, test_id: str) -> str:
        return f"record it against a real upstream with: {MODE_ENV}=record pytest '{test_id}' (cassette: {self.path})"


@contextlib.contextmanager
def use_cassette(path: Path, mode: Mode | None = None, **vcr_options: Any) -> Iterator[Recording]:
    """Run the block with HTTP traffic recorded to, or replayed from, ``path``.

    ``vcr_options`` go to ``vcr.VCR`` (for example ``skip_patchers=("httpx",)`` for an
    SDK that layers httpx's API over aiohttp, which vcrpy would otherwise record twice).
    In ``live`` mode nothing is patched. After a recording, the written file is checked
    with :func:`find_secrets` and a leak raises ``AssertionError`` naming the secret kind.
    """
    mode = mode or current_mode()
    recording = Recording(path=path, mode=mode)
    if mode == "live":
        yield recording
        return
    import vcr  # lazily: see the module docstring

    if mode == "record":
        path.unlink(missing_ok=True)
    record_mode = {"replay": "none", "record": "all", "record-if-missing": "once"}[mode]
    options: dict[str, Any] = {
        "record_mode": record_mode,
        "match_on": ["method", "path", "query", "plugstack_json_body"],
        "filter_headers": list(SCRUBBED_HEADERS),
        "filter_query_parameters": list(SCRUBBED_QUERY_PARAMETERS),
        "before_record_response": _scrub_response,
        "allow_playback_repeats": False,
        **vcr_options,
    }
    recorder = vcr.VCR()
    recorder.register_matcher("plugstack_json_body", _json_body_matcher)
    with recorder.use_cassette(str(path), **options) as cassette:
        recording.cassette = cassette
        _watch_misses(cassette, recording)
        yield recording
    if mode != "replay" and path.exists():
        leaks = find_secrets(path.read_text(encoding="utf-8"))
        if leaks:
            raise AssertionError(f"cassette {path} holds secrets ({', '.join(leaks)}); it must not be committed")


def _watch_misses(cassette: Cassette, recording: Recording) -> None:
    """Remember the requests a write-protected (replaying) cassette cannot answer.

    vcrpy raises ``CannotOverwriteExistingCassetteException`` for them, but an SDK may
    wrap that into its own connection error; the fixture reports the misses afterwards.
    """
    can_play = cassette.can_play_response_for

    def can_play_and_watch(request: Request) -> bool:
        playable = bool(can_play(request))
        if not playable and cassette.write_protected:
            body = _body_bytes(request).decode("utf-8", "replace")
            recording.misses.append(CassetteMiss(request.method, request.path, body[:300]))
        return playable

    cassette.can_play_response_for = can_play_and_watch


def _body_bytes(request: Request) -> bytes:
    body = request.body
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode()


def _normalised_body(request: Request) -> bytes:
    raw = _body_bytes(request)
    try:
        return json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return raw


def _json_body_matcher(r1: Request, r2: Request) -> None:
    """vcrpy matcher: equal bodies once JSON key order and spacing are normalised."""
    b1, b2 = _normalised_body(r1), _normalised_body(r2)
    if b1 != b2:
        raise AssertionError(f"bodies differ: {b1[:200]!r} != {b2[:200]!r}")


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies and store bodies uncompressed, so cassettes are readable and diffable.

    aiohttp hands vcrpy an already decompressed body but keeps ``Content-Encoding``;
    httpx hands over the raw bytes. Both end up plain, without the header.
    """
    from vcr.filters import decode_response

    headers = {name: values for name, values in response["headers"].items() if name.lower() not in SCRUBBED_HEADERS}
    response = {**response, "headers": headers}
    encoding = next((name for name in headers if name.lower() == "content-encoding"), None)
    if encoding is None:
        return response
    try:
        return dict(decode_response(response))
    except (zlib.error, OSError, ValueError):  # the body is not compressed (any more)
        plain = {
            name: values
            for name, values in headers.items()
            if name.lower() not in ("content-encoding", "content-length")
        }
        return {**response, "headers": plain}


def find_secrets(cassette_text: str) -> list[str]:
    """The kinds of secret-looking values in a cassette's text (empty when clean).

    Looks for API keys (``sk-``, ``gsk_``), bearer tokens, AWS access key ids and SigV4
    signatures, ``api_key``/``key`` query parameters, and any value left in a header that
    is supposed to be scrubbed (``x-api-key: ...``).
    """
    found = [kind for kind, pattern in SECRET_KEY_PATTERNS.items() if pattern.search(cassette_text)]
    try:
        data = yaml.safe_load(cassette_text)
    except yaml.YAMLError:
        return found
    for interaction in (data or {}).get("interactions", []) if isinstance(data, Mapping) else []:
        for side in ("request", "response"):
            headers = (interaction.get(side) or {}).get("headers") or {}
            for name in headers:
                if str(name).lower() in SCRUBBED_HEADERS:
                    found.append(f"{side} header {name!r}")
    return sorted(set(found))
