from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bench.mock_upstream import Answers, MockProtocol


@pytest.fixture
async def mock_url() -> AsyncIterator[str]:
    """The mock upstream, served in the test's own event loop on a free port of 127.0.0.1."""
    answers = Answers()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: MockProtocol(answers), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/v1"
    server.close()
    await server.wait_closed()
