from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def plugstack_vcr_options() -> dict[str, Any]:
    """The SDK's DefaultAioHttpClient is httpx2's API over aiohttp: vcrpy records it at
    the aiohttp layer (it does not patch httpx2; skipping httpx keeps it that way)."""
    return {"skip_patchers": ("httpx",)}
