"""Scoring and the scoring functions table, on an in-process ``inline::exact`` scoring provider.

``inline::exact`` (defined here) serves ``exact::match``: 1.0 when ``generated_answer``
equals ``expected_answer``; it declares both columns, so the router checks them, and it
gives a row whose answer it cannot read (``"<unreadable>"``) an error of its own. The
real functions are the plugins' (plugstack-scoring-basic, plugstack-scoring-llm-judge).
HTTP tests run a real uvicorn server and use httpx (the openai SDK has no scoring API).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import schemathesis
from pydantic import BaseModel

import plugstack
from plugstack.apis import Api
from plugstack.apis.scoring.aggregation import aggregate
from plugstack.apis.scoring.router import ScoringRouter
from plugstack.apis.scoring.types import ScoringResult
from plugstack.apis.scoring_functions.types import RegisterScoringFunctionRequest, ScoringFn
from plugstack.errors import BadRequestError, ConflictError, NotFoundError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.provider_context import ProviderContext
from plugstack.provider_spec import ProviderSpec
from plugstack.server.background import BackgroundServer
from plugstack.server.openapi import openapi_document
from plugstack.stack import Stack
from plugstack.testing.scoring_conformance import ScoringConformance

if TYPE_CHECKING:
    from .conftest import OpenAPIFuzzer

EXACT = {"provider_id": "exact", "provider_type": "inline::exact", "config": {}}


class ExactConfig(BaseModel):
    pass


class ExactScorer:
    def __init__(self, config: ExactConfig, context: ProviderContext) -> None:
        self.calls: list[int] = []

    async def list_scoring_functions(self) -> list[ScoringFn]:
        return [ScoringFn(id="exact::match", provider_resource_id="exact::match", aggregation_functions=["accuracy"])]

    async def register_scoring_function(self, function: ScoringFn) -> None:
        if function.provider_resource_id != "exact::match":
            raise BadRequestError("provider_scoring_fn_id must be exact::match", param="provider_scoring_fn_id")
        if function.params.get("case") not in (None, "sensitive", "insensitive"):
            raise BadRequestError("params.case must be 'sensitive' or 'insensitive'", param="params.case")

    def required_columns(self, function: ScoringFn) -> list[str]:
        return ["expected_answer", "generated_answer"]

    async def score(self, function: ScoringFn, rows: list[dict[str, Any]]) -> ScoringResult:
        self.calls.append(len(rows))
        fold = function.params.get("case") == "insensitive"
        score_rows: list[dict[str, Any]] = []
        for row in rows:
            expected, generated = str(row["expected_answer"]), str(row["generated_answer"])
            if generated == "<unreadable>":
                score_rows.append({"score": None, "error": "the answer cannot be read"})
                continue
            if fold:
                expected, generated = expected.lower(), generated.lower()
            score_rows.append({"score": 1.0 if expected == generated else 0.0})
        return ScoringResult(score_rows=score_rows, aggregated_results={"exact_calls": len(self.calls)})


class ExactPlugin:
    @plugstack.hookimpl
    def plugstack_scoring_providers(self) -> list[ProviderSpec]:
        return [
            ProviderSpec(
                api=Api.scoring,
                provider_type="inline::exact",
                config_class=f"{__name__}:ExactConfig",
                adapter_factory=f"{__name__}:ExactScorer",
                description="test double: exact string match",
            )
        ]


def scoring_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(ExactPlugin(), name="exact")
    return host


def config(tmp_path: Path, **resources: Any) -> dict[str, Any]:
    return {
        "distribution_name": "scoring-test",
        "providers": {"scoring": [EXACT]},
        "registered_resources": resources,
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }


def row(expected: object, generated: object) -> dict[str, Any]:
    return {"expected_answer": expected, "generated_answer": generated}


class TestExactConformance(ScoringConformance):
    """The suite itself, on a deterministic in-process provider."""

    scoring_fn_id = "exact::match"
    good_row = row("Paris", "Paris")
    good_score = 1.0
    missing_column = "generated_answer"

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {"distribution_name": "exact-conformance", "providers": {"scoring": [EXACT]}}

    @classmethod
    def plugin_host(cls) -> PluginHost:
        return scoring_host()


# -- score -----------------------------------------------------------------------------


async def test_bad_rows_get_errors_naming_them_and_the_rest_are_scored(tmp_path: Path) -> None:
    rows = [row("a", "a"), {"expected_answer": "b"}, row("c", "<unreadable>"), row("d", "x"), row(None, "e")]
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        result = (await stack.scoring.score(input_rows=rows, scoring_functions={"exact::match": None})).results[
            "exact::match"
        ]
        provider = stack.scoring_functions.provider(stack.scoring_functions.get("exact::match"))
        assert provider.calls == [3], "only the rows with every column reach the provider, in one call"
    scores = [r["score"] for r in result.score_rows]
    assert scores == [1.0, None, None, 0.0, None]
    errors = [r.get("error") for r in result.score_rows]
    assert errors[1] == "row 1: missing column 'generated_answer', which scoring function 'exact::match' needs"
    assert errors[2] == "row 2: the answer cannot be read", "a provider's row error is prefixed with the row"
    assert errors[4] is not None and errors[4].startswith("row 4: missing column 'expected_answer'")
    assert result.aggregated_results == {
        "exact_calls": 1,  # the provider's own aggregates are kept
        "num_rows": 5,
        "num_scored": 2,
        "num_skipped": 3,
        "accuracy": 0.5,
        "num_correct": 1.0,
        "num_total": 2,
    }


async def test_call_params_lay_over_the_functions_own(tmp_path: Path) -> None:
    rows = [row("Paris", "paris"), row("Rome", "Rome")]
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        plain = await stack.scoring.score(input_rows=rows, scoring_functions={"exact::match": None})
        folded = await stack.scoring.score(
            input_rows=rows,
            scoring_functions={"exact::match": {"case": "insensitive", "aggregation_functions": ["average", "median"]}},
        )
    assert [r["score"] for r in plain.results["exact::match"].score_rows] == [0.0, 1.0]
    aggregated = folded.results["exact::match"].aggregated_results
    assert [r["score"] for r in folded.results["exact::match"].score_rows] == [1.0, 1.0]
    assert (aggregated["average"], aggregated["median"]) == (1.0, 1.0)
    assert "accuracy" not in aggregated, "aggregation_functions in the params replace the function's list"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"input_rows": [], "scoring_functions": {"exact::match": None}}, "input_rows"),
        ({"input_rows": [row("a", "a")], "scoring_functions": {}}, "scoring_functions"),
        ({"input_rows": ["not a row"], "scoring_functions": {"exact::match": None}}, "input_rows.0"),
        (
            {"input_rows": [row("a", "a")], "scoring_functions": {"exact::match": {"aggregation_functions": ["mode"]}}},
            "scoring_functions.exact::match.aggregation_functions",
        ),
    ],
)
async def test_bad_requests_are_400s_naming_the_field(tmp_path: Path, params: dict[str, Any], message: str) -> None:
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        with pytest.raises(BadRequestError, match=message.replace(".", r"\.")):
            await stack.scoring.score(**params)


async def test_an_unknown_function_is_refused_before_any_row_is_scored(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        with pytest.raises(NotFoundError, match="'nope' not found; scoring functions: exact::match") as caught:
            await stack.scoring.score(
                input_rows=[row("a", "a")], scoring_functions={"exact::match": None, "nope": None}
            )
        assert caught.value.param == "scoring_functions"
        assert stack.scoring_functions.provider(stack.scoring_functions.get("exact::match")).calls == []


# -- scoring functions table -------------------------------------------------------------


async def test_functions_come_from_the_provider_and_the_run_config(tmp_path: Path) -> None:
    configured = [
        {"scoring_fn_id": "folded", "provider_scoring_fn_id": "exact::match", "params": {"case": "insensitive"}}
    ]
    async with await Stack.from_config(config(tmp_path, scoring_functions=configured), host=scoring_host()) as stack:
        assert [f.id for f in stack.scoring_functions.list()] == ["exact::match", "folded"]
        folded = stack.scoring_functions.get("folded")
        assert (folded.provider_id, folded.provider_resource_id) == ("exact", "exact::match")
        result = await stack.scoring.score(input_rows=[row("A", "a")], scoring_functions={"folded": None})
        assert result.results["folded"].score_rows == [{"score": 1.0}]


async def test_a_registered_function_survives_a_restart_and_can_be_unregistered(tmp_path: Path) -> None:
    request = RegisterScoringFunctionRequest(
        scoring_fn_id="mine", provider_scoring_fn_id="exact::match", aggregation_functions=["accuracy"]
    )
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        await stack.scoring_functions.register(request)
        with pytest.raises(ConflictError):
            await stack.scoring_functions.register(request)
        with pytest.raises(BadRequestError, match=r"params\.case"):
            await stack.scoring_functions.register(
                RegisterScoringFunctionRequest(
                    scoring_fn_id="bad", provider_scoring_fn_id="exact::match", params={"case": 1}
                )
            )
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        assert stack.scoring_functions.get("mine").aggregation_functions == ["accuracy"]
        assert "bad" not in [f.id for f in stack.scoring_functions.list()]
        await stack.scoring_functions.unregister("mine")
        with pytest.raises(BadRequestError, match="listed by provider 'exact'"):
            await stack.scoring_functions.unregister("exact::match")
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        with pytest.raises(NotFoundError):
            stack.scoring_functions.get("mine")


# -- score_batch ---------------------------------------------------------------------------


@dataclass
class Page:
    data: list[dict[str, Any]]
    has_more: bool


@dataclass
class FakeDatasetIO:
    """A datasetio router serving one dataset, recording the pages asked for."""

    rows: list[dict[str, Any]]
    asked: list[tuple[int, int]] = field(default_factory=list)

    async def iterrows(self, *, dataset_id: str, start_index: int, limit: int) -> Page:
        if dataset_id != "qa":
            raise NotFoundError(f"dataset {dataset_id!r} not found", param="dataset_id")
        self.asked.append((start_index, limit))
        page = self.rows[start_index : start_index + limit]
        return Page(data=page, has_more=start_index + limit < len(self.rows))


async def test_score_batch_reads_every_page_and_names_bad_rows_by_dataset_index(tmp_path: Path) -> None:
    rows = [row(str(i), str(i) if i % 3 else "wrong") for i in range(2500)]
    rows[2100] = {"expected_answer": "no answer column"}
    datasetio = FakeDatasetIO(rows)
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        router = ScoringRouter(stack.scoring_functions, stack.host.pm, datasetio=datasetio)
        response = await router.score_batch(dataset_id="qa", scoring_functions={"exact::match": None})
        with pytest.raises(NotFoundError, match="'other' not found"):
            await router.score_batch(dataset_id="other", scoring_functions={"exact::match": None})
    assert datasetio.asked[:3] == [(0, 1000), (1000, 1000), (2000, 1000)]
    result = response.results["exact::match"]
    assert response.dataset_id == "qa" and len(result.score_rows) == 2500
    assert result.score_rows[2100]["error"].startswith("row 2100: missing column 'generated_answer'")
    assert result.aggregated_results["num_skipped"] == 1
    assert result.aggregated_results["num_correct"] == sum(1 for i in range(2500) if i % 3 and i != 2100)


async def test_score_batch_says_what_is_missing(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        with pytest.raises(NotImplementedByProviderError, match="add a datasetio provider"):
            await stack.scoring.score_batch(dataset_id="qa", scoring_functions={"exact::match": None})
        router = ScoringRouter(stack.scoring_functions, stack.host.pm, datasetio=FakeDatasetIO([]))
        with pytest.raises(NotImplementedByProviderError) as caught:
            await router.score_batch(
                dataset_id="qa", scoring_functions={"exact::match": None}, save_results_dataset=True
            )
        assert caught.value.param == "save_results_dataset"


async def test_a_dataset_whose_pages_never_end_is_refused_not_looped_on(tmp_path: Path) -> None:
    class Endless:
        async def iterrows(self, *, dataset_id: str, start_index: int, limit: int) -> Page:
            return Page(data=[row("a", "a")] * limit, has_more=True)

    async with await Stack.from_config(config(tmp_path), host=scoring_host()) as stack:
        router = ScoringRouter(stack.scoring_functions, stack.host.pm, datasetio=Endless())
        with pytest.raises(BadRequestError, match="more than 100000 rows"):
            await router.score_batch(dataset_id="qa", scoring_functions={"exact::match": None})


# -- aggregation -----------------------------------------------------------------------------


def test_aggregation_functions_leave_skipped_rows_out() -> None:
    rows = [{"score": 1.0, "weight": 3}, {"score": 0.0}, {"score": True}, {"score": None, "error": "row 3: x"}]
    results = aggregate(rows, ["accuracy", "average", "weighted_average", "median", "categorical_count"])
    assert results == {
        "num_rows": 4,
        "num_scored": 3,
        "num_skipped": 1,
        "accuracy": pytest.approx(2 / 3),
        "num_correct": 2.0,
        "num_total": 3,
        "average": pytest.approx(2 / 3),
        "weighted_average": pytest.approx(4 / 5),
        "median": 1.0,
        "categorical_count": {"1.0": 1, "0.0": 1, "True": 1},
    }


def test_aggregates_of_no_numbers_are_none_not_a_crash() -> None:
    results = aggregate([{"score": "A"}, {"score": "B"}, {"score": "A"}], ["accuracy", "average", "median"])
    assert (results["accuracy"], results["average"], results["median"]) == (None, None, None)
    assert aggregate([{"score": "A"}, {"score": "A"}], ["categorical_count"])["categorical_count"] == {"A": 2}


# -- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    with BackgroundServer(config(tmp_path_factory.mktemp("scoring-http")), host=scoring_host()) as running:
        yield running


def test_score_route(server: BackgroundServer) -> None:
    body = {"input_rows": [row("4", "4"), {"generated_answer": "5"}], "scoring_functions": {"exact::match": None}}
    response = httpx.post(f"{server.base_url}/scoring/score", json=body)
    assert response.status_code == 200, response.text
    result = response.json()["results"]["exact::match"]
    assert result["score_rows"][0] == {"score": 1.0}
    assert result["score_rows"][1]["error"].startswith("row 1: missing column 'expected_answer'")
    assert result["aggregated_results"]["accuracy"] == 1.0 and result["aggregated_results"]["num_skipped"] == 1


def test_score_route_errors(server: BackgroundServer) -> None:
    url = f"{server.base_url}/scoring/score"
    unknown = httpx.post(url, json={"input_rows": [row(1, 1)], "scoring_functions": {"nope": None}})
    assert unknown.status_code == 404 and "'nope' not found" in unknown.json()["error"]["message"]
    malformed = httpx.post(url, json={"input_rows": "rows", "scoring_functions": {"exact::match": None}})
    assert malformed.status_code == 400 and malformed.json()["error"]["param"] == "input_rows"
    not_json = httpx.post(url, content=b"{", headers={"content-type": "application/json"})
    assert not_json.status_code == 400
    batch = httpx.post(
        f"{server.base_url}/scoring/score-batch", json={"dataset_id": "qa", "scoring_functions": {"exact::match": None}}
    )
    assert batch.status_code == 501 and "datasetio" in batch.json()["error"]["message"]


def test_scoring_functions_routes(server: BackgroundServer) -> None:
    base = f"{server.base_url}/scoring-functions"
    assert [f["id"] for f in httpx.get(base).json()["data"]] == ["exact::match"]
    listed = httpx.get(f"{base}/exact::match").json()
    assert listed["provider_id"] == "exact" and listed["aggregation_functions"] == ["accuracy"]
    assert listed["return_type"] == {"type": "number"}
    created = httpx.post(base, json={"scoring_fn_id": "http-fn", "provider_scoring_fn_id": "exact::match"})
    assert created.status_code == 200, created.text
    assert (
        httpx.post(base, json={"scoring_fn_id": "http-fn", "provider_scoring_fn_id": "exact::match"}).status_code == 409
    )
    refused = httpx.post(base, json={"scoring_fn_id": "x", "provider_scoring_fn_id": "other"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "provider_scoring_fn_id"
    bad_aggregation = httpx.post(base, json={"scoring_fn_id": "y", "aggregation_functions": ["mode"]})
    assert bad_aggregation.status_code == 400 and bad_aggregation.json()["error"]["param"].startswith("aggregation")
    assert httpx.delete(f"{base}/http-fn").status_code == 200
    assert httpx.get(f"{base}/http-fn").status_code == 404


@pytest.mark.slow
def test_no_scoring_request_gets_a_server_error(server: BackgroundServer, fuzz_openapi: OpenAPIFuzzer) -> None:
    """schemathesis on the scoring routes alone (their own OpenAPI document): no 500s, every error OpenAI-shaped."""
    routes = [r for r in server.app.routes if getattr(r, "path", "").startswith("/v1/scoring")]
    document = openapi_document(routes, auth=False)
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    assert len(operations) == 6
    # 501: score-batch in a stack without datasetio, which is a deliberate answer
    fuzz_openapi(document, operations, server.url, 15, lambda status: status < 500 or status == 501)
