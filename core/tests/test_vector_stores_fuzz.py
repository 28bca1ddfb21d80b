"""Property-based fuzzing of ``/v1/files`` and ``/v1/vector_stores`` against a stack that serves them.

schemathesis generates requests from ``/openapi.json`` for these operations (valid bodies,
and invalid ones for operations with a body) against a real uvicorn server on 127.0.0.1
with ``inline::localfs``, ``inline::sqlite-vec`` and ``inline::echo`` embeddings. One real
store holding one real file is created first and its ids are offered to the generator, so
that requests reach the code behind the 404s. No request may get a 5xx other than the
deliberate 501s, and every error must be OpenAI-shaped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import plugstack_localfs
import plugstack_sqlite_vec
import pytest
import schemathesis

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.testing.echo import EchoPlugin

if TYPE_CHECKING:
    from .conftest import OpenAPIFuzzer

EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    tmp: Path = tmp_path_factory.mktemp("vector-fuzz")
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_localfs, name="localfs")
    assert host.register(plugstack_sqlite_vec, name="sqlite_vec")
    config = {
        "distribution_name": "vector-fuzz",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "files": [
                {"provider_id": "fs", "provider_type": "inline::localfs", "config": {"storage_dir": str(tmp / "f")}}
            ],
            "vector_io": [
                {"provider_id": "sv", "provider_type": "inline::sqlite-vec", "config": {"db_path": str(tmp / "v.db")}}
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp / "kv.db")}, "sqlstore": {"db_path": str(tmp / "sql.db")}},
    }
    with BackgroundServer(config, host=host) as running:
        yield running


@pytest.mark.slow
def test_no_request_gets_a_server_error(server: BackgroundServer, fuzz_openapi: OpenAPIFuzzer) -> None:
    api = server.base_url
    file_id = httpx.post(
        api + "/files", files={"file": ("a.txt", b"fuzzing text")}, data={"purpose": "assistants"}
    ).json()["id"]
    store_id = httpx.post(api + "/vector_stores", json={"name": "fuzz", "file_ids": [file_id]}).json()["id"]
    batch_id = httpx.post(api + f"/vector_stores/{store_id}/file_batches", json={"file_ids": [file_id]}).json()["id"]
    deadline = time.monotonic() + 30
    while httpx.get(api + f"/vector_stores/{store_id}").json()["file_counts"]["in_progress"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    document = httpx.get(server.url + "/openapi.json").json()
    known = {"file_id": file_id, "vector_store_id": store_id, "batch_id": batch_id}
    for path in document["paths"].values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in known:
                    parameter["schema"] = {"type": "string", "enum": [known[parameter["name"]], "missing-id"]}
    schema = schemathesis.openapi.from_dict(document)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith(("/v1/files", "/v1/vector_stores"))
    ]
    assert len(operations) == 19

    fuzz_openapi(document, operations, server.url, EXAMPLES_PER_OPERATION, lambda status: status < 500 or status == 501)
