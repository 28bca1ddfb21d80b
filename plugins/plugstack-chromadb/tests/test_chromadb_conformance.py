"""``inline::chromadb`` and ``remote::chromadb`` against the shared vector IO conformance suite.

The remote provider talks to a real Chroma server (``chroma run``) started on 127.0.0.1.
Chroma has no BM25 ranking, so both declare keyword and hybrid search unsupported.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import chromadb
import httpx
import pytest
from chromadb.config import Settings
from plugstack_chromadb.adapter import ChromaVectorIO, create_inline_provider, create_remote_provider
from plugstack_chromadb.config import ChromaInlineConfig, ChromaRemoteConfig

from plugstack.apis.vector_io import SearchMode
from plugstack.provider_context import ProviderContext
from plugstack.testing.vector_conformance import VectorIOConformance


def context(provider_type: str) -> ProviderContext:
    return ProviderContext(api="vector_io", provider_id="chroma", provider_type=provider_type, routers={})


class TestInlineChromaConformance(VectorIOConformance):
    unsupported_modes: ClassVar[frozenset[SearchMode]] = frozenset({"keyword", "hybrid"})

    async def open_provider(self, directory: Path) -> ChromaVectorIO:
        provider = create_inline_provider(
            ChromaInlineConfig(db_path=str(directory / "chroma")), context("inline::chromadb")
        )
        await provider.initialize()
        return provider


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma is not None, "the chroma CLI (from the chromadb package) is not installed"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "chroma run exited"
            assert time.monotonic() < deadline, "chroma run did not answer within 30 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class TestRemoteChromaConformance(VectorIOConformance):
    unsupported_modes: ClassVar[frozenset[SearchMode]] = frozenset({"keyword", "hybrid"})

    @pytest.fixture(autouse=True)
    def _server(self, chroma_server: str) -> Iterator[None]:
        self.url = chroma_server
        yield
        client = chromadb.HttpClient(host=chroma_server, settings=Settings(anonymized_telemetry=False))
        for collection in client.list_collections():  # the next test starts from an empty server
            client.delete_collection(collection.name)

    async def open_provider(self, directory: Path) -> ChromaVectorIO:
        # one server for the module, emptied after each test; the restart test reopens the
        # client while the server keeps the data
        provider = create_remote_provider(ChromaRemoteConfig(url=self.url), context("remote::chromadb"))
        await provider.initialize()
        return provider
