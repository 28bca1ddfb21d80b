"""A batch's input file, read line by line: each line a request to run, or why it cannot be.

Each line of the JSONL input is ``{"custom_id", "method": "POST", "url", "body"}``. A
malformed line (not JSON, no ``custom_id``, a ``custom_id`` seen before, a ``url`` other
than the batch's endpoint, a ``body`` the endpoint's request model refuses) becomes a
:class:`~plugstack.apis.batches.types.BatchError` naming the line, and the other lines
still run. Only an input that cannot be a batch at all (not UTF-8, no request, too many,
or not one line that could run) raises :class:`InvalidInput`, failing the batch.

Parsing is deterministic, so a batch resumed after a restart reads its input again and
gets the same lines, numbered alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from plugstack.apis.batches.types import BatchError
from plugstack.apis.inference import ChatCompletionRequest, EmbeddingsRequest
from plugstack.validation import bad_request_from

__all__ = ["ENDPOINTS", "MAX_REQUESTS", "InputLine", "InvalidInput", "parse_input"]

ENDPOINTS: dict[str, type[ChatCompletionRequest | EmbeddingsRequest]] = {
    "/v1/chat/completions": ChatCompletionRequest,
    "/v1/embeddings": EmbeddingsRequest,
}
MAX_REQUESTS = 50_000  # OpenAI's limit per batch
_MAX_LISTED_ERRORS = 100  # of an input refused as a whole: enough to see the pattern


@dataclass(frozen=True)
class InputLine:
    """Line ``line`` (1-based) of the input: ``request`` to run, or ``error`` saying why not."""

    line: int
    custom_id: str | None
    request: ChatCompletionRequest | EmbeddingsRequest | None = None
    error: BatchError | None = None


class InvalidInput(Exception):
    """The input cannot be a batch; ``errors`` say why (the batch's ``errors``)."""

    def __init__(self, errors: list[BatchError]) -> None:
        super().__init__("; ".join(error.message or "" for error in errors))
        self.errors = errors


def parse_input(content: bytes, endpoint: str) -> list[InputLine]:
    """Every non-blank line of ``content``, checked against ``endpoint``'s request model."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            [BatchError(code="invalid_file", message=f"the input file is not UTF-8 text (byte {exc.start})")]
        ) from None
    seen: set[str] = set()
    lines = [
        _parse_line(number, raw, endpoint, seen) for number, raw in enumerate(text.splitlines(), start=1) if raw.strip()
    ]
    if not lines:
        raise InvalidInput([BatchError(code="empty_file", message="the input file holds no request")])
    if len(lines) > MAX_REQUESTS:
        raise InvalidInput(
            [
                BatchError(
                    code="too_many_requests",
                    message=f"the input file holds {len(lines)} requests; a batch takes at most {MAX_REQUESTS}",
                )
            ]
        )
    if all(line.error is not None for line in lines):
        raise InvalidInput([line.error for line in lines[:_MAX_LISTED_ERRORS] if line.error is not None])
    return lines


def _parse_line(number: int, raw: str, endpoint: str, seen: set[str]) -> InputLine:
    def refused(code: str, message: str, param: str | None = None, custom_id: str | None = None) -> InputLine:
        error = BatchError(code=code, line=number, message=f"line {number}: {message}", param=param)
        return InputLine(line=number, custom_id=custom_id, error=error)

    try:
        item: Any = json.loads(raw)
    except ValueError as exc:
        return refused("invalid_json_line", f"not valid JSON ({exc})")
    if not isinstance(item, dict):
        return refused("invalid_json_line", f"expected a JSON object, got {type(item).__name__}")
    custom_id = item.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return refused("missing_custom_id", "custom_id (a non-empty string) is required", "custom_id")
    if custom_id in seen:
        return refused("duplicate_custom_id", f"custom_id {custom_id!r} is used by an earlier line", "custom_id")
    seen.add(custom_id)
    if item.get("method") != "POST":
        return refused("invalid_method", f"method must be 'POST', got {item.get('method')!r}", "method", custom_id)
    if item.get("url") != endpoint:
        return refused(
            "mismatched_url",
            f"url {item.get('url')!r} is not the batch's endpoint {endpoint!r}",
            "url",
            custom_id,
        )
    unknown = sorted(set(item) - {"custom_id", "method", "url", "body"})
    if unknown:
        return refused("invalid_request", f"unknown field {unknown[0]!r}", unknown[0], custom_id)
    body = item.get("body")
    if not isinstance(body, dict):
        return refused("invalid_request", "body (a JSON object) is required", "body", custom_id)
    model: type[BaseModel] = ENDPOINTS[endpoint]
    try:
        request = model.model_validate(body)
    except ValidationError as exc:
        problem = bad_request_from(exc)
        param = f"body.{problem.param}" if problem.param else "body"
        return refused("invalid_request", f"body: {problem.message}", param, custom_id)
    if getattr(request, "stream", None):
        return refused("invalid_request", "body: stream is not supported in a batch", "body.stream", custom_id)
    assert isinstance(request, ChatCompletionRequest | EmbeddingsRequest)
    return InputLine(line=number, custom_id=custom_id, request=request)
