"""The lines of a batch's output and error files, as OpenAI writes them.

A request that answered is an output line ``{id, custom_id, response: {status_code: 200,
request_id, body}, error: null}``. One that failed with an API error goes to the error
file with the error as its response, ``{..., response: {status_code, request_id, body:
{error: ...}}, error: null}``; a malformed input line, or one a cancelled or expired
batch never ran, goes there with ``response: null`` and ``error: {code, message, line}``.

:func:`assemble` writes both files from the stored line results, in input order, so
that every input line appears exactly once in one of them, however often the batch was
interrupted and resumed.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from plugstack.apis.batches.input import InputLine
from plugstack.apis.batches.records import LineResult
from plugstack.apis.batches.types import BatchError, BatchRequestCounts, BatchUsage
from plugstack.errors import PlugstackError

__all__ = ["Assembled", "answered", "assemble", "failed", "refused"]

log = logging.getLogger("plugstack.batches")


def answered(line: InputLine, body: BaseModel) -> LineResult:
    response = {"status_code": 200, "request_id": uuid.uuid4().hex, "body": body.model_dump(mode="json")}
    return LineResult(line.line, line.custom_id, False, _line(line, response, None))


def failed(line: InputLine, exc: Exception) -> LineResult:
    """The error line of a request that raised: a plugstack error keeps its status and body."""
    request_id = uuid.uuid4().hex
    if not isinstance(exc, PlugstackError):
        log.error("batch request (line %d, request id %s) failed", line.line, request_id, exc_info=exc)
        exc = PlugstackError(f"internal server error; the server log has the details under request id {request_id}")
    response = {"status_code": exc.status_code, "request_id": request_id, "body": exc.to_dict()}
    return LineResult(line.line, line.custom_id, True, _line(line, response, None))


def refused(line: InputLine, error: BatchError) -> LineResult:
    """The error line of a line that never ran: malformed, or left over by a cancel or expiry."""
    return LineResult(line.line, line.custom_id, True, _line(line, None, error.model_dump(exclude_none=True)))


def _line(line: InputLine, response: dict[str, Any] | None, error: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": f"batch_req_{secrets.token_hex(12)}",
        "custom_id": line.custom_id,
        "response": response,
        "error": error,
    }


@dataclass(frozen=True)
class Assembled:
    """The two files' contents (empty when no line belongs there), counts and usage."""

    output: bytes
    errors: bytes
    counts: BatchRequestCounts
    usage: BatchUsage


def assemble(lines: Sequence[InputLine], done: Mapping[int, LineResult], unfinished: BatchError | None) -> Assembled:
    """Both files, in input order: each finished line as stored, the others as ``unfinished``.

    ``unfinished`` is ``None`` for a batch that ran every line (then none is missing).
    """
    output: list[bytes] = []
    errors: list[bytes] = []
    failed_count = 0
    usage = BatchUsage()
    for line in lines:
        result = done.get(line.line)
        if result is None and line.error is not None:
            result = refused(line, line.error)
        if result is None:  # never ran: neither completed nor failed
            if unfinished is None:
                raise RuntimeError(f"line {line.line} of a finished batch has no result")
            errors.append(_jsonl(refused(line, unfinished.model_copy(update={"line": line.line}))))
        elif result.failed:
            failed_count += 1
            errors.append(_jsonl(result))
        else:
            output.append(_jsonl(result))
            _add_usage(usage, result.output["response"]["body"].get("usage"))
    return Assembled(
        output=b"\n".join(output) + b"\n" if output else b"",
        errors=b"\n".join(errors) + b"\n" if errors else b"",
        counts=BatchRequestCounts(completed=len(output), failed=failed_count, total=len(lines)),
        usage=usage,
    )


def _jsonl(result: LineResult) -> bytes:
    return json.dumps(result.output, ensure_ascii=False).encode()


def _add_usage(usage: BatchUsage, reported: Any) -> None:
    if not isinstance(reported, dict):
        return
    prompt = int(reported.get("prompt_tokens") or 0)
    completion = int(reported.get("completion_tokens") or 0)
    usage.input_tokens += prompt
    usage.output_tokens += completion
    usage.total_tokens += int(reported.get("total_tokens") or prompt + completion)
