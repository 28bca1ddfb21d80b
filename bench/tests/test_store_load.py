"""The stored-state load test, small: a real server, 100 stored chat completions at concurrency 8, none lost."""

from __future__ import annotations

import os
from pathlib import Path

from bench.store_load import run


async def test_every_stored_chat_completion_is_found(tmp_path: Path) -> None:
    cores = sorted(os.sched_getaffinity(0))
    [result] = await run(100, 8, workdir=tmp_path, loadgen_core=cores[0], server_core=cores[-1])
    assert (result.kind, result.created, result.lost) == ("chat_completions", 100, 0)
    assert result.found_by_id == result.found_by_listing == 100
    assert not result.create_errors
