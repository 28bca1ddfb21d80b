from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def plugstack_vcr_options() -> dict[str, Any]:
    """The SDK's DefaultAioHttpClient is httpx's API over aiohttp: record at the aiohttp
    layer only, or vcrpy would see (and store) every request twice."""
    return {"skip_patchers": ("httpx",)}
