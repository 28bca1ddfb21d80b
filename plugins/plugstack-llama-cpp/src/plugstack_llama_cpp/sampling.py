"""What chat and text completions share: sampling settings, token counting, stopping, logprobs."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from plugstack.apis.inference import Usage
from plugstack.errors import BadRequestError

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = [
    "TokenCounter",
    "cached_prefix",
    "chat_logprobs",
    "check_context",
    "check_logprobs",
    "sampling_kwargs",
    "usage",
]

# Unset parameters take llama-cpp-python's defaults (its server's), which suit small local
# models better than OpenAI's temperature=1, top_p=1.
DEFAULT_TEMPERATURE = 0.8
DEFAULT_TOP_P = 0.95


def sampling_kwargs(request: Any) -> dict[str, Any]:
    """``create_completion`` keyword arguments from an OpenAI request's sampling fields."""
    kwargs: dict[str, Any] = {
        "temperature": DEFAULT_TEMPERATURE if request.temperature is None else request.temperature,
        "top_p": DEFAULT_TOP_P if request.top_p is None else request.top_p,
        "seed": request.seed,
        "presence_penalty": request.presence_penalty or 0.0,
        "frequency_penalty": request.frequency_penalty or 0.0,
    }
    logit_bias = getattr(request, "logit_bias", None)
    if logit_bias:
        kwargs["logit_bias"] = {int(token): bias for token, bias in logit_bias.items()}
    return kwargs


def check_context(llama: Llama, model_id: str, prompt_tokens: int) -> None:
    """400 naming both numbers when the prompt leaves no room in the context window."""
    n_ctx = llama.n_ctx()
    if prompt_tokens >= n_ctx:
        raise BadRequestError(
            f"the prompt is {prompt_tokens} tokens long but model {model_id!r} has a context window of "
            f"{n_ctx} tokens (n_ctx); shorten the prompt or raise n_ctx",
            param="messages",
            code="context_length_exceeded",
        )


def cached_prefix(llama: Llama, prompt: list[int]) -> int:
    """How many prompt tokens llama.cpp will take from the KV cache of the previous request.

    Mirrors ``Llama.generate``: it keeps the common prefix of the previous tokens and the
    prompt, less one token when the whole prompt matches (to recompute the last logits).
    """
    if llama.n_tokens == 0:
        return 0
    common = 0
    for previous, token in zip(llama.input_ids[: llama.n_tokens].tolist(), prompt, strict=False):
        if previous != token:
            break
        common += 1
    return common - 1 if common == len(prompt) else common


def usage(prompt_tokens: int, completion_tokens: int, cached_tokens: int) -> Usage:
    return Usage(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
        prompt_tokens_details={"cached_tokens": cached_tokens},
    )


def check_logprobs(llama: Llama, model_id: str) -> None:
    if not llama._logits_all:
        raise BadRequestError(
            f"model {model_id!r} was loaded without logprobs support; set logprobs: true in its provider config",
            param="logprobs",
        )


class TokenCounter:
    """A llama.cpp stopping criterion that counts sampled tokens and stops when ``stop`` is set.

    llama.cpp calls it once per sampled token, between tokens (the place to notice that the
    consumer has gone away), and once more when generation ends.
    """

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._calls = 0

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        self._calls += 1
        return self.stop.is_set()

    @property
    def sampled(self) -> int:
        """Tokens sampled, counting the end-of-turn token when the model stopped by itself."""
        return max(self._calls - 1, 0)


def chat_logprobs(completion_logprobs: dict[str, Any] | None, top: int) -> list[dict[str, Any]]:
    """llama.cpp's completion-style logprobs as the entries of a chat ``logprobs.content``."""
    if not completion_logprobs:
        return []
    entries = []
    for token, logprob, alternatives in zip(
        completion_logprobs["tokens"],
        completion_logprobs["token_logprobs"],
        completion_logprobs["top_logprobs"],
        strict=False,
    ):
        ranked = sorted((alternatives or {}).items(), key=lambda item: -item[1])[:top]
        entries.append(
            {
                "token": token,
                "logprob": float(logprob),
                "bytes": list(token.encode()),
                "top_logprobs": [{"token": t, "logprob": float(lp), "bytes": list(t.encode())} for t, lp in ranked],
            }
        )
    return entries
