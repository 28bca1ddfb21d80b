"""The stack the tests search: real local parts, no upstream, no network beyond 127.0.0.1.

``inline::localfs`` files, ``inline::sqlite-vec`` vector stores and
``inline::sentence-embeddings`` (all-MiniLM-L6-v2 from its wheel, offline), configured as
in ``core/tests/test_vector_stores_http.py``, so search ranks by meaning. Plugins are
registered in a fresh plugin host per stack: whatever else is installed cannot interfere.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import plugstack_file_search
import plugstack_localfs
import plugstack_sentence_embeddings
import plugstack_sqlite_vec
import pytest

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin

# filename -> (text, attributes)
DOCUMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "photosynthesis.md": (
        "# Photosynthesis\n\nPlants capture sunlight with chlorophyll in their leaves and turn "
        "carbon dioxide and water into sugar, releasing oxygen.",
        {"topic": "science"},
    ),
    "volcanoes.txt": (
        "Volcanoes erupt when molten rock, called magma, rises through cracks in the crust and "
        "pours out as lava and ash.",
        {"topic": "science"},
    ),
    "bread.html": (
        "<html><body><h1>Baking bread</h1><p>Knead flour, water, salt and yeast, let the dough rise, "
        "then bake it in a hot oven until the crust is brown.</p></body></html>",
        {"topic": "cooking"},
    ),
}
STORE_ID = "science-and-baking"
SMALL_CHUNKS = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50}}


def new_host() -> PluginHost:
    host = new_plugin_host()
    for module, name in [
        (plugstack_localfs, "localfs"),
        (plugstack_sqlite_vec, "sqlite_vec"),
        (plugstack_sentence_embeddings, "sentence_embeddings"),
        (plugstack_file_search, "file_search"),
    ]:
        assert host.register(module, name=name)
    assert host.register(EchoPlugin(), name="echo")
    return host


def build_config(
    tmp: Path,
    file_search: Mapping[str, Any] | None = None,
    tool_groups: Sequence[Mapping[str, Any]] = (),
    *,
    echo_embeddings: bool = False,
) -> dict[str, Any]:
    """A run config serving ``inline::file-search`` (config ``file_search``) over one declared store.

    ``echo_embeddings``: hash vectors without meaning instead of MiniLM, for tests of
    keyword search or of start-up, which need no model loaded.
    """
    if echo_embeddings:
        inference = {"provider_id": "echo", "provider_type": "inline::echo", "config": {}}
        embedding_model = "echo-embed"
    else:
        inference = {"provider_id": "minilm", "provider_type": "inline::sentence-embeddings", "config": {}}
        embedding_model = "all-MiniLM-L6-v2"
    return {
        "distribution_name": "file-search-test",
        "providers": {
            "inference": [inference],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp / "files"), "max_file_size_bytes": 100_000},
                }
            ],
            "vector_io": [
                {
                    "provider_id": "sqlite-vec",
                    "provider_type": "inline::sqlite-vec",
                    "config": {"db_path": str(tmp / "vectors.db"), "embedding_model": embedding_model},
                }
            ],
            "tool_runtime": [
                {
                    "provider_id": "file-search",
                    "provider_type": "inline::file-search",
                    "config": dict(file_search if file_search is not None else {"vector_store_ids": [STORE_ID]}),
                }
            ],
        },
        "registered_resources": {
            "vector_stores": [{"vector_store_id": STORE_ID, "name": "science and baking"}],
            "tool_groups": list(tool_groups),
        },
        "storage": {"kvstore": {"db_path": str(tmp / "kv.db")}, "sqlstore": {"db_path": str(tmp / "sql.db")}},
    }


async def ingest(
    stack: Stack, store_id: str, documents: Mapping[str, tuple[str, dict[str, str]]] = DOCUMENTS
) -> dict[str, str]:
    """Upload ``documents``, attach them to the store with their attributes, wait until searchable."""
    file_ids = {}
    for filename, (text, attributes) in documents.items():
        file_id = (await stack.files.create_file(text.encode(), filename, "assistants")).id
        await stack.vector_stores.create_vector_store_file(
            store_id, file_id=file_id, attributes=attributes, chunking_strategy=SMALL_CHUNKS
        )
        file_ids[filename] = file_id
    for file_id in file_ids.values():
        for _ in range(1000):
            record = await stack.vector_stores.retrieve_vector_store_file(store_id, file_id)
            if record.status != "in_progress":
                break
            await asyncio.sleep(0.01)
        assert record.status == "completed", record
    return file_ids


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the async tests of a class with ``shared_stack_loop`` in the module's event loop.

    Its stack is module-scoped (starting one takes a second or two); a class-wide
    ``pytestmark`` would also mark the suite's one sync test, which pytest-asyncio refuses.
    """
    for item in items:
        cls = getattr(item, "cls", None)
        function = getattr(item, "function", None)
        if getattr(cls, "shared_stack_loop", False) and inspect.iscoroutinefunction(function):
            item.add_marker(pytest.mark.asyncio(loop_scope="module"), append=False)  # before auto mode's


@pytest.fixture(scope="session")
def documents() -> dict[str, tuple[str, dict[str, str]]]:
    return DOCUMENTS


@pytest.fixture(scope="session")
def make_config() -> Callable[..., dict[str, Any]]:
    return build_config


@pytest.fixture(scope="session")
def make_host() -> Callable[[], PluginHost]:
    return new_host


@pytest.fixture(scope="session")
def ingest_documents() -> Callable[..., Awaitable[dict[str, str]]]:
    return ingest
