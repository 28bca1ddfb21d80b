"""``inline::localfs`` datasets in library mode: each format and source, paging, appending, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from plugstack_datasetio_local.cache import BoundedCache

from plugstack.errors import BadRequestError, ConfigError, NotImplementedByProviderError
from plugstack.plugins import PluginHost
from plugstack.stack import Stack

RunConfig = Any  # conftest's ``config`` fixture: config(datasets=..., files=..., **provider_config)

ROWS: list[dict[str, Any]] = [
    {"question": "What is the capital of France?", "answer": "Paris"},
    {"question": "What is 2 + 3?", "answer": "5"},
    {"question": "Which colour are bananas?", "answer": "yellow"},
    {"question": "What is 10 / 2?", "answer": "5"},
    {"question": "What is the capital of Japan?", "answer": "Tokyo"},
]


def uri_dataset(dataset_id: str, uri: str, **metadata: Any) -> dict[str, Any]:
    source = {"type": "uri", "uri": uri}
    return {"dataset_id": dataset_id, "purpose": "eval/question-answer", "source": source, "metadata": metadata}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]], *, row_group_size: int = 2) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


async def register(stack: Stack, dataset_id: str, uri: str, **metadata: Any) -> str:
    await stack.datasetio.register_dataset(**uri_dataset(dataset_id, uri, **metadata))
    return dataset_id


async def all_rows(stack: Stack, dataset_id: str, page_size: int = 2) -> list[dict[str, Any]]:
    return [row async for row in stack.datasetio.rows(dataset_id, page_size=page_size)]


# -- formats and sources ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("writer", "name"), [(write_jsonl, "qa.jsonl"), (write_csv, "qa.csv"), (write_parquet, "qa.parquet")]
)
async def test_each_format_from_a_local_path_and_from_the_files_api(
    stack: Stack, tmp_path: Path, writer: Any, name: str
) -> None:
    path = writer(tmp_path / name, ROWS)
    await register(stack, "local", path.as_uri())
    file = await stack.files.create_file(path.read_bytes(), name, "evals")
    await register(stack, "stored", file.id)
    for dataset_id in ("local", "stored"):
        assert await all_rows(stack, dataset_id) == ROWS
        page = await stack.datasetio.iterrows(dataset_id, start_index=3, limit=1)
        assert page.data == ROWS[3:4] and page.next_start_index == 4


async def test_parquet_keeps_its_types_and_pages_across_row_groups(stack: Stack, tmp_path: Path) -> None:
    rows = [{"id": i, "score": i / 4, "tags": ["a"] * (i % 3), "ok": i % 2 == 0} for i in range(10)]
    path = write_parquet(tmp_path / "typed.parquet", rows, row_group_size=3)
    await register(stack, "typed", path.as_uri())
    page = await stack.datasetio.iterrows("typed", start_index=2, limit=5)  # groups 0, 1 and 2
    assert page.data == rows[2:7] and page.has_more
    assert await all_rows(stack, "typed", page_size=4) == rows


async def test_csv_records_may_span_lines_and_start_with_a_bom(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_bytes('\ufeffquestion,answer\n"line one\nline two",1\n\n"a ""quoted"" word",2\nplain,3\n'.encode())
    await register(stack, "multi", path.as_uri())
    assert await all_rows(stack, "multi") == [
        {"question": "line one\nline two", "answer": "1"},
        {"question": 'a "quoted" word', "answer": "2"},
        {"question": "plain", "answer": "3"},
    ]


async def test_metadata_format_overrides_the_name(stack: Stack, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "export.txt", ROWS[:2])
    with pytest.raises(BadRequestError, match=r"cannot tell the format of 'export\.txt'") as raised:
        await register(stack, "unknown", path.as_uri())
    assert raised.value.param == "metadata.format"
    await register(stack, "declared", path.as_uri(), format="application/jsonl")
    assert (await stack.datasetio.iterrows("declared")).data == ROWS[:2]
    with pytest.raises(BadRequestError, match=r"metadata\.format must be jsonl, csv or parquet"):
        await register(stack, "bad", path.as_uri(), format="xlsx")


async def test_blank_lines_are_no_rows_and_a_last_line_needs_no_newline(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text('{"a": 1}\n\n   \n{"a": 2}\n{"a": 3}')
    await register(stack, "gaps", path.as_uri())
    assert await all_rows(stack, "gaps") == [{"a": 1}, {"a": 2}, {"a": 3}]


async def test_a_changed_local_file_is_read_again(stack: Stack, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "live.jsonl", ROWS[:2])
    await register(stack, "live", path.as_uri())
    assert (await stack.datasetio.iterrows("live")).data == ROWS[:2]
    write_jsonl(path, ROWS[2:5])
    assert (await stack.datasetio.iterrows("live")).data == ROWS[2:5]


# -- refused sources ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://example.com/qa.jsonl?sig=SECRET", "does not fetch https:// URLs"),
        ("http://example.com/qa.jsonl", "does not fetch http:// URLs"),
        ("file:///etc/passwd.csv", "outside the directories this provider may read"),
        ("file://otherhost/data.jsonl", "a file URI is file:///absolute/path"),
        ("s3://bucket/qa.jsonl", "must be a files-API id"),
        ("file-doesnotexist", "is not in the files API"),
    ],
)
async def test_sources_it_cannot_read_are_refused_at_registration(stack: Stack, uri: str, message: str) -> None:
    with pytest.raises(BadRequestError, match=message) as raised:
        await register(stack, "refused", uri)
    assert raised.value.param == "source.uri"
    assert "SECRET" not in raised.value.message
    assert stack.datasets.list() == []


async def test_a_missing_local_file_is_refused(stack: Stack, tmp_path: Path) -> None:
    with pytest.raises(BadRequestError, match="no file at"):
        await register(stack, "gone", (tmp_path / "nothing.jsonl").as_uri())


async def test_a_symlink_out_of_the_allowed_dirs_is_refused(stack: Stack, tmp_path: Path) -> None:
    outside = write_jsonl(tmp_path.parent / f"{tmp_path.name}-outside.jsonl", ROWS)
    (tmp_path / "link.jsonl").symlink_to(outside)
    with pytest.raises(BadRequestError, match="outside the directories"):
        await register(stack, "link", (tmp_path / "link.jsonl").as_uri())


async def test_files_api_sources_need_a_files_provider(host: PluginHost, config: RunConfig) -> None:
    async with await Stack.from_config(config(files=False), host=host) as stack:
        with pytest.raises(BadRequestError, match="no files provider"):
            await register(stack, "stored", "file-abc")


async def test_a_deleted_file_stops_serving(stack: Stack, tmp_path: Path) -> None:
    file = await stack.files.create_file(write_jsonl(tmp_path / "a.jsonl", ROWS).read_bytes(), "a.jsonl", "evals")
    await register(stack, "stored", file.id)
    assert len((await stack.datasetio.iterrows("stored")).data) == 5
    await stack.files.delete_file(file.id)
    with pytest.raises(BadRequestError, match="is not in the files API"):
        await stack.datasetio.iterrows("stored")


async def test_a_bad_dataset_in_the_run_config_stops_the_start(
    host: PluginHost, config: RunConfig, tmp_path: Path
) -> None:
    remote = config(datasets=[uri_dataset("remote", "https://example.com/qa.csv")])
    with pytest.raises(BadRequestError, match="does not fetch https://"):
        await Stack.from_config(remote, host=host)
    uri = write_jsonl(tmp_path / "a.jsonl", ROWS).as_uri()
    twice = config(datasets=[uri_dataset("a", uri), uri_dataset("a", uri)])
    with pytest.raises(ConfigError, match="dataset 'a'"):
        await Stack.from_config(twice, host=host)


# -- bad rows -----------------------------------------------------------------------------


async def test_a_malformed_jsonl_line_is_a_400_naming_it_for_its_pages_only(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{"a": 3,\n{"a": 4}\n[1, 2]\n')
    await register(stack, "broken", path.as_uri())
    assert (await stack.datasetio.iterrows("broken", limit=2)).data == [{"a": 1}, {"a": 2}]
    with pytest.raises(BadRequestError, match=r"line 4 is not valid JSON") as raised:
        await stack.datasetio.iterrows("broken", start_index=1, limit=2)
    assert str(path) in raised.value.message and raised.value.param == "dataset_id"
    assert (await stack.datasetio.iterrows("broken", start_index=3, limit=1)).data == [{"a": 4}]
    with pytest.raises(BadRequestError, match=r"line 6 is a JSON list, not an object"):
        await stack.datasetio.iterrows("broken", start_index=4)


async def test_a_malformed_line_in_an_uploaded_file_is_named_too(stack: Stack) -> None:
    file = await stack.files.create_file(b'{"a": 1}\nnot json\n', "bad.jsonl", "evals")
    await register(stack, "bad", file.id)
    with pytest.raises(BadRequestError, match=rf"file {file.id}, 'bad.jsonl'\): line 2 is not valid JSON"):
        await stack.datasetio.iterrows("bad")


async def test_csv_records_with_the_wrong_field_count_are_named(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("q,a\nx,1\ny,2,extra\nz\n")
    await register(stack, "ragged", path.as_uri())
    assert (await stack.datasetio.iterrows("ragged", limit=1)).data == [{"q": "x", "a": "1"}]
    with pytest.raises(BadRequestError, match="line 3 has 3 fields; the header has 2"):
        await stack.datasetio.iterrows("ragged", start_index=1)
    with pytest.raises(BadRequestError, match="line 4 has 1 fields; the header has 2"):
        await stack.datasetio.iterrows("ragged", start_index=2)


async def test_invalid_utf8_and_not_parquet_are_400s(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes("q,a\ncaf\xe9,1\n".encode("latin-1"))
    await register(stack, "latin", (tmp_path / "latin.csv").as_uri())
    with pytest.raises(BadRequestError, match="line 2 is not UTF-8"):
        await stack.datasetio.iterrows("latin")
    (tmp_path / "fake.parquet").write_text("not parquet at all")
    await register(stack, "fake", (tmp_path / "fake.parquet").as_uri())
    with pytest.raises(BadRequestError, match="not a readable Parquet file"):
        await stack.datasetio.iterrows("fake")


# -- appending ----------------------------------------------------------------------------


async def test_appending_to_a_local_jsonl_file_writes_it(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "grow.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}')  # no newline after the last row
    await register(stack, "grow", path.as_uri())
    assert len((await stack.datasetio.iterrows("grow")).data) == 2  # the index is built, then extended
    await stack.datasetio.append_rows("grow", rows=[{"a": 3}, {"a": "é"}])
    assert (await stack.datasetio.iterrows("grow", start_index=1)).data == [{"a": 2}, {"a": 3}, {"a": "é"}]
    assert path.read_text(encoding="utf-8") == '{"a": 1}\n{"a": 2}\n{"a": 3}\n{"a": "é"}\n'


async def test_appended_rows_of_a_rows_dataset_survive_a_restart(host: PluginHost, config: RunConfig) -> None:
    async with await Stack.from_config(config(), host=host) as stack:
        await stack.datasetio.register_dataset(
            dataset_id="inline", purpose="eval/messages-answer", source={"type": "rows", "rows": [{"a": 1}]}
        )
        await stack.datasetio.append_rows("inline", rows=[{"a": 2}])
    async with await Stack.from_config(config(), host=host) as stack:
        assert (await stack.datasetio.iterrows("inline")).data == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize(("writer", "name"), [(write_csv, "qa.csv"), (write_parquet, "qa.parquet")])
async def test_csv_and_parquet_files_are_not_appended_to(stack: Stack, tmp_path: Path, writer: Any, name: str) -> None:
    await register(stack, "fixed", writer(tmp_path / name, ROWS).as_uri())
    with pytest.raises(NotImplementedByProviderError, match="appends to JSONL files and rows datasets only"):
        await stack.datasetio.append_rows("fixed", rows=[{"question": "q", "answer": "a"}])


async def test_files_api_files_are_not_appended_to(stack: Stack) -> None:
    file = await stack.files.create_file(b'{"a": 1}\n', "a.jsonl", "evals")
    await register(stack, "stored", file.id)
    with pytest.raises(NotImplementedByProviderError, match="is a file of the files API, and those never change"):
        await stack.datasetio.append_rows("stored", rows=[{"a": 2}])


async def test_rows_that_are_not_json_are_refused_before_writing(stack: Stack, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", ROWS[:1])
    await register(stack, "a", path.as_uri())
    with pytest.raises(BadRequestError, match=r"rows\[1\] is not JSON"):
        await stack.datasetio.append_rows("a", rows=[{"ok": 1}, {"bad": object()}])
    with pytest.raises(BadRequestError, match="rows"):
        await stack.datasetio.append_rows("a", rows=[])
    assert json.loads(path.read_text()) == ROWS[0]


# -- what is kept between pages ------------------------------------------------------------


async def test_a_deep_page_reads_its_rows_only(host: PluginHost, config: RunConfig, tmp_path: Path) -> None:
    """Row 19 999 is read from a 20 000-row file whose first line is malformed: no page parses the whole file."""
    path = tmp_path / "big.jsonl"
    path.write_text("{broken\n" + "".join(json.dumps({"i": i}) + "\n" for i in range(1, 20_000)))
    async with await Stack.from_config(config(cache_bytes=1 << 20), host=host) as stack:
        await register(stack, "big", path.as_uri())
        page = await stack.datasetio.iterrows("big", start_index=19_998, limit=5)
        assert page.data == [{"i": 19_998}, {"i": 19_999}] and not page.has_more
        provider = stack.datasets.provider(stack.datasets.get("big"))
        assert 0 < provider.cache.used <= 8 * 20_000 + 64, "the index costs 8 bytes a row"


async def test_nothing_is_kept_with_no_cache(host: PluginHost, config: RunConfig, tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "qa.parquet", ROWS)
    async with await Stack.from_config(config(cache_bytes=0), host=host) as stack:
        await register(stack, "p", path.as_uri())
        file = await stack.files.create_file(write_jsonl(tmp_path / "a.jsonl", ROWS).read_bytes(), "a.jsonl", "evals")
        await register(stack, "f", file.id)
        assert await all_rows(stack, "p") == ROWS and await all_rows(stack, "f") == ROWS
        assert stack.datasets.provider(stack.datasets.get("p")).cache.used == 0


def test_the_cache_evicts_the_least_recently_used_within_its_budget() -> None:
    cache = BoundedCache(100)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    assert cache.get("a") == "A"  # b is now the least recently used
    cache.put("c", "C", 40)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert cache.used == 80
    cache.put("huge", "H", 101)
    assert cache.get("huge") is None and cache.used == 80
    cache.drop(lambda key: key == "a")
    assert cache.get("a") is None and cache.used == 40
