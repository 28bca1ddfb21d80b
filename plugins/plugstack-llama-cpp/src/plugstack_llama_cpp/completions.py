"""Text completions (``/v1/completions``) on llama.cpp, streamed token by token from the worker thread."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from plugstack.apis.inference import Completion, CompletionChoice, CompletionRequest
from plugstack.errors import NotImplementedByProviderError
from plugstack_llama_cpp.sampling import (
    TokenCounter,
    cached_prefix,
    check_context,
    check_logprobs,
    sampling_kwargs,
    usage,
)

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = ["check_completion_request", "generate_completion"]


def check_completion_request(request: CompletionRequest) -> None:
    if request.n not in (None, 1):
        raise NotImplementedByProviderError("inline::llama-cpp generates one choice per request (n must be 1)")
    if request.suffix is not None:
        raise NotImplementedByProviderError("inline::llama-cpp does not support suffix (fill-in-the-middle)")
    prompt = request.prompt
    if isinstance(prompt, list) and prompt and not isinstance(prompt[0], int) and len(prompt) != 1:
        raise NotImplementedByProviderError("inline::llama-cpp completes one prompt per request, not a batch")


def generate_completion(
    llama: Llama, model_id: str, request: CompletionRequest, stop: threading.Event
) -> Iterator[Completion]:
    """Worker thread: the chunks of one text completion; the last carries usage if asked."""
    from llama_cpp import StoppingCriteriaList

    prompt = request.prompt
    if isinstance(prompt, list) and prompt and not isinstance(prompt[0], int):
        prompt = prompt[0]  # a batch of one
    if isinstance(prompt, str):
        tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
    else:
        tokens = [int(t) for t in cast("list[int]", prompt)]
    check_context(llama, model_id, len(tokens))
    if request.logprobs is not None:
        check_logprobs(llama, model_id)
    counter = TokenCounter(stop)
    cached = cached_prefix(llama, tokens)
    pieces = cast(
        "Iterator[dict[str, Any]]",
        llama.create_completion(
            prompt=tokens,
            max_tokens=request.max_tokens if request.max_tokens is not None else 16,  # OpenAI's default
            stop=request.stop,
            stream=True,
            logprobs=request.logprobs,
            stopping_criteria=StoppingCriteriaList([counter]),
            **sampling_kwargs(request),
        ),
    )
    completion_id = f"cmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if request.echo:  # the prompt first, as text (without logprobs)
        echoed = prompt if isinstance(prompt, str) else llama.detokenize(tokens).decode("utf-8", errors="replace")
        yield Completion(
            id=completion_id, created=created, model=request.model, choices=[CompletionChoice(text=echoed)]
        )
    for piece in pieces:
        choice = piece["choices"][0]
        yield Completion(
            id=completion_id,
            created=created,
            model=request.model,
            choices=[
                CompletionChoice(
                    text=choice["text"], finish_reason=choice["finish_reason"], logprobs=_plain(choice.get("logprobs"))
                )
            ],
        )
    if not request.stream or (request.stream_options or {}).get("include_usage"):
        yield Completion(
            id=completion_id,
            created=created,
            model=request.model,
            choices=[],
            usage=usage(len(tokens), counter.sampled, cached),
        )


def _plain(logprobs: dict[str, Any] | None) -> dict[str, Any] | None:
    """llama.cpp's logprobs hold numpy floats; JSON wants Python floats."""
    if logprobs is None:
        return None
    return {
        "tokens": list(logprobs["tokens"]),
        "text_offset": [int(o) for o in logprobs["text_offset"]],
        "token_logprobs": [None if lp is None else float(lp) for lp in logprobs["token_logprobs"]],
        "top_logprobs": [
            None if top is None else {t: float(lp) for t, lp in top.items()} for top in logprobs["top_logprobs"]
        ],
    }
