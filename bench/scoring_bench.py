"""Scoring benchmark: ``python -m bench.scoring_bench [--quick] [--json PATH]``.

Rows scored per second by each built-in function of ``inline::basic`` (plugstack-scoring-basic),
in library mode: ``stack.scoring.score`` on 10,000 generated rows, the whole call timed
(request validation, the router's column checks, the provider's rule on every row, the
aggregates). Beside it, the same rule called alone in a Python loop over the same rows:
the difference is what the API around the rule costs per row.

The rows look like an eval's: a question's expected answer and a generated answer that is
right about half the time (equality: the same word in other case or with a full stop;
subset_of: a sentence around it; multiple choice: "Answer: B"-style text of a few
sentences), and 1 row in 100 lacks ``generated_answer``, so the per-row error path is
measured too. Figures are medians over rounds.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from plugstack_scoring_basic.functions import (
    MULTIPLE_CHOICE_REGEXES,
    choice_letter,
    equality,
    parse_choice,
    subset_of,
)

from bench.entry import bench_main
from plugstack.stack import Stack

__all__ = ["main"]

ROWS = 10_000
WORDS = ["Paris", "Rome", "Berlin", "Madrid", "Lisbon", "Vienna", "Prague", "Oslo", "Dublin", "Athens"]
FILLER = "Let me think about each option in turn before I answer. Option A seems unlikely here."

Row = dict[str, Any]


def generated_rows(function: str, count: int, seed: int = 7) -> list[Row]:
    """``count`` rows for ``function``, right about half the time, 1 in 100 lacking ``generated_answer``."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        right = rng.random() < 0.5
        if function == "basic::regex_parser_multiple_choice_answer":
            expected = rng.choice("ABCD")
            given = expected if right else rng.choice("ABCD".replace(expected, ""))
            row: Row = {"expected_answer": expected, "generated_answer": f"{FILLER} Answer: {given}"}
        else:
            expected = rng.choice(WORDS)
            given = expected if right else rng.choice([w for w in WORDS if w != expected])
            if function == "basic::equality":
                generated = rng.choice([given, given.lower(), given + "."])
            else:
                generated = f"I am fairly sure the answer is {given}, as the question says."
            row = {"expected_answer": expected, "generated_answer": generated}
        if i % 100 == 99:
            del row["generated_answer"]
        rows.append(row)
    return rows


def _rule(function: str) -> Callable[[Row], float]:
    if function == "basic::equality":
        return lambda row: equality(row["expected_answer"], row["generated_answer"])
    if function == "basic::subset_of":
        return lambda row: subset_of(row["expected_answer"], row["generated_answer"])
    regexes = [re.compile(pattern) for pattern in MULTIPLE_CHOICE_REGEXES]
    return lambda row: float(parse_choice(row["generated_answer"], regexes) == choice_letter(row["expected_answer"]))


FUNCTIONS = ["basic::equality", "basic::subset_of", "basic::regex_parser_multiple_choice_answer"]


async def run(quick: bool) -> dict[str, Any]:
    rounds = 2 if quick else 7
    config = {
        "distribution_name": "scoring-bench",
        "providers": {"scoring": [{"provider_id": "basic", "provider_type": "inline::basic", "config": {}}]},
    }
    results: dict[str, Any] = {"rows": ROWS, "rounds": rounds, "functions": {}}
    async with await Stack.from_config(config) as stack:
        for function in FUNCTIONS:
            rows = generated_rows(function, ROWS)
            rule = _rule(function)
            complete = [row for row in rows if "generated_answer" in row]
            api_times, rule_times = [], []
            for _ in range(rounds):
                start = time.perf_counter()
                response = await stack.scoring.score(input_rows=rows, scoring_functions={function: None})
                api_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                for row in complete:
                    rule(row)
                rule_times.append(time.perf_counter() - start)
            aggregated = response.results[function].aggregated_results
            assert aggregated["num_rows"] == ROWS and aggregated["num_skipped"] == ROWS // 100
            api, alone = statistics.median(api_times), statistics.median(rule_times)
            results["functions"][function] = {
                "api_rows_per_second": round(ROWS / api),
                "rule_alone_rows_per_second": round(len(complete) / alone),
                "api_us_per_row": round(api / ROWS * 1e6, 2),
                "rule_us_per_row": round(alone / len(complete) * 1e6, 2),
                "accuracy": round(aggregated["accuracy"], 4),
            }
    return results


def render(results: dict[str, Any]) -> str:
    lines = [
        f"Scoring, library mode: {results['rows']:,} rows per call (1% lacking a column), median of {results['rounds']} rounds",
        "",
        f"{'function':<45} {'rows/s (API)':>13} {'µs/row':>8} {'rows/s (rule alone)':>20} {'µs/row':>8}",
    ]
    for function, figures in results["functions"].items():
        lines.append(
            f"{function:<45} {figures['api_rows_per_second']:>13,} {figures['api_us_per_row']:>8} "
            f"{figures['rule_alone_rows_per_second']:>20,} {figures['rule_us_per_row']:>8}"
        )
    return "\n".join(lines)


def main() -> None:
    bench_main(__doc__, run, render)


if __name__ == "__main__":
    main()
