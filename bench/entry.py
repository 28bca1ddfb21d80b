"""The command line every single-part benchmark shares: ``--quick``, ``--json PATH``, figures on stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

__all__ = ["bench_main"]


def bench_main(
    doc: str | None,
    run: Callable[[bool], Coroutine[Any, Any, dict[str, Any]]],
    render: Callable[[dict[str, Any]], str],
    *,
    quick_help: str = "fewer rounds",
) -> dict[str, Any]:
    """Parse the arguments, run (quick or not), print what ``render`` makes of the results, keep them as JSON."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    results: dict[str, Any] = asyncio.run(run(args.quick))
    print(render(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return results
