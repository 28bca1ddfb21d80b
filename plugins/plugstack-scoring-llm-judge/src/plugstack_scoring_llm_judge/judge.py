"""The ``inline::llm-as-judge`` provider: each row's prompt sent to a judge model through the stack.

The provider holds no model. A judge function names an inference model the stack already
serves (``params.judge_model``), so the judge runs wherever chat runs and through the same
router: its calls are routed, metered and recorded like any other chat completion.

What can go wrong with one row stays with that row: an answer none of the regexes parse,
a score that is not a number, a prompt the model refuses as too long. Those become the
row's error, quoting the answer; the other rows are judged. What would fail every row
alike (an unknown judge model, an upstream that is down) fails the call.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from plugstack.apis import Api
from plugstack.apis.scoring.types import ScoringResult
from plugstack.apis.scoring_functions.types import ScoringFn
from plugstack.errors import BadRequestError
from plugstack.provider_context import ProviderContext
from plugstack.validation import bad_request_from
from plugstack_scoring_llm_judge.config import JudgeParams, LlmJudgeConfig, template_columns

__all__ = ["BASE_FUNCTION", "ChatRouter", "Judge", "LlmJudge", "create_provider"]

BASE_FUNCTION = "llm-as-judge::base"
_ANSWER_QUOTE = 200  # characters of a judge answer quoted in a row's error

ScoreRow = dict[str, Any]


class ChatRouter(Protocol):
    """What the judge needs of the inference router: one chat completion, routed by model id."""

    async def chat_completion(self, request: Any = None, /, **params: Any) -> Any: ...


def create_provider(config: LlmJudgeConfig, context: ProviderContext) -> LlmJudge:
    return LlmJudge(config, inference=context[Api.inference])


@dataclass(frozen=True)
class Judge:
    """One function's resolved settings, checked once for all its rows."""

    params: JudgeParams
    columns: list[str]
    regexes: list[re.Pattern[str]]
    numeric: bool
    max_tokens: int


class LlmJudge:
    """Implements :class:`plugstack.apis.scoring.Scoring` by asking a judge model; ``inference`` is the stack's router."""

    def __init__(self, config: LlmJudgeConfig, *, inference: ChatRouter) -> None:
        self.config = config
        self.inference = inference

    async def list_scoring_functions(self) -> list[ScoringFn]:
        return [
            ScoringFn(
                id=BASE_FUNCTION,
                provider_resource_id=BASE_FUNCTION,
                description="a judge model grades each row; pass judge_model (and your prompt_template) as params",
                aggregation_functions=["average", "median"],
            )
        ]

    async def register_scoring_function(self, function: ScoringFn) -> None:
        """Refuse (400) a function whose params lack a judge model or hold a template or regex that cannot work."""
        self.judge(function)

    def required_columns(self, function: ScoringFn) -> list[str]:
        return self.judge(function).columns

    async def score(self, function: ScoringFn, rows: list[dict[str, Any]]) -> ScoringResult:
        judge = self.judge(function)
        limit = asyncio.Semaphore(self.config.max_concurrency)

        async def bounded(row: dict[str, Any]) -> ScoreRow:
            async with limit:
                return await self._judge_row(judge, row)

        return ScoringResult(score_rows=await _all_or_first_error([bounded(row) for row in rows]))

    def judge(self, function: ScoringFn) -> Judge:
        if "judge_model" not in function.params:
            raise BadRequestError(
                "params.judge_model is required: the id of an inference model of this stack that grades the rows",
                param="params.judge_model",
            )
        try:
            params = JudgeParams.model_validate(function.params)
        except ValidationError as exc:
            error = bad_request_from(exc)
            message = error.message.removeprefix("invalid request: ")
            raise BadRequestError(f"invalid judge params: {message}", param=f"params.{error.param}") from None
        return Judge(
            params=params,
            columns=template_columns(params.prompt_template),
            regexes=[re.compile(pattern, re.MULTILINE) for pattern in params.judge_score_regexes],
            numeric=function.return_type.type == "number",
            max_tokens=params.max_tokens or self.config.max_tokens,
        )

    async def _judge_row(self, judge: Judge, row: dict[str, Any]) -> ScoreRow:
        missing = [column for column in judge.columns if row.get(column) is None]
        if missing:  # the router checks this first; a direct caller gets the same answer
            return {"score": None, "error": f"missing column {missing[0]!r}, which the prompt_template names"}
        prompt = judge.params.prompt_template.format_map({c: _text(row[c]) for c in judge.columns})
        score_range = judge.params.score_range
        structured = {"response_format": _score_schema(*score_range)} if score_range else {}
        try:
            completion = await self.inference.chat_completion(
                model=judge.params.judge_model,
                messages=[{"role": "user", "content": prompt}],
                temperature=judge.params.temperature,
                max_tokens=judge.max_tokens,
                **structured,
            )
        except BadRequestError as exc:  # this row's prompt (too long, say): the other rows may still fit
            return {"score": None, "error": f"the judge model refused this row's prompt: {exc.message}"}
        answer = completion.choices[0].message.content if completion.choices else None
        if not isinstance(answer, str) or not answer.strip():
            return {"score": None, "error": "the judge model answered nothing", "judge_feedback": answer or ""}
        return _structured(answer) if score_range else _parsed(judge, answer)


def _score_schema(low: int, high: int) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {"score": {"type": "integer", "enum": list(range(low, high + 1))}},
        "required": ["score"],
        "additionalProperties": False,
    }
    return {"type": "json_schema", "json_schema": {"name": "grade", "schema": schema, "strict": True}}


def _structured(answer: str) -> ScoreRow:
    """The score of a ``{"score": n}`` answer, or the row's error quoting what came instead."""
    try:
        score = json.loads(answer)["score"]
        return {"score": float(score), "judge_feedback": answer}
    except (ValueError, KeyError, TypeError):
        return {
            "score": None,
            "error": f'the judge\'s answer is not {{"score": n}} as its response_format asked: {answer[:_ANSWER_QUOTE]!r}',
            "judge_feedback": answer,
        }


def _parsed(judge: Judge, answer: str) -> ScoreRow:
    """The score the first matching regex captures in ``answer``, or the row's error quoting it."""
    for regex in judge.regexes:
        match = regex.search(answer)
        if match is None:
            continue
        raw = match.group(1)
        if not judge.numeric:
            return {"score": raw, "judge_feedback": answer}
        try:
            return {"score": float(raw), "judge_feedback": answer}
        except ValueError:
            return {
                "score": None,
                "error": f"the judge's score {raw!r} is not a number (return_type is number)",
                "judge_feedback": answer,
            }
    return {
        "score": None,
        "error": f"the judge's answer matched none of judge_score_regexes: {answer[:_ANSWER_QUOTE]!r}",
        "judge_feedback": answer,
    }


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


async def _all_or_first_error(calls: list[Coroutine[Any, Any, ScoreRow]]) -> list[ScoreRow]:
    """Every call's result, in order; the first error cancels the others and is raised as itself."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None
    return [task.result() for task in tasks]
