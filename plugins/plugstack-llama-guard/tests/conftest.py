"""Fixtures of the llama-guard tests, and a stand-in Llama Guard upstream for recording cassettes.

The stand-in is an OpenAI-compatible server that answers as Llama Guard 3 does.

No real Llama Guard model can run here (no weights may be downloaded, and the small local
model, SmolLM2-135M, does not follow the Llama Guard format), so the conformance cassettes
are recorded from this server. It is a stand-in for the *upstream*, not for the plugin:
the plugin's real prompt goes out over HTTP through ``remote::openai-compatible``, and the
answer comes back in Llama Guard's own format (``safe``, or ``unsafe`` and a line of
codes), which the plugin parses.

Its "judgement" is a keyword table, applied to the last turn of the role the prompt's
task line names, and only for the categories the prompt lists, so excluded categories
behave as with the real model. A prompt that is not a Llama Guard prompt gets an answer in
no known format.

``guard_upstream_url`` starts it when cassettes are being recorded (any
``PLUGSTACK_TEST_MODE`` but ``replay``), unless ``PLUGSTACK_LLAMA_GUARD_TEST_BASE_URL``
names another upstream (a real Llama Guard, say).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from plugstack.testing.asgi_server import AppServer
from plugstack.testing.recording import current_mode

MODEL = "llama-guard-3-standin"
UPSTREAM_ENV = "PLUGSTACK_LLAMA_GUARD_TEST_BASE_URL"

# code -> phrases that make a turn unsafe in that category (lower case)
KEYWORDS: dict[str, tuple[str, ...]] = {
    "S1": ("kill", "murder", "stab"),
    "S9": ("bomb", "nerve gas"),
    "S10": ("hate all",),
    "S11": ("hurt myself",),
}

_TASK = re.compile(r"unsafe content in '(User|Agent)' messages")
_LISTED = re.compile(r"^(S[0-9]+): ", re.MULTILINE)
_CONVERSATION = re.compile(r"<BEGIN CONVERSATION>\n\n(.*)\n\n<END CONVERSATION>", re.DOTALL)
_TURN = re.compile(r"^(User|Agent): ", re.MULTILINE)


def judge(prompt: str) -> str:
    """The answer Llama Guard's format asks for, by keyword: ``safe`` or ``unsafe\\nS1,S9``."""
    task, conversation = _TASK.search(prompt), _CONVERSATION.search(prompt)
    if task is None or conversation is None:
        return "I am a stand-in for Llama Guard and only judge Llama Guard prompts."
    listed = set(_LISTED.findall(prompt.split("<BEGIN CONVERSATION>")[0]))
    parts = _TURN.split(conversation[1])[1:]  # [speaker, text, speaker, text, ...]
    turns = [(parts[i], parts[i + 1]) for i in range(0, len(parts), 2)]
    text = next((t for speaker, t in reversed(turns) if speaker == task[1]), "").lower()
    codes = [code for code, words in KEYWORDS.items() if code in listed and any(w in text for w in words)]
    return "unsafe\n" + ",".join(codes) if codes else "safe"


class GuardUpstream:
    """The stand-in, served by a real uvicorn on 127.0.0.1 (a free port unless one is given)."""

    def __init__(self, port: int = 0) -> None:
        app = Starlette(
            routes=[
                Route("/v1/models", self.models),
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
            ]
        )
        self.server = AppServer(app, port=port)
        self.port = self.server.port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def models(self, request: Request) -> JSONResponse:
        entry = {"id": MODEL, "object": "model", "created": 1, "owned_by": "stand-in"}
        return JSONResponse({"object": "list", "data": [entry]})

    async def chat(self, request: Request) -> JSONResponse:
        body: dict[str, Any] = json.loads(await request.body())
        if body.get("model") != MODEL:
            error = {"message": f"model {body.get('model')!r} not found", "type": "invalid_request_error"}
            return JSONResponse({"error": error}, status_code=404)
        prompt = "\n".join(str(m.get("content") or "") for m in body["messages"] if m.get("role") == "user")
        answer = judge(prompt)
        return JSONResponse(
            {
                "id": "chatcmpl-standin",
                "object": "chat.completion",
                "created": 1,
                "model": MODEL,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 2, "total_tokens": 0},
            }
        )

    def __enter__(self) -> GuardUpstream:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


@pytest.fixture(scope="session")
def guard_upstream_url() -> Iterator[str | None]:
    """The upstream to record from: ``None`` in replay mode (the cassettes answer), else its base URL."""
    if current_mode() == "replay":
        yield None
    elif os.environ.get(UPSTREAM_ENV):
        yield os.environ[UPSTREAM_ENV]
    else:
        with GuardUpstream() as upstream:
            yield upstream.base_url
