"""``/v1/datasets``: list, get, register and unregister datasets (the datasets routing table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.datasets.types import Dataset, DatasetList, RegisterDatasetRequest
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def list_datasets(request: Request) -> Response:
        return json_response(DatasetList(data=stack.datasets.list()))

    async def get_dataset(request: Request) -> Response:
        return json_response(stack.datasets.get(request.path_params["dataset_id"]))

    async def register_dataset(request: Request) -> Response:
        body = await read_body(request, RegisterDatasetRequest)
        return json_response(await stack.datasetio.register_dataset(body))

    async def unregister_dataset(request: Request) -> Response:
        return json_response(await stack.datasetio.unregister_dataset(request.path_params["dataset_id"]))

    return [
        ApiRoute(
            "/v1/datasets",
            list_datasets,
            method="GET",
            summary="List datasets",
            tag="datasets",
            response_model=DatasetList,
        ),
        ApiRoute(
            "/v1/datasets",
            register_dataset,
            method="POST",
            summary="Register a dataset: a purpose and a source (a files-API file, a local path, or rows inline)",
            tag="datasets",
            request_model=RegisterDatasetRequest,
            response_model=Dataset,
        ),
        ApiRoute(
            "/v1/datasets/{dataset_id:path}",
            get_dataset,
            method="GET",
            summary="Retrieve a dataset",
            tag="datasets",
            response_model=Dataset,
        ),
        ApiRoute(
            "/v1/datasets/{dataset_id:path}",
            unregister_dataset,
            method="DELETE",
            summary="Unregister a dataset registered through the API or run config (answers the dataset)",
            tag="datasets",
            response_model=Dataset,
        ),
    ]
