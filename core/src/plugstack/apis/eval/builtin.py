"""The benchmarks plugstack ships, registered whenever the eval API is enabled.

``capitals``: 30 capital-city questions (``input_query``) with one-word answers
(``expected_answer``), a few seconds on a CPU model. It is scored by ``basic::subset_of``
(the answer, case-folded, is part of the generated text): a chat model answers "The
capital of France is Paris." rather than "Paris", which ``basic::equality`` would count
wrong. No question contains its answer, so a model that only repeats the question
scores 0.

The rows are package data (``benchmarks/*.jsonl``), served as an inline-rows dataset of
the same id by the first datasetio provider that takes one, for this run only: nothing
is written to the kvstore, so a newer plugstack's rows replace these.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any

from plugstack.apis.benchmarks.types import Benchmark
from plugstack.apis.datasets.table import DatasetsTable
from plugstack.apis.datasets.types import Dataset, RowsDataSource
from plugstack.apis.scoring_functions.table import ScoringFunctionsTable
from plugstack.errors import PlugstackError
from plugstack.protocols import optional_method

__all__ = ["BUILT_IN", "BuiltInBenchmark", "built_in_benchmarks"]

log = logging.getLogger("plugstack.eval")


@dataclass(frozen=True)
class BuiltInBenchmark:
    benchmark_id: str
    filename: str  # in plugstack/apis/eval/benchmarks/
    scoring_functions: tuple[str, ...]
    description: str

    def rows(self) -> list[dict[str, Any]]:
        text = resources.files("plugstack.apis.eval").joinpath("benchmarks", self.filename).read_text("utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]


BUILT_IN = (
    BuiltInBenchmark(
        "capitals",
        "capitals.jsonl",
        ("basic::subset_of",),
        "30 capital-city questions with one-word answers, scored by containment",
    ),
)


async def built_in_benchmarks(datasets: DatasetsTable, functions: ScoringFunctionsTable) -> list[Benchmark]:
    """The built-in benchmarks this stack can run, their datasets added to ``datasets``; why not, logged."""
    benchmarks = []
    for built_in in BUILT_IN:
        missing = [fn for fn in built_in.scoring_functions if functions.table.find(fn) is None]
        if missing:
            log.info(
                "built-in benchmark %r is off: it needs scoring function %s (the inline::basic scoring provider)",
                built_in.benchmark_id,
                ", ".join(missing),
            )
            continue
        if datasets.table.find(built_in.benchmark_id) is not None:
            log.warning("built-in benchmark %r is off: a dataset of that id exists already", built_in.benchmark_id)
            continue
        dataset = await _served_dataset(datasets, built_in)
        if dataset is None:
            log.warning("built-in benchmark %r is off: no datasetio provider takes inline rows", built_in.benchmark_id)
            continue
        datasets.add_for_this_run(dataset)
        benchmarks.append(
            Benchmark(
                id=built_in.benchmark_id,
                provider_resource_id=built_in.benchmark_id,
                dataset_id=dataset.id,
                scoring_functions=list(built_in.scoring_functions),
                metadata={"description": built_in.description, "built_in": True},
            )
        )
    return benchmarks


async def _served_dataset(datasets: DatasetsTable, built_in: BuiltInBenchmark) -> Dataset | None:
    """The benchmark's rows as a dataset of the first provider that accepts it."""
    source = RowsDataSource(rows=built_in.rows())
    for provider_id, provider in datasets.providers.items():
        dataset = Dataset(
            id=built_in.benchmark_id,
            provider_id=provider_id,
            provider_resource_id=built_in.benchmark_id,
            purpose="eval/question-answer",
            source=source,
            metadata={"description": built_in.description},
        )
        check = optional_method(provider, "register_dataset")
        try:
            if check is not None:
                await check(dataset)
        except PlugstackError:
            continue
        return dataset
    return None
