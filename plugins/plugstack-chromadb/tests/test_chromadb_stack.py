"""``inline::chromadb`` behind the vector stores API in library mode (echo embeddings, localfs files).

Nothing here can reach the network, so passing also shows that Chroma never tried to
download its default embedding model: it only ever received vectors.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import plugstack_chromadb
import plugstack_localfs
import pytest

from plugstack.apis.vector_io import VectorStore
from plugstack.errors import NotImplementedByProviderError, ProviderError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin


async def test_store_ingest_search_delete(tmp_path: Path) -> None:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_localfs, name="localfs")
    assert host.register(plugstack_chromadb, name="chromadb")
    config = {
        "distribution_name": "chroma-stack",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "files": [
                {
                    "provider_id": "fs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp_path / "f")},
                }
            ],
            "vector_io": [
                {
                    "provider_id": "chroma",
                    "provider_type": "inline::chromadb",
                    "config": {"db_path": str(tmp_path / "c")},
                }
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }
    async with await Stack.from_config(config, host=host) as stack:
        file_id = (await stack.files.create_file(b"Chroma keeps vectors.", "c.txt", "assistants")).id
        store = await stack.vector_stores.create_vector_store(name="c", file_ids=[file_id])
        while (
            record := await stack.vector_stores.retrieve_vector_store_file(store.id, file_id)
        ).status == "in_progress":
            await asyncio.sleep(0.01)
        assert record.status == "completed"
        page = await stack.vector_stores.search_vector_store(store.id, query="vectors")
        assert [(r.file_id, r.filename, r.content[0].text) for r in page.data] == [
            (file_id, "c.txt", "Chroma keeps vectors.")
        ]
        with pytest.raises(NotImplementedByProviderError, match="vector search only"):
            await stack.vector_stores.search_vector_store(store.id, query="vectors", search_mode="keyword")
        await stack.files.delete_file(file_id)
        assert (await stack.vector_stores.search_vector_store(store.id, query="vectors")).data == []


async def test_two_chroma_providers_name_their_own_provider_id_in_errors(tmp_path: Path) -> None:
    """Two ``inline::chromadb`` entries of one run config: each one's Chroma errors say which one failed."""
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_chromadb, name="chromadb")
    config = {
        "distribution_name": "two-chromas",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "vector_io": [
                {
                    "provider_id": provider_id,
                    "provider_type": "inline::chromadb",
                    "config": {"db_path": str(tmp_path / provider_id)},
                }
                for provider_id in ("chroma-docs", "chroma-code")
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }
    async with await Stack.from_config(config, host=host) as stack:
        providers = {instance.provider_id: instance.impl for instance in stack.providers}
        for provider_id in ("chroma-docs", "chroma-code"):
            with pytest.raises(ProviderError, match="InvalidArgumentError") as info:  # Chroma refuses the name
                await providers[provider_id].register_vector_store(VectorStore(id="x!", embedding_dimension=3))
            assert info.value.provider_id == provider_id
            assert f"provider {provider_id!r}" in info.value.message
