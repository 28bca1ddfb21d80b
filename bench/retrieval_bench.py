"""Retrieval benchmark: ``python -m bench.retrieval_bench [--quick] [--json PATH]``.

Two parts, both offline, in library mode:

1. **Quality and end-to-end speed.** The corpus is the Python language reference that
   ships inside CPython (``pydoc_data.topics``: 79 topics, about 80k words; PSF licence,
   read from the interpreter, not copied into this repo). Each topic is uploaded as one
   file, attached to one store per backend (``inline::sqlite-vec``, ``inline::chromadb``)
   and ingested with all-MiniLM-L6-v2 (``inline::sentence-embeddings``). 45 hand-written
   questions, worded unlike the reference text, each name the topics that answer them;
   a hit is a chunk from one of those topics. Reported per backend and search mode
   (sqlite-vec: vector, keyword, hybrid; Chroma: vector): recall@5 (share of questions
   with a hit in the top 5), MRR@10, and search latency p50/p99 (query embedding
   included). Ingestion throughput is chunks per second from attaching the files to
   ``completed`` (extraction, chunking, embedding, insertion).
2. **Backend scale.** 5,000 random unit vectors (384 dimensions) go straight into each
   provider: insertion chunks/s, vector search p50/p99, and recall@10 against exact
   brute force in numpy. sqlite-vec search is exact (recall must be 1.0); Chroma's HNSW
   is approximate and must reach 0.95, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from pydoc_data.topics import topics
from typing import Any

import numpy as np
import plugstack_chromadb
import plugstack_localfs
import plugstack_sentence_embeddings
import plugstack_sqlite_vec
from plugstack_chromadb.adapter import create_inline_provider
from plugstack_chromadb.config import ChromaInlineConfig
from plugstack_sqlite_vec.config import SqliteVecConfig
from plugstack_sqlite_vec.provider import SqliteVecProvider

from plugstack.apis.vector_io import Chunk, VectorStore
from plugstack.plugins import new_plugin_host
from plugstack.provider_context import ProviderContext
from plugstack.retrieval.chunking import chunk_text
from plugstack.stack import Stack

__all__ = ["QUERIES", "main"]

CHUNKING = {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 20}
MODES = ("vector", "keyword", "hybrid")

# question -> the reference topics that answer it
QUERIES: dict[str, set[str]] = {
    "how to handle errors raised inside a block of code": {"try", "exceptions"},
    "create a small anonymous function inside an expression": {"lambda"},
    "pause a function and produce a sequence of values lazily": {"yield"},
    "check a condition while debugging and stop if it is false": {"assert"},
    "leave a loop early before it finishes": {"break"},
    "skip the rest of the current loop iteration": {"continue"},
    "make a variable inside a function refer to the module level name": {"global"},
    "rebind a variable of an enclosing function from a nested function": {"nonlocal"},
    "a statement that does nothing, used as a placeholder": {"pass"},
    "remove a name binding or delete an item from a list": {"del"},
    "signal an error explicitly from your code": {"raise"},
    "send a value back from a function to its caller": {"return"},
    "acquire and release a resource automatically around a block": {"with", "context-managers"},
    "repeat code as long as a condition stays true": {"while"},
    "iterate over the elements of a list one by one": {"for"},
    "define a new class that inherits from base classes": {"class"},
    "define a function with default parameter values": {"function"},
    "load code from another module or package": {"import"},
    "suspend a coroutine until an awaitable finishes": {"await"},
    "asynchronous loops and asynchronous context managers": {"async"},
    "format a value with a width and a precision": {"formatstrings"},
    "split, strip and replace text": {"string-methods"},
    "key value mapping type and its methods": {"typesmapping", "dict"},
    "append, insert and remove items of a mutable sequence": {"typesseq-mutable", "lists"},
    "take part of a sequence with start, stop and step": {"slicings", "typesseq"},
    "raise a number to a power": {"power"},
    "move the bits of an integer left or right": {"shifting"},
    "bitwise and, or and exclusive or of integers": {"bitwise"},
    "compare two objects for equality and identity": {"comparisons"},
    "which values count as false in a condition": {"truth", "booleans"},
    "interactive debugger commands such as breakpoints and stepping": {"debugger"},
    "how names are bound and looked up in scopes": {"naming", "execmodel"},
    "special methods to customise how objects are created and printed": {"customization", "specialnames"},
    "the object that represents the absence of a value": {"bltin-null-object"},
    "the Ellipsis object written as three dots": {"bltin-ellipsis-object"},
    "complex numbers whose imaginary part is written with j": {"imaginary"},
    "floating point literals with an exponent": {"floating"},
    "which operators bind more tightly than others": {"operator-summary"},
    "run code only when a condition holds, otherwise something else": {"if"},
    "add to a variable in place, like x plus equals one": {"augassign"},
    "test whether an item is contained in a collection": {"comparisons", "in"},
    "attributes like __dict__ and __name__ that objects carry": {"specialattrs"},
    "call a function with positional and keyword arguments": {"calls"},
    "escape sequences and raw string literals": {"strings"},
    "integer literals in hexadecimal, octal and binary": {"integers"},
}


def run_config(directory: Path) -> dict[str, Any]:
    return {
        "distribution_name": "retrieval-bench",
        "providers": {
            "inference": [{"provider_id": "minilm", "provider_type": "inline::sentence-embeddings", "config": {}}],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(directory / "files")},
                }
            ],
            "vector_io": [
                {
                    "provider_id": "sqlite-vec",
                    "provider_type": "inline::sqlite-vec",
                    "config": {"db_path": str(directory / "vectors.db"), "embedding_model": "all-MiniLM-L6-v2"},
                },
                {
                    "provider_id": "chromadb",
                    "provider_type": "inline::chromadb",
                    "config": {"db_path": str(directory / "chroma"), "embedding_model": "all-MiniLM-L6-v2"},
                },
            ],
        },
        "storage": {
            "kvstore": {"db_path": str(directory / "kv.db")},
            "sqlstore": {"db_path": str(directory / "sql.db")},
        },
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    ms = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p99_ms": round(float(np.percentile(ms, 99)), 2)}


# backend provider id -> the search modes it supports
BACKENDS = {"sqlite-vec": MODES, "chromadb": ("vector",)}


async def quality(directory: Path, repeats: int) -> dict[str, Any]:
    host = new_plugin_host()
    for module, name in [
        (plugstack_localfs, "localfs"),
        (plugstack_sqlite_vec, "sqlite_vec"),
        (plugstack_chromadb, "chromadb"),
        (plugstack_sentence_embeddings, "sentence_embeddings"),
    ]:
        host.register(module, name=name)
    async with await Stack.from_config(run_config(directory), host=host) as stack:
        names = sorted(topics)
        chunks = sum(len(chunk_text(topics[n], **_chunk_args())) for n in names)
        file_ids = [(await stack.files.create_file(topics[n].encode(), f"{n}.txt", "assistants")).id for n in names]
        results: dict[str, Any] = {
            "corpus": {"files": len(names), "chunks": chunks, "queries": len(QUERIES), "chunking": CHUNKING}
        }
        for backend, modes in BACKENDS.items():
            started = time.perf_counter()
            store = await stack.vector_stores.create_vector_store(
                name=f"python-reference-{backend}",
                file_ids=file_ids,
                chunking_strategy={"type": "static", "static": CHUNKING},
                provider_id=backend,
            )
            while (await stack.vector_stores.retrieve_vector_store(store.id)).file_counts.in_progress:
                await asyncio.sleep(0.05)
            ingest_seconds = time.perf_counter() - started
            counts = (await stack.vector_stores.retrieve_vector_store(store.id)).file_counts
            assert counts.completed == len(names), counts
            results[backend] = {
                "ingestion": {"seconds": round(ingest_seconds, 2), "chunks_per_s": round(chunks / ingest_seconds, 1)},
                "search": {mode: await _search_quality(stack, store.id, mode, repeats) for mode in modes},
            }
        return results


async def _search_quality(stack: Stack, store_id: str, mode: str, repeats: int) -> dict[str, Any]:
    hits5, reciprocal, latencies = 0, 0.0, []
    for query, relevant in QUERIES.items():
        for _ in range(repeats):
            began = time.perf_counter()
            page = await stack.vector_stores.search_vector_store(
                store_id, query=query, max_num_results=10, search_mode=mode
            )
            latencies.append(time.perf_counter() - began)
        ranked = [r.filename.removesuffix(".txt") for r in page.data]
        first = next((rank for rank, topic in enumerate(ranked, start=1) if topic in relevant), None)
        hits5 += first is not None and first <= 5
        reciprocal += 1 / first if first else 0.0
    return {
        "recall_at_5": round(hits5 / len(QUERIES), 3),
        "mrr_at_10": round(reciprocal / len(QUERIES), 3),
        **percentiles(latencies),
    }


def _chunk_args() -> dict[str, int]:
    return {"max_tokens": CHUNKING["max_chunk_size_tokens"], "overlap_tokens": CHUNKING["chunk_overlap_tokens"]}


def _scale_providers(directory: Path) -> dict[str, Any]:
    return {
        "sqlite-vec": SqliteVecProvider(SqliteVecConfig(db_path=str(directory / "scale.db"))),
        "chromadb": create_inline_provider(
            ChromaInlineConfig(db_path=str(directory / "scale-chroma")),
            ProviderContext(api="vector_io", provider_id="chromadb", provider_type="inline::chromadb", routers={}),
        ),
    }


async def scale(directory: Path, count: int, queries: int, dimension: int = 384) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((count, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    probes = rng.standard_normal((queries, dimension)).astype(np.float32)
    probes /= np.linalg.norm(probes, axis=1, keepdims=True)
    exact = [set(np.argsort(-(vectors @ q))[:10].tolist()) for q in probes]
    results: dict[str, Any] = {"chunks": count, "dimension": dimension}
    for backend, provider in _scale_providers(directory).items():
        await provider.initialize()
        try:
            store = VectorStore(id="vs_scale", embedding_model="random", embedding_dimension=dimension)
            await provider.register_vector_store(store)
            started = time.perf_counter()
            for start in range(0, count, 500):
                batch = [
                    Chunk(id=str(i), content=f"chunk {i}", embedding=vectors[i].tolist(), file_id="f")
                    for i in range(start, min(start + 500, count))
                ]
                await provider.insert_chunks(store.id, batch)
            insert_seconds = time.perf_counter() - started
            recalls, latencies = [], []
            for q, truth in zip(probes, exact, strict=True):
                began = time.perf_counter()
                found = await provider.query_chunks(store.id, "", q.tolist(), mode="vector", max_results=10)
                latencies.append(time.perf_counter() - began)
                recalls.append(len(truth & {int(r.chunk.id) for r in found}) / 10)
        finally:
            shutdown = getattr(provider, "shutdown", None)
            if shutdown is not None:
                await shutdown()
        results[backend] = {
            "insert_chunks_per_s": round(count / insert_seconds, 1),
            "vector_search": percentiles(latencies),
            "recall_at_10_vs_exact": round(float(np.mean(recalls)), 4),
        }
    return results


def render(results: dict[str, Any]) -> str:
    q, s = results["quality"], results["scale"]
    corpus = q["corpus"]
    lines = [
        f"corpus: {corpus['files']} files, {corpus['chunks']} chunks, {corpus['queries']} queries",
        "",
        "| backend | mode | recall@5 | MRR@10 | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for backend in BACKENDS:
        for mode, m in q[backend]["search"].items():
            lines.append(
                f"| {backend} | {mode} | {m['recall_at_5']} | {m['mrr_at_10']} | {m['p50_ms']} | {m['p99_ms']} |"
            )
    lines.append("")
    for backend in BACKENDS:
        ingestion = q[backend]["ingestion"]
        lines.append(
            f"{backend} ingestion (extract+chunk+embed+insert): {ingestion['chunks_per_s']} chunks/s ({ingestion['seconds']} s)"
        )
    lines.append("")
    for backend in BACKENDS:
        b = s[backend]
        lines.append(
            f"{backend} at {s['chunks']} x {s['dimension']}: insert {b['insert_chunks_per_s']} chunks/s, "
            f"vector search p50 {b['vector_search']['p50_ms']} ms / p99 {b['vector_search']['p99_ms']} ms, "
            f"recall@10 vs exact {b['recall_at_10_vs_exact']}"
        )
    return "\n".join(lines)


async def run(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="plugstack-retrieval-") as tmp:
        directory = Path(tmp)
        results = {
            "quality": await quality(directory, repeats=1 if quick else 3),
            "scale": await scale(directory, count=2000 if quick else 5000, queries=50 if quick else 200),
        }
    return results


def check_recall(results: dict[str, Any]) -> None:
    for backend in BACKENDS:
        recall = results["scale"][backend]["recall_at_10_vs_exact"]
        if recall < 0.95:
            raise SystemExit(f"{backend}: vector search recall@10 against exact search is {recall} < 0.95")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller scale test")
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    results = asyncio.run(run(args.quick))
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    check_recall(results)


if __name__ == "__main__":
    main()
