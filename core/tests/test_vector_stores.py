"""Vector stores in library mode: ``stack.vector_stores`` with ingestion, search and life cycle.

The stack runs ``inline::localfs`` files, ``inline::sqlite-vec`` vectors and the
``inline::echo`` embeddings (deterministic hash vectors: they carry no meaning, so ranking
by meaning is tested with real embeddings in ``test_vector_stores_http.py``; here ranking
is checked with keyword search).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Generator
from pathlib import Path
from typing import Any

import plugstack_localfs
import plugstack_sqlite_vec
import pytest

import plugstack
from plugstack.api_call import ApiCall
from plugstack.apis.vector_stores import VectorStoreFile
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.retrieval.chunking import chunk_text
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin

SMALL_CHUNKS = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 20}}


def stack_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "distribution_name": "vector-test",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp_path / "f")},
                }
            ],
            "vector_io": [
                {
                    "provider_id": "sqlite-vec",
                    "provider_type": "inline::sqlite-vec",
                    "config": {"db_path": str(tmp_path / "vectors.db")},
                }
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }


def make_host(*extra: object) -> PluginHost:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_localfs, name="localfs")
    assert host.register(plugstack_sqlite_vec, name="sqlite_vec")
    for plugin in extra:
        assert host.register(plugin, name=type(plugin).__name__)
    return host


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with await Stack.from_config(stack_config(tmp_path), host=make_host()) as started:
        yield started


async def wait_ingested(stack: Stack, store_id: str, file_id: str) -> VectorStoreFile:
    for _ in range(500):
        record = await stack.vector_stores.retrieve_vector_store_file(store_id, file_id)
        if record.status != "in_progress":
            return record
        await asyncio.sleep(0.01)
    raise AssertionError(f"{file_id} still in progress")


async def upload(stack: Stack, text: str, filename: str = "doc.txt") -> str:
    return (await stack.files.create_file(text.encode(), filename, "assistants")).id


def sentences(topic: str, count: int) -> str:
    return " ".join(f"Sentence {i} is about {topic}." for i in range(count))


async def test_create_with_files_then_search(stack: Stack) -> None:
    fruit = await upload(stack, "Apples and pears grow in the orchard.", "fruit.txt")
    kernel = await upload(stack, "The kernel schedules threads on processor cores.", "kernel.md")
    store = await stack.vector_stores.create_vector_store(name="docs", file_ids=[fruit, kernel], metadata={"team": "a"})
    assert (store.name, store.metadata, store.embedding_model) == ("docs", {"team": "a"}, "echo-embed")
    for file_id in (fruit, kernel):
        assert (await wait_ingested(stack, store.id, file_id)).status == "completed"

    store = await stack.vector_stores.retrieve_vector_store(store.id)
    assert store.file_counts.completed == 2 and store.status == "completed" and store.usage_bytes > 0
    page = await stack.vector_stores.search_vector_store(store.id, query="processor threads", search_mode="keyword")
    assert page.search_query == ["processor threads"]
    assert [(r.file_id, r.filename) for r in page.data] == [(kernel, "kernel.md")]
    assert page.data[0].content[0].text == "The kernel schedules threads on processor cores."

    vector = await stack.vector_stores.search_vector_store(store.id, query="anything", max_num_results=1)
    assert len(vector.data) == 1 and vector.data[0].file_id in (fruit, kernel)
    hybrid = await stack.vector_stores.search_vector_store(store.id, query="orchard", search_mode="hybrid")
    assert hybrid.data[0].file_id == fruit  # the keyword ranking puts it first; the vector one is noise


async def test_attributes_and_filters(stack: Stack) -> None:
    store = await stack.vector_stores.create_vector_store(name="filtered")
    for year in (2020, 2021, 2022):
        file_id = await upload(stack, f"annual report of the year {year}", f"{year}.txt")
        await stack.vector_stores.create_vector_store_file(
            store.id, file_id=file_id, attributes={"year": year, "kind": "report"}
        )
        await wait_ingested(stack, store.id, file_id)
    filters = {
        "type": "and",
        "filters": [{"type": "gte", "key": "year", "value": 2021}, {"type": "eq", "key": "kind", "value": "report"}],
    }
    page = await stack.vector_stores.search_vector_store(
        store.id, query="annual report", filters=filters, search_mode="keyword"
    )
    assert sorted(r.attributes["year"] for r in page.data) == [2021, 2022]
    with pytest.raises(BadRequestError, match="filters"):
        await stack.vector_stores.search_vector_store(
            store.id, query="x", filters={"type": "like", "key": "a", "value": 1}
        )


async def test_chunking_by_tokens_with_overlap(stack: Stack) -> None:
    text = sentences("rivers", 60)  # 360 tokens
    file_id = await upload(stack, text)
    store = await stack.vector_stores.create_vector_store(name="chunked")
    record = await stack.vector_stores.create_vector_store_file(
        store.id, file_id=file_id, chunking_strategy=SMALL_CHUNKS
    )
    assert record.chunking_strategy.static.max_chunk_size_tokens == 100
    await wait_ingested(stack, store.id, file_id)
    page = await stack.vector_stores.search_vector_store(
        store.id, query="rivers", search_mode="keyword", max_num_results=50
    )
    expected = chunk_text(text, 100, 20)
    assert len(expected) == 5
    assert sorted(r.content[0].text for r in page.data) == sorted(expected)


@pytest.mark.parametrize(
    ("filename", "content", "code", "message"),
    [
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "unsupported_file", "unsupported file type '.png'"),
        ("blank.txt", b"   \n\t  ", "unsupported_file", "contains no text"),
        ("latin1.txt", "café".encode("latin-1"), "unsupported_file", "not valid UTF-8"),
        ("broken.pdf", b"%PDF-1.4 not really a pdf", "unsupported_file", "not a readable PDF"),
    ],
)
async def test_unreadable_files_fail_with_a_reason(
    stack: Stack, filename: str, content: bytes, code: str, message: str
) -> None:
    file_id = (await stack.files.create_file(content, filename, "assistants")).id
    store = await stack.vector_stores.create_vector_store(name="bad", file_ids=[file_id])
    record = await wait_ingested(stack, store.id, file_id)
    assert record.status == "failed"
    assert record.last_error is not None
    assert record.last_error.code == code and message in record.last_error.message
    assert (await stack.vector_stores.retrieve_vector_store(store.id)).file_counts.failed == 1


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        (
            "page.html",
            b"<html><style>p{}</style><body><h1>Lighthouse</h1><p>keepers &amp; lamps</p></body></html>",
            "Lighthouse\nkeepers & lamps",
        ),
        ("notes.md", b"# Lighthouse\n\n- keepers\n- lamps\n", "# Lighthouse\n\n- keepers\n- lamps"),
        ("report.pdf", minimal_pdf("Lighthouse keepers tend the lamps"), "Lighthouse keepers tend the lamps"),
    ],
)
async def test_html_markdown_and_pdf_are_extracted(stack: Stack, filename: str, content: bytes, expected: str) -> None:
    file_id = (await stack.files.create_file(content, filename, "assistants")).id
    store = await stack.vector_stores.create_vector_store(name="formats", file_ids=[file_id])
    assert (await wait_ingested(stack, store.id, file_id)).status == "completed"
    page = await stack.vector_stores.search_vector_store(store.id, query="lighthouse", search_mode="keyword")
    assert page.data[0].content[0].text.strip() == expected


async def test_deleting_a_file_removes_its_chunks_everywhere(stack: Stack) -> None:
    file_id = await upload(stack, "Lighthouses guide ships at night.")
    other = await upload(stack, "Lighthouses are tall towers.")
    stores = [await stack.vector_stores.create_vector_store(name=f"s{i}", file_ids=[file_id, other]) for i in range(2)]
    for store in stores:
        await wait_ingested(stack, store.id, file_id)
        await wait_ingested(stack, store.id, other)

    await stack.files.delete_file(file_id)
    for store in stores:
        page = await stack.vector_stores.search_vector_store(store.id, query="lighthouses", search_mode="keyword")
        assert [r.file_id for r in page.data] == [other]
        with pytest.raises(NotFoundError):
            await stack.vector_stores.retrieve_vector_store_file(store.id, file_id)
        assert (await stack.vector_stores.retrieve_vector_store(store.id)).file_counts.total == 1

    removed = await stack.vector_stores.delete_vector_store_file(stores[0].id, other)
    assert removed.deleted
    assert (
        await stack.vector_stores.search_vector_store(stores[0].id, query="lighthouses", search_mode="keyword")
    ).data == []
    # the file itself stays: removing it from a store is not deleting it
    assert (await stack.files.retrieve_file(other)).id == other


async def test_deleting_a_store_removes_its_chunks(stack: Stack) -> None:
    file_id = await upload(stack, "Tides follow the moon.")
    store = await stack.vector_stores.create_vector_store(name="gone", file_ids=[file_id])
    await wait_ingested(stack, store.id, file_id)
    deleted = await stack.vector_stores.delete_vector_store(store.id)
    assert deleted.deleted and deleted.id == store.id
    with pytest.raises(NotFoundError):
        await stack.vector_stores.retrieve_vector_store(store.id)
    backend = stack.vector_stores.providers["sqlite-vec"]
    with pytest.raises(NotFoundError):  # the backend no longer has the store or its chunks
        await backend.query_chunks(store.id, "tides", None, mode="keyword")
    assert (await stack.vector_stores.list_vector_stores()).data == []


async def test_a_restart_loses_nothing(tmp_path: Path) -> None:
    host = make_host()
    async with await Stack.from_config(stack_config(tmp_path), host=host) as first:
        file_id = await upload(first, "Glaciers carve valleys slowly.")
        store = await first.vector_stores.create_vector_store(name="kept", file_ids=[file_id], metadata={"k": "v"})
        await wait_ingested(first, store.id, file_id)
        before = await first.vector_stores.search_vector_store(store.id, query="glaciers valleys", search_mode="hybrid")
    async with await Stack.from_config(stack_config(tmp_path), host=host) as second:
        kept = await second.vector_stores.retrieve_vector_store(store.id)
        assert (kept.name, kept.metadata, kept.file_counts.completed) == ("kept", {"k": "v"}, 1)
        assert (await second.vector_stores.retrieve_vector_store_file(store.id, file_id)).status == "completed"
        after = await second.vector_stores.search_vector_store(store.id, query="glaciers valleys", search_mode="hybrid")
        assert after == before


async def test_concurrent_ingestion_into_one_store(stack: Stack) -> None:
    store = await stack.vector_stores.create_vector_store(name="busy")
    texts = {await upload(stack, sentences(f"topic{i}", 30 + 7 * i), f"{i}.txt"): i for i in range(10)}

    async def attach(file_id: str) -> None:
        await stack.vector_stores.create_vector_store_file(
            store.id, file_id=file_id, attributes={"n": texts[file_id]}, chunking_strategy=SMALL_CHUNKS
        )

    # every file attached twice at once: one ingestion each, no duplicate chunks
    await asyncio.gather(*(attach(file_id) for file_id in [*texts, *texts]))
    for file_id, i in texts.items():
        assert (await wait_ingested(stack, store.id, file_id)).status == "completed"
        page = await stack.vector_stores.search_vector_store(
            store.id,
            query="sentence",
            search_mode="keyword",
            max_num_results=50,
            filters={"type": "eq", "key": "n", "value": i},
        )
        expected = chunk_text(sentences(f"topic{i}", 30 + 7 * i), 100, 20)
        assert sorted(r.content[0].text for r in page.data) == sorted(expected)
    listed = await stack.vector_stores.list_vector_store_files(store.id, limit=100)
    assert sorted(f.id for f in listed.data) == sorted(texts)


async def test_file_batches(stack: Stack) -> None:
    store = await stack.vector_stores.create_vector_store(name="batched")
    file_ids = [await upload(stack, f"batch document number {i}") for i in range(3)]
    batch = await stack.vector_stores.create_file_batch(store.id, file_ids=file_ids, attributes={"batch": True})
    assert batch.id.startswith("vsfb_") and batch.file_counts.total == 3
    for file_id in file_ids:
        await wait_ingested(stack, store.id, file_id)
    batch = await stack.vector_stores.retrieve_file_batch(store.id, batch.id)
    assert batch.status == "completed" and batch.file_counts.completed == 3
    listed = await stack.vector_stores.list_files_in_batch(store.id, batch.id)
    assert sorted(f.id for f in listed.data) == sorted(file_ids)
    assert all(f.attributes == {"batch": True} for f in listed.data)
    with pytest.raises(NotFoundError):
        await stack.vector_stores.retrieve_file_batch(store.id, "vsfb_missing")


class HoldInserts:
    """Holds every ``vector_io.insert_chunks`` call until ``release`` is set (a ``plugstack_api_call`` wrapper)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.held = 0

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        awaitable = yield
        if (call.api, call.method) != ("vector_io", "insert_chunks"):
            return awaitable

        async def held() -> Any:
            self.held += 1
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                awaitable.close()  # type: ignore[attr-defined]  # the provider call never starts
                raise
            return await awaitable

        return held()


async def test_cancelling_a_batch_stops_its_ingestion(tmp_path: Path) -> None:
    hold = HoldInserts()
    async with await Stack.from_config(stack_config(tmp_path), host=make_host(hold)) as stack:
        store = await stack.vector_stores.create_vector_store(name="cancel")
        file_ids = [await upload(stack, f"cancelled document {i}") for i in range(2)]
        batch = await stack.vector_stores.create_file_batch(store.id, file_ids=file_ids)
        while hold.held < 2:
            await asyncio.sleep(0.01)
        cancelled = await stack.vector_stores.cancel_file_batch(store.id, batch.id)
        hold.release.set()
        assert cancelled.status == "cancelled" and cancelled.file_counts.cancelled == 2
        assert {f.status for f in (await stack.vector_stores.list_files_in_batch(store.id, batch.id)).data} == {
            "cancelled"
        }
        page = await stack.vector_stores.search_vector_store(
            store.id, query="cancelled document", search_mode="keyword"
        )
        assert page.data == []


async def test_list_update_and_paginate_stores(stack: Stack) -> None:
    ids = [(await stack.vector_stores.create_vector_store(name=f"s{i}")).id for i in range(3)]
    first = await stack.vector_stores.list_vector_stores(limit=2, order="asc")
    assert first.has_more and [s.id for s in first.data] == ids[:2] and first.last_id == ids[1]
    rest = await stack.vector_stores.list_vector_stores(limit=2, order="asc", after=first.last_id)
    assert [s.id for s in rest.data] == ids[2:] and not rest.has_more
    updated = await stack.vector_stores.update_vector_store(ids[0], name="renamed", metadata={"a": "b"})
    assert (updated.name, updated.metadata) == ("renamed", {"a": "b"})
    assert (await stack.vector_stores.retrieve_vector_store(ids[0])).name == "renamed"
    cleared = await stack.vector_stores.update_vector_store(ids[0], metadata=None)  # found by the fuzz test
    assert (cleared.name, cleared.metadata) == ("renamed", {})


async def test_bad_requests(stack: Stack) -> None:
    store = await stack.vector_stores.create_vector_store(name="errors")
    with pytest.raises(NotFoundError):
        await stack.vector_stores.retrieve_vector_store("vs_missing")
    with pytest.raises(NotFoundError):
        await stack.vector_stores.search_vector_store("vs_missing", query="x")
    with pytest.raises(NotFoundError, match="file-missing"):
        await stack.vector_stores.create_vector_store_file(store.id, file_id="file-missing")
    with pytest.raises(NotFoundError):
        await stack.vector_stores.retrieve_vector_store_file(store.id, "file-missing")
    with pytest.raises(BadRequestError, match="chunk_overlap_tokens"):
        await stack.vector_stores.create_vector_store(
            chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 80}}
        )
    with pytest.raises(BadRequestError, match="not an embedding model"):
        await stack.vector_stores.create_vector_store(embedding_model="echo-1")
    with pytest.raises(BadRequestError, match="max_num_results"):
        await stack.vector_stores.search_vector_store(store.id, query="x", max_num_results=0)
    with pytest.raises(BadRequestError, match="search_mode"):
        await stack.vector_stores.search_vector_store(store.id, query="x", search_mode="semantic")
    with pytest.raises(NotImplementedByProviderError, match="rewrite_query"):
        await stack.vector_stores.search_vector_store(store.id, query="x", rewrite_query=True)
    with pytest.raises(NotImplementedByProviderError, match="expires_after"):
        await stack.vector_stores.create_vector_store(expires_after={"anchor": "last_active_at", "days": 1})


async def test_stores_declared_in_the_run_config(tmp_path: Path) -> None:
    config = stack_config(tmp_path)
    config["registered_resources"] = {"vector_stores": [{"vector_store_id": "team-docs", "name": "Team docs"}]}
    host = make_host()
    async with await Stack.from_config(config, host=host) as first:
        store = await first.vector_stores.retrieve_vector_store("team-docs")
        assert (store.name, store.embedding_model) == ("Team docs", "echo-embed")
        file_id = await upload(first, "declared stores keep their files")
        await first.vector_stores.create_vector_store_file("team-docs", file_id=file_id)
        await wait_ingested(first, "team-docs", file_id)
    async with await Stack.from_config(config, host=host) as second:  # kept, not made again
        assert [s.id for s in (await second.vector_stores.list_vector_stores()).data] == ["team-docs"]
        assert (await second.vector_stores.retrieve_vector_store("team-docs")).file_counts.completed == 1

    config["registered_resources"] = {"vector_stores": [{"vector_store_id": "bad id!"}]}
    with pytest.raises(ConfigError, match=r"registered_resources.vector_stores\[0\]"):
        await Stack.from_config(config, host=host)
