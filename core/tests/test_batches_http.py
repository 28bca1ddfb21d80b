"""Batches over HTTP through the official openai SDK, and a server killed mid-batch and restarted.

A real uvicorn server on 127.0.0.1 serves ``inline::echo`` and ``inline::localfs`` files.
Where a test needs a batch caught mid-way, a ``plugstack_api_call`` wrapper makes each
inference call slower (echo's ``delay_seconds`` slows only streamed chunks).

The restart test runs ``plugstack run`` in a subprocess (echo and localfs registered in
the process-wide plugin host, as ``test_server_cli.py`` does), SIGKILLs it in the middle
of a slow batch, starts it again on the same state and checks the output file answers
every request exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import plugstack_localfs
import pytest
from openai.types import Batch

import plugstack
from plugstack.api_call import ApiCall
from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.ports import free_port

CHAT = "/v1/chat/completions"


class SlowInference:
    """Makes each inference call take ``delay`` seconds longer."""

    delay = 0.0

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        inner = yield

        async def slowed() -> Any:
            result = await inner
            if call.api == "inference":
                await asyncio.sleep(self.delay)
            return result

        return slowed()


@pytest.fixture(scope="module")
def slow() -> SlowInference:
    return SlowInference()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, slow: SlowInference) -> Iterator[openai.OpenAI]:
    tmp: Path = tmp_path_factory.mktemp("batches-http")
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_localfs, name="localfs")
    assert host.register(slow, name="slow")
    config = {
        "distribution_name": "batches-http",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "files": [
                {"provider_id": "localfs", "provider_type": "inline::localfs", "config": {"storage_dir": str(tmp)}}
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp / "kv.db")}, "sqlstore": {"db_path": str(tmp / "sql.db")}},
    }
    with BackgroundServer(config, host=host) as server:
        with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as sdk:
            yield sdk


def chat_jsonl(count: int, prefix: str = "req") -> bytes:
    lines = [
        json.dumps(
            {
                "custom_id": f"{prefix}-{i}",
                "method": "POST",
                "url": CHAT,
                "body": {"model": "echo-1", "messages": [{"role": "user", "content": f"say {i}"}]},
            }
        )
        for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def upload(client: openai.OpenAI, content: bytes, purpose: Any = "batch") -> str:
    return client.files.create(file=("input.jsonl", content), purpose=purpose).id


def create(client: openai.OpenAI, content: bytes) -> Batch:
    return client.batches.create(input_file_id=upload(client, content), endpoint=CHAT, completion_window="24h")


def wait_for(client: openai.OpenAI, batch_id: str, *statuses: str, completed: int | None = None) -> Batch:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        batch = client.batches.retrieve(batch_id)
        done = batch.request_counts.completed if batch.request_counts else 0
        if batch.status in statuses or (completed is not None and done >= completed):
            return batch
        time.sleep(0.02)
    raise AssertionError(f"batch {batch_id} is still {batch.status}")


def jsonl(content: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in content.splitlines()]


def test_the_sdk_creates_a_batch_and_reads_its_output(client: openai.OpenAI) -> None:
    content = chat_jsonl(30) + b"{broken\n"
    created = client.batches.create(
        input_file_id=upload(client, content), endpoint=CHAT, completion_window="24h", metadata={"run": "http"}
    )
    assert isinstance(created, Batch) and created.status == "validating" and created.metadata == {"run": "http"}
    batch = wait_for(client, created.id, "completed", "failed")
    assert batch.status == "completed" and batch.request_counts is not None
    assert (batch.request_counts.completed, batch.request_counts.failed, batch.request_counts.total) == (30, 1, 31)
    assert batch.output_file_id and batch.error_file_id and batch.completed_at

    output = jsonl(client.files.content(batch.output_file_id).text)
    assert [line["custom_id"] for line in output] == [f"req-{i}" for i in range(30)]
    assert output[7]["response"]["body"]["choices"][0]["message"]["content"] == "say 7"
    (error,) = jsonl(client.files.content(batch.error_file_id).text)
    assert error["error"]["line"] == 31 and error["error"]["code"] == "invalid_json_line"
    assert client.files.retrieve(batch.output_file_id).purpose == "batch_output"


def test_refusals_are_openai_errors_naming_the_field(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="input file 'file-missing' not found"):
        client.batches.create(input_file_id="file-missing", endpoint=CHAT, completion_window="24h")
    assistants = upload(client, chat_jsonl(1), purpose="assistants")
    with pytest.raises(openai.BadRequestError, match="must have purpose 'batch'") as purpose:
        client.batches.create(input_file_id=assistants, endpoint=CHAT, completion_window="24h")
    assert purpose.value.body["param"] == "input_file_id"  # type: ignore[index]
    batch_file = upload(client, chat_jsonl(1))
    with pytest.raises(openai.BadRequestError, match="'/v1/responses' is not supported") as endpoint:
        client.batches.create(input_file_id=batch_file, endpoint="/v1/responses", completion_window="24h")
    assert endpoint.value.body["param"] == "endpoint"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError, match="batch 'batch_nope' not found"):
        client.batches.retrieve("batch_nope")
    with pytest.raises(openai.NotFoundError):
        client.batches.cancel("batch_nope")
    with pytest.raises(openai.BadRequestError, match="limit"):
        client.batches.list(limit=1000)


def test_cancel_mid_way_and_a_finished_batch_cannot_be_cancelled(client: openai.OpenAI, slow: SlowInference) -> None:
    slow.delay = 0.05
    try:
        created = create(client, chat_jsonl(200, prefix="cancel"))
        wait_for(client, created.id, completed=8)
        assert client.batches.cancel(created.id).status in ("cancelling", "cancelled")
        batch = wait_for(client, created.id, "cancelled")
    finally:
        slow.delay = 0.0
    assert batch.cancelled_at and batch.request_counts is not None and batch.request_counts.completed < 200
    answered = jsonl(client.files.content(batch.output_file_id).text) if batch.output_file_id else []
    never_ran = jsonl(client.files.content(batch.error_file_id).text) if batch.error_file_id else []
    assert len(answered) == batch.request_counts.completed
    assert sorted(line["custom_id"] for line in answered + never_ran) == sorted(f"cancel-{i}" for i in range(200))
    with pytest.raises(openai.ConflictError, match="is cancelled"):
        client.batches.cancel(created.id)


def test_list_pages_with_the_sdk(client: openai.OpenAI) -> None:
    ids = [create(client, chat_jsonl(1, prefix=f"page{n}")).id for n in range(3)]
    first = client.batches.list(limit=2)
    assert [b.id for b in first.data] == [ids[2], ids[1]] and first.has_more
    second = client.batches.list(limit=2, after=first.data[-1].id)
    assert second.data[0].id == ids[0]
    every = [b.id for b in client.batches.list(limit=2)]  # the SDK's auto-paging follows ``after``
    assert every[:3] == list(reversed(ids)) and len(every) == len(set(every))


RUN_CLI = """
import asyncio, os, sys
import plugstack, plugstack_localfs
from plugstack.cli import main
from plugstack.plugins import get_plugin_host
from plugstack.testing.echo import EchoPlugin

class Slow:
    # each inference call takes BATCH_TEST_DELAY seconds; its text is appended to BATCH_TEST_ASKED
    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call):
        inner = yield
        async def slowed():
            if call.api == "inference":
                with open(os.environ["BATCH_TEST_ASKED"], "a") as asked:
                    asked.write(call.params["request"].messages[-1].content + "\\n")
            result = await inner
            if call.api == "inference":
                await asyncio.sleep(float(os.environ["BATCH_TEST_DELAY"]))
            return result
        return slowed()

host = get_plugin_host()
host.register(EchoPlugin(), name="echo")
host.register(plugstack_localfs, name="localfs")
host.register(Slow(), name="slow")
sys.exit(main(sys.argv[1:]))
"""

RUN_YAML = """
distribution_name: batches-restart
providers:
  inference:
    - provider_id: echo
      provider_type: inline::echo
  files:
    - provider_id: localfs
      provider_type: inline::localfs
      config:
        storage_dir: {state}/files
storage:
  kvstore:
    db_path: {state}/kv.db
  sqlstore:
    db_path: {state}/sql.db
"""


def serve(run_yaml: Path, port: int, asked: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PLUGSTACK_DISABLE_PLUGIN_AUTOLOAD": "1",
        "BATCH_TEST_DELAY": "0.1",
        "BATCH_TEST_ASKED": str(asked),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "run", str(run_yaml), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"plugstack run exited with {process.returncode}:\n{process.communicate()[0]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"plugstack run did not answer within 30 s:\n{process.communicate()[0]}")


@pytest.mark.slow
def test_a_server_killed_mid_batch_finishes_it_after_a_restart_one_output_line_per_request(tmp_path: Path) -> None:
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(RUN_YAML.replace("{state}", str(tmp_path)))
    asked = tmp_path / "asked.txt"
    port = free_port()
    total = 100  # 8 at a time, 0.1 s each: about 1.3 s of work
    process = serve(run_yaml, port, asked)
    try:
        with openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0) as client:
            batch_id = create(client, chat_jsonl(total)).id
            killed_at = wait_for(client, batch_id, "completed", completed=24)
            assert killed_at.status == "in_progress"
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    asked_before_kill = asked.read_text().splitlines()
    assert len(asked_before_kill) < total

    process = serve(run_yaml, port, asked)
    try:
        with openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0) as client:
            batch = wait_for(client, batch_id, "completed", "failed", "cancelled", "expired")
            assert batch.status == "completed" and batch.request_counts is not None
            assert (batch.request_counts.completed, batch.request_counts.failed) == (total, 0)
            assert batch.error_file_id is None and batch.output_file_id
            output = jsonl(client.files.content(batch.output_file_id).text)
    finally:
        process.send_signal(signal.SIGTERM)
        log, _ = process.communicate(timeout=30)
    assert f"resuming batch {batch_id} (in_progress)" in log
    custom_ids = [line["custom_id"] for line in output]
    assert custom_ids == [f"req-{i}" for i in range(total)]  # one each, none missing, in input order
    for i, line in enumerate(output):
        assert line["response"]["body"]["choices"][0]["message"]["content"] == f"say {i}"
    # after the restart only what had no stored result ran again: what was in flight at the kill
    # (8 at most) and what had answered but was not committed yet (8 at most at this pace)
    asked_in_all = asked.read_text().splitlines()
    assert set(asked_in_all) == {f"say {i}" for i in range(total)}
    assert len(asked_in_all) <= total + 16
