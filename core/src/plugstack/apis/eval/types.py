"""The eval API's types, in Llama Stack's shapes: a benchmark config, jobs, and what a job results in.

``benchmark_config.eval_candidate`` is what answers each row: a model of the stack
(``{"type": "model", "model", "sampling_params", "system_message"}``), or a Responses API
call (``{"type": "responses", "model", ...}``, the other fields being those of ``POST
/v1/responses``; ``"agent"`` is taken as another name for it). Requests forbid unknown
fields, so a misspelt option is a 400 naming it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from plugstack.apis.scoring.types import ScoringResult

__all__ = [
    "MAX_CONCURRENCY",
    "BenchmarkConfig",
    "EvalCandidate",
    "EvaluateResponse",
    "EvaluateRowsRequest",
    "Job",
    "JobProgress",
    "JobStatus",
    "ModelCandidate",
    "ResponsesCandidate",
    "RunEvalRequest",
    "SamplingParams",
    "SamplingStrategy",
    "SystemMessage",
]

MAX_CONCURRENCY = 16
"""The most rows one job generates at once (and the most all jobs together do)."""

JobStatus = Literal["scheduled", "in_progress", "completed", "failed", "cancelled"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SamplingStrategy(_Strict):
    """Llama Stack's sampling strategy: ``greedy`` is temperature 0."""

    type: Literal["greedy", "top_p"] = "greedy"
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, gt=0, le=1)


class SamplingParams(_Strict):
    """How the candidate model samples; ``temperature`` and ``top_p`` win over ``strategy``'s.

    ``repetition_penalty`` is accepted (Llama Stack's clients send 1.0) but not passed on:
    OpenAI's chat completions have no such field.
    """

    strategy: SamplingStrategy | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = Field(default=None, gt=0, le=1)
    stop: list[str] | None = Field(default=None, max_length=4)
    seed: int | None = None
    repetition_penalty: float | None = None

    def chat_params(self) -> dict[str, Any]:
        """These params as chat completion request fields (unset ones left out)."""
        strategy = self.strategy
        temperature = self.temperature
        top_p = self.top_p
        if strategy is not None and strategy.type == "greedy":
            temperature = 0.0 if temperature is None else temperature
        elif strategy is not None:
            temperature = strategy.temperature if temperature is None else temperature
            top_p = strategy.top_p if top_p is None else top_p
        params = {
            "max_tokens": self.max_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "stop": self.stop,
            "seed": self.seed,
        }
        return {key: value for key, value in params.items() if value is not None}


class SystemMessage(_Strict):
    role: Literal["system"] = "system"
    content: str = Field(min_length=1)


class ModelCandidate(_Strict):
    """A model of the stack, asked each row's question through the inference API."""

    type: Literal["model"] = "model"
    model: str = Field(min_length=1)
    sampling_params: SamplingParams = Field(default_factory=SamplingParams)
    system_message: SystemMessage | None = None


class ResponsesCandidate(BaseModel):
    """A Responses API call per row: ``model`` and any other field of ``POST /v1/responses``.

    The row gives ``input``, so ``input``, ``stream``, ``previous_response_id`` and
    ``conversation`` are refused; responses are not stored unless ``store`` says so.
    """

    model_config = ConfigDict(extra="allow")

    type: Literal["responses", "agent"]
    model: str = Field(min_length=1)

    def create_params(self) -> dict[str, Any]:
        """The fields of the create request besides ``model`` and ``input``."""
        return {"store": False, **(self.model_extra or {})}


EvalCandidate = Annotated[ModelCandidate | ResponsesCandidate, Field(discriminator="type")]


class BenchmarkConfig(_Strict):
    """What answers the rows, how the answers are scored, and how many rows (the first ``num_examples``)."""

    eval_candidate: EvalCandidate
    scoring_params: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    num_examples: int | None = Field(default=None, ge=1)


class RunEvalRequest(_Strict):
    """``POST /v1/eval/benchmarks/{benchmark_id}/jobs``; ``concurrency`` (plugstack's) is rows at once."""

    benchmark_config: BenchmarkConfig
    concurrency: int | None = Field(default=None, ge=1, le=MAX_CONCURRENCY)


class EvaluateRowsRequest(_Strict):
    """``POST /v1/eval/benchmarks/{benchmark_id}/evaluations``: rows given inline, answered at once.

    Without ``scoring_functions``, the benchmark's.
    """

    input_rows: list[dict[str, Any]] = Field(min_length=1, max_length=1000)
    scoring_functions: list[str] = Field(default_factory=list)
    benchmark_config: BenchmarkConfig


class JobProgress(BaseModel):
    """Rows answered so far, of ``total`` (unknown until the job has read its rows)."""

    done: int = 0
    total: int | None = None


class Job(BaseModel):
    """An eval job: Llama Stack's ``job_id`` and ``status``, with times, progress and why it failed."""

    job_id: str
    object: Literal["eval.job"] = "eval.job"
    benchmark_id: str
    status: JobStatus = "scheduled"
    model: str
    created_at: float
    started_at: float | None = None
    completed_at: float | None = None
    progress: JobProgress = Field(default_factory=JobProgress)
    error: str | None = None


class EvaluateResponse(BaseModel):
    """Each row's generation (``generated_answer``, or ``error``), and each scoring function's result."""

    generations: list[dict[str, Any]]
    scores: dict[str, ScoringResult]
