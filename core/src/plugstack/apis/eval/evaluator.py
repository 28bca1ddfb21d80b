"""``Evaluator``: asks a candidate each row's question and scores the answers.

What a background job and ``evaluate_rows`` share. A row the candidate cannot be asked
(no question column) or whose request it refuses (a 400: a chat too long for the model)
gets a generation with an ``error`` naming the row, and its score rows say so; the other
rows go on. Any other failure (the model is gone, the provider is down) raises: the job
fails with that reason rather than scoring a benchmark of errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from plugstack.apis.eval.rows import RowError, question_of, scoring_row
from plugstack.apis.eval.types import BenchmarkConfig, ModelCandidate, ResponsesCandidate
from plugstack.apis.responses.types import CreateResponseRequest, OutputMessage, OutputText, ResponseObject
from plugstack.apis.scoring.types import ScoringResult
from plugstack.errors import BadRequestError, NotFoundError, NotImplementedByProviderError
from plugstack.validation import bad_request_from

if TYPE_CHECKING:
    from plugstack.apis.inference.router import InferenceRouter
    from plugstack.apis.models.table import ModelsRoutingTable
    from plugstack.apis.responses.router import ResponsesRouter
    from plugstack.apis.scoring.router import ScoringRouter

__all__ = ["Evaluator", "Generation"]

Generation = dict[str, Any]
"""One row's: ``{"generated_answer": text}``, or ``{"generated_answer": None, "error": "row N: ..."}``."""

_CANDIDATE = "benchmark_config.eval_candidate"
_ROW_GIVES = ("input", "stream", "previous_response_id", "conversation")


class Evaluator:
    def __init__(
        self,
        *,
        inference: InferenceRouter,
        models: ModelsRoutingTable,
        scoring: ScoringRouter,
        responses: ResponsesRouter | None,
        max_in_flight: int,
    ) -> None:
        self.inference = inference
        self.models = models
        self.scoring = scoring
        self.responses = responses
        self.slots = asyncio.Semaphore(max_in_flight)  # generations of every job and call at once

    def check(self, config: BenchmarkConfig) -> None:
        """Refuse a candidate that could answer no row: an unknown model (404), bad Responses params (400)."""
        candidate = config.eval_candidate
        if isinstance(candidate, ResponsesCandidate):
            self._check_responses(candidate)
        try:
            self.models.resolve(candidate.model)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, param=f"{_CANDIDATE}.model", code=exc.code) from None

    def _check_responses(self, candidate: ResponsesCandidate) -> None:
        if self.responses is None:
            raise NotImplementedByProviderError(
                f"a {candidate.type!r} candidate needs the responses API, which this stack does not enable",
                param=f"{_CANDIDATE}.type",
            )
        params = candidate.create_params()
        for field in _ROW_GIVES:
            if field in params:
                raise BadRequestError(
                    f"{_CANDIDATE}.{field}: not allowed, each row gives its own input", param=f"{_CANDIDATE}.{field}"
                )
        try:
            CreateResponseRequest.model_validate({"model": candidate.model, "input": "?", **params})
        except ValidationError as exc:
            problem = bad_request_from(exc)
            message = problem.message.removeprefix("invalid request: ")
            raise BadRequestError(f"{_CANDIDATE}.{message}", param=f"{_CANDIDATE}.{problem.param}") from None

    async def generate(self, config: BenchmarkConfig, row: object, index: int) -> Generation:
        """Row ``index``'s answer, or its error; raises for a failure that is not the row's."""
        try:
            messages = question_of(row)
        except RowError as exc:
            return {"generated_answer": None, "error": f"row {index}: {exc}"}
        try:
            async with self.slots:
                answer = await self._answer(config, messages)
        except BadRequestError as exc:
            return {"generated_answer": None, "error": f"row {index}: the candidate refused it: {exc.message}"}
        return {"generated_answer": answer}

    async def generate_rows(
        self,
        config: BenchmarkConfig,
        rows: Sequence[object],
        indices: Sequence[int],
        concurrency: int,
        on_generation: Callable[[int, Generation], Awaitable[None]],
    ) -> None:
        """Answer the rows at ``indices``, ``concurrency`` at once, handing each answer over as it comes.

        The first failure that is not a row's stops the others and is raised as itself.
        """
        todo = iter(indices)

        async def work() -> None:
            for index in todo:  # shared by the workers: each index is taken once
                await on_generation(index, await self.generate(config, rows[index], index))

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(concurrency, len(indices))):
                    group.create_task(work())
        except BaseExceptionGroup as failures:
            raise failures.exceptions[0] from None

    async def _answer(self, config: BenchmarkConfig, messages: list[dict[str, Any]]) -> str:
        candidate = config.eval_candidate
        if isinstance(candidate, ModelCandidate):
            system = [candidate.system_message.model_dump()] if candidate.system_message else []
            completion = await self.inference.chat_completion(
                model=candidate.model, messages=[*system, *messages], **candidate.sampling_params.chat_params()
            )
            content = completion.choices[0].message.content  # type: ignore[union-attr]
            return content if isinstance(content, str) else ""
        assert self.responses is not None  # checked when the job was made
        items = [{"type": "message", "role": m.get("role"), "content": m.get("content")} for m in messages]
        response = await self.responses.create(model=candidate.model, input=items, **candidate.create_params())
        assert isinstance(response, ResponseObject)  # not streamed
        if response.status == "failed":
            raise BadRequestError(response.error.message if response.error is not None else "the response failed")
        return "".join(
            part.text
            for item in response.output
            if isinstance(item, OutputMessage)
            for part in item.content
            if isinstance(part, OutputText)
        )

    async def score(
        self,
        rows: Sequence[dict[str, Any]],
        generations: Sequence[Generation],
        functions: Sequence[str],
        config: BenchmarkConfig,
    ) -> dict[str, ScoringResult]:
        """Each function's result over the rows and their answers; a row with no answer keeps its generation's error."""
        response = await self.scoring.score(
            input_rows=[scoring_row(row, generation) for row, generation in zip(rows, generations, strict=True)],
            scoring_functions={fn: config.scoring_params.get(fn) for fn in functions},
        )
        for result in response.results.values():
            for score_row, generation in zip(result.score_rows, generations, strict=True):
                if generation.get("error") is not None and score_row.get("error") is not None:
                    score_row["error"] = generation["error"]  # why it has no answer, not that it has none
        return response.results
