"""``inline::localfs`` datasets against the shared datasetio conformance suite.

One class per kind of source (a local JSONL, CSV and Parquet file, a file of the files
API, rows inline), so that every path passes the same tests. The provider reads no
upstream, so there is no cassette. Run configs are classmethods, called before any
fixture, so this module writes its files itself.
"""

from __future__ import annotations

import atexit
import csv
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import plugstack_datasetio_local
import plugstack_localfs
import pyarrow as pa
import pyarrow.parquet as pq

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.datasetio_conformance import DatasetIOConformance

DATA = Path(tempfile.mkdtemp(prefix="datasetio-conformance-"))
atexit.register(shutil.rmtree, DATA, ignore_errors=True)

ROWS: list[dict[str, Any]] = [
    {"question": "What is the capital of France?", "answer": "Paris"},
    {"question": "What is 2 + 3?", "answer": "5"},
    {"question": "Which colour are bananas?", "answer": "yellow"},
    {"question": "What is 10 / 2?", "answer": "5"},
    {"question": "What is the capital of Japan?", "answer": "Tokyo"},
]


def _config(name: str, datasets: list[dict[str, Any]]) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix=name, dir=DATA))  # a fresh kvstore each stack
    return {
        "distribution_name": f"datasetio-{name}",
        "providers": {
            "files": [
                {"provider_id": "files", "provider_type": "inline::localfs", "config": {"storage_dir": str(root)}}
            ],
            "datasetio": [
                {"provider_id": "local", "provider_type": "inline::localfs", "config": {"allowed_dirs": [str(DATA)]}}
            ],
        },
        "storage": {"kvstore": {"db_path": str(root / "kv.db")}, "sqlstore": {"db_path": str(root / "sql.db")}},
        "registered_resources": {"datasets": datasets},
    }


def _dataset(dataset_id: str, source: dict[str, Any]) -> dict[str, Any]:
    return {"dataset_id": dataset_id, "purpose": "eval/question-answer", "source": source}


class TestLocalJsonlConformance(DatasetIOConformance):
    dataset_id = "qa-jsonl"
    expected_rows = ROWS
    provider_type = "inline::localfs"
    sdk_modules: ClassVar[tuple[str, ...]] = (
        "pyarrow",
        "plugstack_datasetio_local.adapter",
        "plugstack_datasetio_local.parquet_rows",
        "plugstack_datasetio_local.text_rows",
    )

    @classmethod
    def plugin_host(cls) -> PluginHost:
        host = new_plugin_host()
        assert host.register(plugstack_datasetio_local, name="datasetio_local")
        assert host.register(plugstack_localfs, name="localfs")
        return host

    @classmethod
    def write(cls, path: Path) -> None:
        path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        path = DATA / f"{cls.__name__}.data"
        cls.write(path)
        source = {"type": "uri", "uri": path.as_uri()}
        return _config(cls.__name__, [{**_dataset(cls.dataset_id, source), "metadata": {"format": cls.format}}])

    format: ClassVar[str] = "jsonl"


class TestLocalCsvConformance(TestLocalJsonlConformance):
    dataset_id = "qa-csv"
    format = "text/csv"
    provider_type = None  # the entry point is checked once, above

    @classmethod
    def write(cls, path: Path) -> None:
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(ROWS[0]))
            writer.writeheader()
            writer.writerows(ROWS)


class TestLocalParquetConformance(TestLocalJsonlConformance):
    dataset_id = "qa-parquet"
    format = "parquet"
    provider_type = None

    @classmethod
    def write(cls, path: Path) -> None:
        pq.write_table(pa.Table.from_pylist(ROWS), path, row_group_size=2)  # pages cross row groups


class TestFilesApiConformance(TestLocalJsonlConformance):
    """A JSONL file uploaded through the files API, registered once the stack runs."""

    dataset_id = "qa-files"
    provider_type = None

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return _config(cls.__name__, [])

    async def prepare_dataset(self, stack: Stack) -> str:
        content = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
        file = await stack.files.create_file(content, "qa.jsonl", "evals")
        await stack.datasetio.register_dataset(**_dataset(self.dataset_id, {"type": "uri", "uri": file.id}))
        return self.dataset_id


class TestInlineRowsConformance(TestLocalJsonlConformance):
    dataset_id = "qa-rows"
    provider_type = None

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return _config(cls.__name__, [_dataset(cls.dataset_id, {"type": "rows", "rows": ROWS})])
