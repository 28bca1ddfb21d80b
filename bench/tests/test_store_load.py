"""The stored-state load test, small: a real server, 100 stored chat completions and 100 stored responses
at concurrency 8, none lost."""

from __future__ import annotations

import os
from pathlib import Path

from bench.store_load import run


async def test_every_stored_object_is_found(tmp_path: Path) -> None:
    cores = sorted(os.sched_getaffinity(0))
    completions, responses = await run(100, 8, workdir=tmp_path, loadgen_core=cores[0], server_core=cores[-1])
    assert (completions.kind, completions.created, completions.lost) == ("chat_completions", 100, 0)
    assert completions.found_by_id == completions.found_by_listing == 100
    assert (responses.kind, responses.created, responses.found_by_id, responses.lost) == ("responses", 100, 100, 0)
    assert not completions.create_errors and not responses.create_errors
