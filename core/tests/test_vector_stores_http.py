"""Files and vector stores over HTTP, through the official openai SDK, with real offline embeddings.

A real uvicorn server on 127.0.0.1 serves ``inline::localfs`` files, ``inline::sqlite-vec``
vector stores and ``inline::sentence-embeddings`` (all-MiniLM-L6-v2 in numpy), so search
ranks by meaning here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import plugstack_localfs
import plugstack_sentence_embeddings
import plugstack_sqlite_vec
import pytest

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer

DOCUMENTS = {
    "photosynthesis.md": "# Photosynthesis\n\nPlants capture sunlight with chlorophyll in their leaves and turn "
    "carbon dioxide and water into sugar, releasing oxygen.",
    "volcanoes.txt": "Volcanoes erupt when molten rock, called magma, rises through cracks in the crust and "
    "pours out as lava and ash.",
    "bread.html": "<html><body><h1>Baking bread</h1><p>Knead flour, water, salt and yeast, let the dough rise, "
    "then bake it in a hot oven until the crust is brown.</p></body></html>",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    tmp: Path = tmp_path_factory.mktemp("vector-http")
    host = new_plugin_host()
    for module, name in [
        (plugstack_localfs, "localfs"),
        (plugstack_sqlite_vec, "sqlite_vec"),
        (plugstack_sentence_embeddings, "sentence_embeddings"),
    ]:
        assert host.register(module, name=name)
    config: dict[str, Any] = {
        "distribution_name": "vector-http",
        "providers": {
            "inference": [{"provider_id": "minilm", "provider_type": "inline::sentence-embeddings", "config": {}}],
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
                    "config": {"db_path": str(tmp / "vectors.db"), "embedding_model": "all-MiniLM-L6-v2"},
                }
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp / "kv.db")}, "sqlstore": {"db_path": str(tmp / "sql.db")}},
    }
    with BackgroundServer(config, host=host) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        yield client


@pytest.fixture(scope="module")
def file_ids(client: openai.OpenAI) -> dict[str, str]:
    return {
        name: client.files.create(file=(name, text.encode()), purpose="assistants").id
        for name, text in DOCUMENTS.items()
    }


@pytest.fixture(scope="module")
def store_id(client: openai.OpenAI, file_ids: dict[str, str]) -> str:
    store = client.vector_stores.create(
        name="science and baking",
        file_ids=list(file_ids.values()),
        chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50}},
        metadata={"owner": "tests"},
    )
    for file_id in file_ids.values():
        assert (
            client.vector_stores.files.poll(file_id, vector_store_id=store.id, poll_interval_ms=20).status
            == "completed"
        )
    return store.id


def test_files_round_trip(client: openai.OpenAI) -> None:
    created = client.files.create(file=("notes.txt", b"round trip"), purpose="user_data")
    assert (created.filename, created.bytes, created.purpose) == ("notes.txt", 10, "user_data")
    assert client.files.retrieve(created.id).id == created.id
    assert client.files.content(created.id).read() == b"round trip"
    assert created.id in {f.id for f in client.files.list(purpose="user_data")}
    assert client.files.delete(created.id).deleted
    with pytest.raises(openai.NotFoundError, match=created.id):
        client.files.retrieve(created.id)


@pytest.mark.parametrize(
    ("content", "purpose", "message"),
    [
        (b"x", "homework", "invalid purpose"),
        (b"", "assistants", "is empty"),
        (b"x" * 100_001, "assistants", "the limit is 100000 bytes"),
    ],
)
def test_bad_uploads_are_400(client: openai.OpenAI, content: bytes, purpose: str, message: str) -> None:
    with pytest.raises(openai.BadRequestError, match=message):
        client.files.create(file=("f.txt", content), purpose=purpose)  # type: ignore[arg-type]


def test_store_shape(client: openai.OpenAI, store_id: str) -> None:
    store = client.vector_stores.retrieve(store_id)
    assert (store.name, store.metadata, store.status) == ("science and baking", {"owner": "tests"}, "completed")
    assert store.file_counts.completed == 3 and store.file_counts.total == 3
    assert store.usage_bytes > 0
    assert store_id in {s.id for s in client.vector_stores.list()}


def test_search_ranks_by_meaning(client: openai.OpenAI, store_id: str, file_ids: dict[str, str]) -> None:
    page = client.vector_stores.search(store_id, query="How do green plants make food from light?", max_num_results=3)
    assert page.data[0].filename == "photosynthesis.md"
    assert page.data[0].file_id == file_ids["photosynthesis.md"]
    assert page.data[0].score > page.data[1].score
    assert "chlorophyll" in page.data[0].content[0].text

    page = client.vector_stores.search(store_id, query="what comes out of a mountain that explodes", max_num_results=1)
    assert [r.filename for r in page.data] == ["volcanoes.txt"]
    page = client.vector_stores.search(store_id, query="oven dough yeast", max_num_results=1)
    assert page.data[0].filename == "bread.html"
    assert page.data[0].content[0].text.startswith("Baking bread\nKnead flour")


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_search_modes(client: openai.OpenAI, store_id: str, mode: str) -> None:
    page = client.vector_stores.search(
        store_id, query="magma lava", max_num_results=2, extra_body={"search_mode": mode}
    )
    assert page.data[0].filename == "volcanoes.txt"


def test_search_with_filters_and_threshold(client: openai.OpenAI, store_id: str, file_ids: dict[str, str]) -> None:
    extra = client.files.create(file=("tagged.txt", b"Sourdough bread needs a starter culture."), purpose="assistants")
    client.vector_stores.files.create_and_poll(
        file_id=extra.id, vector_store_id=store_id, attributes={"category": "baking", "year": 2024}, poll_interval_ms=20
    )
    page = client.vector_stores.search(
        store_id,
        query="bread",
        filters={
            "type": "and",
            "filters": [
                {"type": "eq", "key": "category", "value": "baking"},
                {"type": "gte", "key": "year", "value": 2024},
            ],
        },
    )
    assert [(r.filename, r.attributes) for r in page.data] == [("tagged.txt", {"category": "baking", "year": 2024})]
    strict = client.vector_stores.search(store_id, query="bread", ranking_options={"score_threshold": 0.99})
    assert strict.data == []
    client.vector_stores.files.delete(extra.id, vector_store_id=store_id)


def test_unreadable_file_fails_with_last_error(client: openai.OpenAI, store_id: str) -> None:
    bad = client.files.create(file=("scan.png", b"\x89PNG\r\n\x1a\n"), purpose="assistants")
    record = client.vector_stores.files.create_and_poll(file_id=bad.id, vector_store_id=store_id, poll_interval_ms=20)
    assert record.status == "failed"
    assert record.last_error is not None and "unsupported file type '.png'" in record.last_error.message
    client.vector_stores.files.delete(bad.id, vector_store_id=store_id)


def test_file_batches(client: openai.OpenAI, file_ids: dict[str, str]) -> None:
    store = client.vector_stores.create(name="batches")
    batch = client.vector_stores.file_batches.create_and_poll(
        vector_store_id=store.id, file_ids=list(file_ids.values()), poll_interval_ms=20
    )
    assert batch.status == "completed" and batch.file_counts.completed == 3
    assert client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id).id == batch.id
    listed = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert sorted(f.id for f in listed) == sorted(file_ids.values())
    assert client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id).status == "cancelled"
    assert client.vector_stores.delete(store.id).deleted


def test_store_files_list_update_and_delete(client: openai.OpenAI, file_ids: dict[str, str]) -> None:
    store = client.vector_stores.create(name="temporary", file_ids=[file_ids["volcanoes.txt"]])
    client.vector_stores.files.poll(file_ids["volcanoes.txt"], vector_store_id=store.id, poll_interval_ms=20)
    assert [f.id for f in client.vector_stores.files.list(store.id, filter="completed")] == [file_ids["volcanoes.txt"]]
    assert client.vector_stores.update(store.id, name="renamed").name == "renamed"
    assert client.vector_stores.files.delete(file_ids["volcanoes.txt"], vector_store_id=store.id).deleted
    assert client.vector_stores.search(store.id, query="lava").data == []
    assert client.vector_stores.delete(store.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve(store.id)


def test_bad_requests(client: openai.OpenAI, store_id: str) -> None:
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.search("vs_missing", query="x")
    with pytest.raises(openai.NotFoundError, match="file-missing"):
        client.vector_stores.files.create(vector_store_id=store_id, file_id="file-missing")
    with pytest.raises(openai.BadRequestError, match="max_num_results"):
        client.vector_stores.search(store_id, query="x", max_num_results=500)
    with pytest.raises(openai.BadRequestError, match="limit"):
        client.vector_stores.list(limit=0)
