"""Stored state under load: create thousands of stored objects at once, then find every one.

``python -m bench.store_load --count 2000 --concurrency 32 [--postgres URL]`` starts the
mock upstream and a real ``plugstack run`` server (SQLite under a temporary directory, or
the PostgreSQL database at URL), creates ``count`` chat completions with ``store: true``
(half of them streamed) at ``concurrency`` over HTTP, then retrieves each by the id its
client saw and lists them all page by page. It prints what was created, found by id,
found by listing, lost (created but not found both ways: must be 0) and the rates, and
exits 1 when anything was lost. Llama Stack 0.7.3 lost about a fifth of its stored chat
completions this way at concurrency 32 (issue 12). Responses are created and found the
same way (half streamed, found by id: OpenAI's API lists no responses).

Each kind of stored object is one :class:`Kind` (create, retrieve, list); responses and
conversations join :data:`KINDS` the same way. Every object of a run carries the run's
own metadata tag and listing filters by it, so a shared database holds earlier runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bench.procs import ServerProcess, free_port
from bench.targets import CHAT_MODEL, mock_target, plugstack_run_config

__all__ = ["KINDS", "Kind", "KindResult", "main", "run"]

PAGE = 100  # the largest page OpenAI's list endpoints give
_POSTGRES_ENV = "STORE_LOAD_POSTGRES_URL"  # the URL reaches the server through its environment, not a file
_POSTGRES_STORE = {"type": "postgres", "url": "${env.STORE_LOAD_POSTGRES_URL}"}


@dataclass(frozen=True)
class Kind:
    """One kind of stored object: how to create one (its id), retrieve one, and list a run's ids."""

    name: str
    create: Callable[[aiohttp.ClientSession, str, int, dict[str, str]], Awaitable[str]]
    retrieve: Callable[[aiohttp.ClientSession, str, str], Awaitable[bool]]
    list_ids: Callable[[aiohttp.ClientSession, str, dict[str, str]], Awaitable[list[str]]] | None
    """``None`` for a kind the API does not list (OpenAI lists no responses): found by id only."""


@dataclass
class KindResult:
    kind: str
    requested: int
    created: int = 0
    found_by_id: int = 0
    found_by_listing: int = 0
    lost: int = 0
    create_errors: dict[str, int] = field(default_factory=dict)
    create_rps: float = 0.0
    retrieve_rps: float = 0.0
    list_seconds: float = 0.0
    # the server's CPU time per request: steadier than rates on a shared machine
    create_cpu_ms: float = 0.0
    retrieve_cpu_ms: float = 0.0


# -- chat completions -------------------------------------------------------------------------


async def create_chat_completion(session: aiohttp.ClientSession, base_url: str, i: int, tag: dict[str, str]) -> str:
    """A stored chat completion, streamed when ``i`` is odd; the id its client saw."""
    stream = i % 2 == 1
    body = {
        "model": CHAT_MODEL,
        "messages": [{"role": "user", "content": f"stored completion {i}"}],
        "store": True,
        "metadata": tag,
        "stream": stream,
    }
    async with session.post(base_url + "/chat/completions", json=body) as response:
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        if not stream:
            return str((await response.json())["id"])
        completion_id, last = None, b""
        async for line in response.content:
            if line.startswith(b"data:"):
                last = line.rstrip()
                if completion_id is None:
                    completion_id = json.loads(line[5:])["id"]
        if last != b"data: [DONE]" or completion_id is None:
            raise RuntimeError("stream did not end with data: [DONE]")
        return str(completion_id)


async def retrieve_chat_completion(session: aiohttp.ClientSession, base_url: str, completion_id: str) -> bool:
    async with session.get(f"{base_url}/chat/completions/{completion_id}") as response:
        return response.status == 200 and (await response.json())["id"] == completion_id


async def list_chat_completion_ids(session: aiohttp.ClientSession, base_url: str, tag: dict[str, str]) -> list[str]:
    ids: list[str] = []
    params = {"limit": str(PAGE), **{f"metadata[{key}]": value for key, value in tag.items()}}
    while True:
        async with session.get(base_url + "/chat/completions", params=params) as response:
            response.raise_for_status()
            page = await response.json()
        ids += [item["id"] for item in page["data"]]
        if not page["has_more"]:
            return ids
        params["after"] = page["last_id"]


CHAT_COMPLETIONS = Kind("chat_completions", create_chat_completion, retrieve_chat_completion, list_chat_completion_ids)


# -- responses --------------------------------------------------------------------------------


async def create_response(session: aiohttp.ClientSession, base_url: str, i: int, tag: dict[str, str]) -> str:
    """A stored response, streamed when ``i`` is odd; the id its client saw once it completed."""
    stream = i % 2 == 1
    body = {"model": CHAT_MODEL, "input": f"stored response {i}", "store": True, "metadata": tag, "stream": stream}
    async with session.post(base_url + "/responses", json=body) as response:
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        if not stream:
            answer = await response.json()
            if answer["status"] != "completed":
                raise RuntimeError(f"response {answer['status']}")
            return str(answer["id"])
        last: dict[str, object] = {}
        async for line in response.content:
            if line.startswith(b"data:"):
                last = json.loads(line[5:])
        if last.get("type") != "response.completed":
            raise RuntimeError(f"stream ended with {last.get('type')}")
        return str(last["response"]["id"])  # type: ignore[index]


async def retrieve_response(session: aiohttp.ClientSession, base_url: str, response_id: str) -> bool:
    async with session.get(f"{base_url}/responses/{response_id}") as response:
        return response.status == 200 and (await response.json())["id"] == response_id


RESPONSES = Kind("responses", create_response, retrieve_response, None)
KINDS = {kind.name: kind for kind in [CHAT_COMPLETIONS, RESPONSES]}


# -- the run ------------------------------------------------------------------------------------


async def _bounded(concurrency: int, count: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Run ``one(i)`` for every ``i`` below ``count``, ``concurrency`` at a time; seconds taken."""
    todo = iter(range(count))

    async def worker() -> None:
        for i in todo:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def measure(
    kind: Kind, base_url: str, count: int, concurrency: int, server_cpu: Callable[[], float]
) -> KindResult:
    """Create ``count`` objects of ``kind`` at ``concurrency``, then look for every one.

    ``server_cpu`` gives the server's CPU seconds so far.
    """
    result = KindResult(kind.name, count)
    tag = {"store_load": uuid.uuid4().hex}
    created: list[str] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def create(i: int) -> None:
            try:
                created.append(await kind.create(session, base_url, i, tag))
            except (aiohttp.ClientError, TimeoutError, RuntimeError, ValueError, KeyError) as exc:
                name = str(exc) if isinstance(exc, RuntimeError) else type(exc).__name__
                result.create_errors[name] = result.create_errors.get(name, 0) + 1

        cpu = server_cpu()
        seconds = await _bounded(concurrency, count, create)
        result.created, result.create_rps = len(created), len(created) / seconds
        result.create_cpu_ms = (server_cpu() - cpu) * 1000 / count
        found: set[str] = set()

        async def retrieve(i: int) -> None:
            if await kind.retrieve(session, base_url, created[i]):
                found.add(created[i])

        cpu = server_cpu()
        seconds = await _bounded(concurrency, len(created), retrieve)
        result.found_by_id, result.retrieve_rps = len(found), len(created) / seconds
        result.retrieve_cpu_ms = (server_cpu() - cpu) * 1000 / max(len(created), 1)
        if kind.list_ids is None:
            result.lost = len(set(created) - found)
            return result
        started = time.perf_counter()
        listed = set(await kind.list_ids(session, base_url, tag))
        result.list_seconds = time.perf_counter() - started
    result.found_by_listing = len(listed & set(created))
    result.lost = len(set(created) - (found & listed))
    return result


def _server(workdir: Path, core: int, upstream: str, postgres: bool) -> tuple[ServerProcess, str]:
    """``plugstack run`` on the mock, its SQL store in ``workdir`` or PostgreSQL; the server and its /v1 URL."""
    config = plugstack_run_config(upstream)
    sqlstore = _POSTGRES_STORE if postgres else {"db_path": str(workdir / "sql.db")}
    config["storage"] = {"kvstore": {"db_path": str(workdir / "kv.db")}, "sqlstore": sqlstore}
    config_path = workdir / "plugstack-run.yaml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    server = ServerProcess(
        name="plugstack",
        command=[str(Path(sys.executable).parent / "plugstack"), "run", str(config_path), "--port", str(port)],
        ready_url=f"http://127.0.0.1:{port}/v1/models",
        core=core,
        log_path=workdir / "plugstack.log",
        env={"PLUGSTACK_HOME": str(workdir / "plugstack-home")},
    )
    return server, f"http://127.0.0.1:{port}/v1"


async def run(
    count: int,
    concurrency: int,
    *,
    workdir: Path,
    postgres_url: str | None = None,
    kinds: list[str] | None = None,
    loadgen_core: int = 0,
    server_core: int = 1,
) -> list[KindResult]:
    """Start the mock and the server, measure each kind, stop both."""
    mock = mock_target(workdir, loadgen_core)
    server, base_url = _server(workdir, server_core, mock.base_url.removesuffix("/v1"), postgres_url is not None)
    if postgres_url is not None:
        server.env = {**server.env, _POSTGRES_ENV: postgres_url}
    mock.server.start()
    try:
        server.start()
        try:
            kinds = kinds or list(KINDS)
            return [await measure(KINDS[name], base_url, count, concurrency, server.cpu_seconds) for name in kinds]
        finally:
            server.stop()
    finally:
        mock.server.stop()


def _report(results: list[KindResult], concurrency: int, store: str) -> str:
    lines = [f"stored objects at concurrency {concurrency} ({store})"]
    for r in results:
        listed = f"found by listing {r.found_by_listing}, " if KINDS[r.kind].list_ids else "(not listable), "
        lines.append(
            f"{r.kind}: created {r.created}/{r.requested}, found by id {r.found_by_id}, {listed}lost {r.lost}; "
            f"create {r.create_rps:.0f} req/s ({r.create_cpu_ms:.2f} server CPU ms each), "
            f"retrieve {r.retrieve_rps:.0f} req/s ({r.retrieve_cpu_ms:.2f} ms each), list all {r.list_seconds:.2f} s"
        )
        if r.create_errors:
            lines.append(f"  create errors: {r.create_errors}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="objects of each kind to create")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--postgres", metavar="URL", help="store in this PostgreSQL database instead of SQLite")
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only these kinds (default: all)")
    parser.add_argument("--loadgen-core", type=int, default=0, help="core for this process and the mock")
    parser.add_argument("--server-core", type=int, default=1, help="core for the plugstack server")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plugstack-store-load-") as workdir:
        results = asyncio.run(
            run(
                args.count,
                args.concurrency,
                workdir=Path(workdir),
                postgres_url=args.postgres,
                kinds=args.kind,
                loadgen_core=args.loadgen_core,
                server_core=args.server_core,
            )
        )
    print(_report(results, args.concurrency, "PostgreSQL" if args.postgres else "SQLite"))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    sys.exit(1 if any(r.lost or r.created < r.requested for r in results) else 0)


if __name__ == "__main__":
    main()
