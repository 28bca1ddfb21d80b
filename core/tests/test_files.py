"""The files API in library mode: ``stack.files`` over the ``inline::localfs`` provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import plugstack_localfs
import pytest

from plugstack.errors import BadRequestError, NotFoundError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack


def files_config(tmp_path: Path, **localfs: Any) -> dict[str, Any]:
    return {
        "distribution_name": "files-test",
        "providers": {
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp_path / "files"), **localfs},
                }
            ]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }


@pytest.fixture
def files_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(plugstack_localfs, name="localfs")
    return host


@pytest.fixture
async def stack(files_host: PluginHost, tmp_path: Path) -> AsyncIterator[Stack]:
    async with await Stack.from_config(files_config(tmp_path, max_file_size_bytes=1000), host=files_host) as started:
        yield started


async def test_create_list_retrieve_content_delete(stack: Stack) -> None:
    created = await stack.files.create_file(b"hello files", "notes.txt", "assistants")
    assert created.id.startswith("file-")
    assert (created.bytes, created.filename, created.purpose) == (11, "notes.txt", "assistants")
    assert await stack.files.retrieve_file(created.id) == created
    assert await stack.files.file_content(created.id) == b"hello files"
    assert [f.id for f in (await stack.files.list_files()).data] == [created.id]

    deleted = await stack.files.delete_file(created.id)
    assert deleted.deleted and deleted.id == created.id
    assert (await stack.files.list_files()).data == []
    for call in (stack.files.retrieve_file, stack.files.file_content, stack.files.delete_file):
        with pytest.raises(NotFoundError, match=created.id):
            await call(created.id)


async def test_list_filters_by_purpose_and_pages(stack: Stack) -> None:
    ids = [(await stack.files.create_file(b"x", f"{i}.txt", "assistants")).id for i in range(3)]
    batch = await stack.files.create_file(b"{}", "b.jsonl", "batch")
    assert {f.id for f in (await stack.files.list_files(purpose="assistants")).data} == set(ids)
    assert [f.id for f in (await stack.files.list_files(purpose="batch")).data] == [batch.id]
    ascending = [f.id for f in (await stack.files.list_files(order="asc")).data]
    first = await stack.files.list_files(order="asc", limit=2)
    assert first.has_more and [f.id for f in first.data] == ascending[:2]
    rest = await stack.files.list_files(order="asc", after=first.data[-1].id)
    assert [f.id for f in rest.data] == ascending[2:] and not rest.has_more


@pytest.mark.parametrize(
    ("content", "filename", "purpose", "message"),
    [
        (b"x", "a.txt", "homework", "invalid purpose 'homework'"),
        (b"", "a.txt", "assistants", "is empty"),
        (b"x" * 1001, "big.txt", "assistants", "1001 bytes; the limit is 1000 bytes"),
        (b"x", "../escape.txt", "assistants", "invalid filename"),
    ],
)
async def test_bad_uploads_are_400(stack: Stack, content: bytes, filename: str, purpose: str, message: str) -> None:
    with pytest.raises(BadRequestError, match=message.replace("(", r"\(")):
        await stack.files.create_file(content, filename, purpose)
    assert (await stack.files.list_files()).data == []


async def test_files_survive_a_restart(files_host: PluginHost, tmp_path: Path) -> None:
    async with await Stack.from_config(files_config(tmp_path), host=files_host) as first:
        created = await first.files.create_file(b"kept", "kept.md", "user_data")
    async with await Stack.from_config(files_config(tmp_path), host=files_host) as second:
        assert await second.files.retrieve_file(created.id) == created
        assert await second.files.file_content(created.id) == b"kept"
