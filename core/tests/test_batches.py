"""Batches in library mode: ``stack.batches`` over ``inline::echo`` and ``inline::localfs`` files.

Requests are slowed, where a test needs a batch caught mid-way, by a ``plugstack_api_call``
wrapper that sleeps before each inference call (echo's own ``delay_seconds`` slows only
streamed chunks, and batch requests never stream); it also records which requests ran.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Generator
from pathlib import Path
from typing import Any

import plugstack_localfs
import pytest

import plugstack
from plugstack.api_call import ApiCall
from plugstack.apis.batches import Batch
from plugstack.apis.batches.records import BatchRecords
from plugstack.errors import BadRequestError, ConflictError, NotFoundError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.run_config import StoreConfig
from plugstack.stack import Stack
from plugstack.storage import SqlStore, create_engine_for
from plugstack.testing.echo import EchoPlugin

CHAT = "/v1/chat/completions"
EMBEDDINGS = "/v1/embeddings"


class SlowInference:
    """Makes each inference call take ``delay`` seconds longer; records the texts it was asked."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.asked: list[str] = []

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        inner = yield

        async def slowed() -> Any:
            if call.api == "inference":
                request = call.params["request"]
                self.asked.append(
                    str(request.messages[-1].content if call.method == "chat_completion" else request.input)
                )
            result = await inner
            await asyncio.sleep(self.delay)
            return result

        return slowed()


@pytest.fixture
def slow() -> SlowInference:
    return SlowInference()


@pytest.fixture
def batch_host(slow: SlowInference) -> PluginHost:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_localfs, name="localfs")
    assert host.register(slow, name="slow")
    return host


def batch_config(tmp_path: Path, sqlstore: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "distribution_name": "batches-test",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp_path / "files")},
                }
            ],
        },
        "storage": {
            "kvstore": {"db_path": str(tmp_path / "kv.db")},
            "sqlstore": sqlstore or {"db_path": str(tmp_path / "sql.db")},
        },
    }


@pytest.fixture
async def stack(batch_host: PluginHost, tmp_path: Path) -> AsyncIterator[Stack]:
    async with await Stack.from_config(batch_config(tmp_path), host=batch_host) as started:
        yield started


def chat_line(custom_id: str, text: str, model: str = "echo-1") -> str:
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": CHAT, "body": body})


def chat_lines(count: int) -> list[str]:
    return [chat_line(f"req-{i}", f"question number {i}") for i in range(count)]


async def upload(stack: Stack, lines: list[str], purpose: str = "batch") -> str:
    return (await stack.files.create_file("\n".join(lines).encode() + b"\n", "input.jsonl", purpose)).id


async def start(stack: Stack, lines: list[str], endpoint: str = CHAT, **extra: Any) -> Batch:
    file_id = await upload(stack, lines)
    batch: Batch = await stack.batches.create_batch(
        input_file_id=file_id, endpoint=endpoint, completion_window="24h", **extra
    )
    return batch


async def wait_for(stack: Stack, batch_id: str, *statuses: str, completed: int | None = None) -> Batch:
    """The batch once its status is one of ``statuses`` (or ``completed`` requests are done)."""
    for _ in range(1000):
        batch: Batch = await stack.batches.retrieve_batch(batch_id)
        if batch.status in statuses or (completed is not None and batch.request_counts.completed >= completed):
            return batch
        await asyncio.sleep(0.01)
    raise AssertionError(f"batch {batch_id} is still {batch.status}: {batch.request_counts}")


async def jsonl(stack: Stack, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [json.loads(line) for line in (await stack.files.file_content(file_id)).decode().splitlines()]


async def test_a_100_line_batch_completes_with_one_output_line_per_request(stack: Stack) -> None:
    created = await start(stack, chat_lines(100), metadata={"job": "nightly"})
    assert (created.status, created.object, created.endpoint, created.metadata) == (
        "validating",
        "batch",
        CHAT,
        {"job": "nightly"},
    )
    assert created.expires_at == created.created_at + 24 * 3600
    batch = await wait_for(stack, created.id, "completed", "failed")
    assert batch.status == "completed", batch.errors
    assert batch.request_counts.model_dump() == {"completed": 100, "failed": 0, "total": 100}
    assert batch.error_file_id is None and batch.model == "echo-1"
    assert batch.in_progress_at and batch.finalizing_at and batch.completed_at
    assert batch.usage is not None and batch.usage.input_tokens == 300 and batch.usage.total_tokens == 600

    output = await jsonl(stack, batch.output_file_id)
    assert [line["custom_id"] for line in output] == [f"req-{i}" for i in range(100)]  # input order, 1:1
    for i, line in enumerate(output):
        assert line["error"] is None and line["id"].startswith("batch_req_")
        assert line["response"]["status_code"] == 200 and line["response"]["request_id"]
        body = line["response"]["body"]
        assert body["object"] == "chat.completion" and body["model"] == "echo-1"
        assert body["choices"][0]["message"]["content"] == f"question number {i}"
    assert len({line["id"] for line in output}) == 100
    output_file = await stack.files.retrieve_file(batch.output_file_id)
    assert output_file.purpose == "batch_output" and output_file.filename == f"batch_{batch.id}_output.jsonl"


async def test_an_embeddings_batch(stack: Stack) -> None:
    lines = [
        json.dumps(
            {
                "custom_id": f"e{i}",
                "method": "POST",
                "url": EMBEDDINGS,
                "body": {"model": "echo-embed", "input": [f"text {i}", "more"]},
            }
        )
        for i in range(5)
    ]
    batch = await wait_for(stack, (await start(stack, lines, EMBEDDINGS)).id, "completed", "failed")
    assert batch.status == "completed" and batch.request_counts.completed == 5
    output = await jsonl(stack, batch.output_file_id)
    assert [line["custom_id"] for line in output] == [f"e{i}" for i in range(5)]
    body = output[0]["response"]["body"]
    assert body["object"] == "list" and [len(item["embedding"]) for item in body["data"]] == [8, 8]
    direct = await stack.inference.embeddings(model="echo-embed", input=["text 0", "more"])
    assert body["data"][0]["embedding"] == direct.data[0].embedding


async def test_malformed_lines_go_to_the_error_file_naming_the_line_and_the_rest_completes(stack: Stack) -> None:
    lines = [
        chat_line("ok-1", "first"),
        "{not json",
        json.dumps({"method": "POST", "url": CHAT, "body": {}}),
        chat_line("ok-1", "the same custom_id again"),
        json.dumps(
            {
                "custom_id": "wrong-url",
                "method": "POST",
                "url": EMBEDDINGS,
                "body": {"model": "echo-embed", "input": "x"},
            }
        ),
        json.dumps({"custom_id": "no-messages", "method": "POST", "url": CHAT, "body": {"model": "echo-1"}}),
        json.dumps(
            {
                "custom_id": "streams",
                "method": "POST",
                "url": CHAT,
                "body": {"model": "echo-1", "messages": [{"role": "user", "content": "x"}], "stream": True},
            }
        ),
        chat_line("unknown-model", "hello", model="no-such-model"),
        chat_line("ok-2", "last"),
    ]
    batch = await wait_for(stack, (await start(stack, lines)).id, "completed", "failed")
    assert batch.status == "completed"
    assert batch.request_counts.model_dump() == {"completed": 2, "failed": 7, "total": 9}
    assert [line["custom_id"] for line in await jsonl(stack, batch.output_file_id)] == ["ok-1", "ok-2"]

    errors = await jsonl(stack, batch.error_file_id)
    refused = {line["error"]["line"]: line["error"] for line in errors if line["error"]}
    assert sorted(refused) == [2, 3, 4, 5, 6, 7]
    assert refused[2]["code"] == "invalid_json_line" and refused[2]["message"].startswith("line 2: not valid JSON")
    assert refused[3]["code"] == "missing_custom_id" and refused[3]["param"] == "custom_id"
    assert refused[4]["code"] == "duplicate_custom_id" and "'ok-1' is used by an earlier line" in refused[4]["message"]
    assert (
        refused[5]["code"] == "mismatched_url"
        and "'/v1/embeddings' is not the batch's endpoint" in refused[5]["message"]
    )
    assert refused[6]["param"] == "body.messages" and "line 6: body: invalid request: messages" in refused[6]["message"]
    assert refused[7]["param"] == "body.stream"
    (failed,) = [line for line in errors if line["response"] is not None]  # ran, and the router answered 404
    assert failed["custom_id"] == "unknown-model" and failed["error"] is None
    assert failed["response"]["status_code"] == 404
    assert failed["response"]["body"]["error"]["type"] == "not_found_error"
    assert "no-such-model" in failed["response"]["body"]["error"]["message"]


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"\xff\xfe not utf-8", "invalid_file"), (b"{bad\n[]\n", "invalid_json_line"), (b"\n \n", "empty_file")],
)
async def test_an_input_that_cannot_be_a_batch_fails_it_with_errors(stack: Stack, content: bytes, code: str) -> None:
    file = await stack.files.create_file(content, "bad.jsonl", "batch")
    created = await stack.batches.create_batch(input_file_id=file.id, endpoint=CHAT, completion_window="24h")
    batch = await wait_for(stack, created.id, "completed", "failed")
    assert batch.status == "failed" and batch.failed_at and batch.output_file_id is None
    assert batch.errors is not None and batch.errors.data[0].code == code


async def test_bad_create_requests_are_refused_naming_the_field(stack: Stack) -> None:
    batch_file = await upload(stack, chat_lines(1))
    other_file = await upload(stack, chat_lines(1), purpose="assistants")
    with pytest.raises(NotFoundError, match="input file 'file-nope' not found") as not_found:
        await stack.batches.create_batch(input_file_id="file-nope", endpoint=CHAT, completion_window="24h")
    assert not_found.value.param == "input_file_id"
    with pytest.raises(
        BadRequestError, match="has purpose 'assistants'; a batch's input file must have purpose 'batch'"
    ):
        await stack.batches.create_batch(input_file_id=other_file, endpoint=CHAT, completion_window="24h")
    with pytest.raises(
        BadRequestError, match=r"'/v1/completions' is not supported; .* /v1/chat/completions and /v1/embeddings"
    ) as endpoint:
        await stack.batches.create_batch(input_file_id=batch_file, endpoint="/v1/completions", completion_window="24h")
    assert endpoint.value.param == "endpoint"
    with pytest.raises(BadRequestError, match="completion_window") as window:
        await stack.batches.create_batch(input_file_id=batch_file, endpoint=CHAT, completion_window="1h")
    assert window.value.param == "completion_window"
    with pytest.raises(BadRequestError, match="metadata"):
        await stack.batches.create_batch(
            input_file_id=batch_file, endpoint=CHAT, completion_window="24h", metadata={"k" * 65: "v"}
        )
    with pytest.raises(NotImplementedByProviderError, match="output_expires_after"):
        await stack.batches.create_batch(
            input_file_id=batch_file,
            endpoint=CHAT,
            completion_window="24h",
            output_expires_after={"anchor": "created_at", "seconds": 3600},
        )
    with pytest.raises(NotFoundError, match="batch 'batch_nope' not found"):
        await stack.batches.retrieve_batch("batch_nope")
    assert (await stack.batches.list_batches()).data == []  # nothing refused was stored


async def test_cancel_mid_way_keeps_the_results_so_far(stack: Stack, slow: SlowInference) -> None:
    slow.delay = 0.05
    created = await start(stack, chat_lines(200))
    await wait_for(stack, created.id, completed=16)
    cancelling = await stack.batches.cancel_batch(created.id)
    assert cancelling.status in ("cancelling", "cancelled") and cancelling.cancelling_at
    batch = await wait_for(stack, created.id, "cancelled")
    assert batch.cancelled_at and batch.completed_at is None
    done = batch.request_counts.completed
    assert 16 <= done < 200 and batch.request_counts.total == 200
    assert len(slow.asked) < 200  # it stopped asking

    output = await jsonl(stack, batch.output_file_id)
    errors = await jsonl(stack, batch.error_file_id)
    assert len(output) == done
    assert {line["error"]["code"] for line in errors} == {"batch_cancelled"}
    # every request once: answered, or marked as never run
    assert sorted(line["custom_id"] for line in output + errors) == sorted(f"req-{i}" for i in range(200))

    with pytest.raises(ConflictError, match="is cancelled; only a validating or in_progress batch can be cancelled"):
        await stack.batches.cancel_batch(created.id)


async def test_list_pages_newest_first(stack: Stack) -> None:
    ids = [(await start(stack, chat_lines(1))).id for _ in range(5)]
    for batch_id in ids:
        await wait_for(stack, batch_id, "completed")
    newest_first = list(reversed(ids))
    first = await stack.batches.list_batches(limit=2)
    assert [b.id for b in first.data] == newest_first[:2] and first.has_more
    assert (first.first_id, first.last_id) == (newest_first[0], newest_first[1])
    rest = await stack.batches.list_batches(after=first.last_id, limit=10)
    assert [b.id for b in rest.data] == newest_first[2:] and not rest.has_more
    assert all(b.status == "completed" for b in rest.data)
    with pytest.raises(BadRequestError, match="limit must be between 1 and 100"):
        await stack.batches.list_batches(limit=0)


async def test_a_restart_resumes_only_the_requests_not_yet_done(
    batch_host: PluginHost, slow: SlowInference, tmp_path: Path
) -> None:
    slow.delay = 0.05
    config = batch_config(tmp_path)
    async with await Stack.from_config(config, host=batch_host) as stack:
        batch_id = (await start(stack, chat_lines(80))).id
        before = await wait_for(stack, batch_id, completed=20)
        assert before.status == "in_progress"
    asked_before_stop = len(slow.asked)

    async with await Stack.from_config(config, host=batch_host) as stack:
        batch = await wait_for(stack, batch_id, "completed", "failed")
        assert batch.status == "completed" and batch.request_counts.completed == 80
        output = await jsonl(stack, batch.output_file_id)
    assert [line["custom_id"] for line in output] == [f"req-{i}" for i in range(80)]
    # the stop committed every answer, so the second run asked only the rest: again at most
    # the 8 that were in flight when the stack stopped
    asked_again = len(slow.asked) - asked_before_stop
    assert 80 - asked_before_stop <= asked_again <= 80 - 20
    assert len(slow.asked) <= 80 + 8


async def sql_records(tmp_path: Path) -> tuple[BatchRecords, Any]:
    """The batch records of a stopped stack, read as the router stores them."""
    engine = create_engine_for(StoreConfig(db_path=str(tmp_path / "sql.db")), tmp_path / "unused.db")
    records = BatchRecords(SqlStore(engine))
    await records.initialize()
    return records, engine


async def test_a_batch_left_cancelling_is_finished_as_cancelled_and_one_past_its_window_expires(
    batch_host: PluginHost, slow: SlowInference, tmp_path: Path
) -> None:
    slow.delay = 0.05
    config = batch_config(tmp_path)
    async with await Stack.from_config(config, host=batch_host) as stack:
        cancelling = (await start(stack, chat_lines(60))).id
        expiring = (await start(stack, chat_lines(60))).id
        await wait_for(stack, expiring, completed=8)
    records, engine = await sql_records(tmp_path)
    await records.update(cancelling, {"status": "cancelling", "cancelling_at": 1})  # as a crash would leave it
    await records.update(expiring, {"expires_at": 1})
    await engine.dispose()

    async with await Stack.from_config(config, host=batch_host) as stack:
        cancelled = await wait_for(stack, cancelling, "cancelled", "completed", "failed")
        expired = await wait_for(stack, expiring, "expired", "completed", "failed")
        assert cancelled.status == "cancelled" and expired.status == "expired" and expired.expired_at
        for batch, code in ((cancelled, "batch_cancelled"), (expired, "batch_expired")):
            output = await jsonl(stack, batch.output_file_id)
            errors = await jsonl(stack, batch.error_file_id)
            assert len(output) == batch.request_counts.completed
            assert {line["error"]["code"] for line in errors} == {code}
            assert sorted(line["custom_id"] for line in output + errors) == sorted(f"req-{i}" for i in range(60))
        assert expired.request_counts.completed >= 8


@pytest.mark.postgres
async def test_a_batch_on_postgresql(batch_host: PluginHost, tmp_path: Path, postgres_url: str) -> None:
    config = batch_config(tmp_path, sqlstore={"type": "postgres", "url": postgres_url})
    async with await Stack.from_config(config, host=batch_host) as stack:
        lines = [*chat_lines(20), "not json"]
        batch = await wait_for(stack, (await start(stack, lines)).id, "completed", "failed")
        assert batch.status == "completed"
        assert batch.request_counts.model_dump() == {"completed": 20, "failed": 1, "total": 21}
        assert [line["custom_id"] for line in await jsonl(stack, batch.output_file_id)] == [
            f"req-{i}" for i in range(20)
        ]
        assert (await stack.batches.list_batches(limit=100)).data[0].id == batch.id


async def test_the_api_is_off_without_a_files_provider(
    host: PluginHost, echo_config: dict[str, Any], tmp_path: Path
) -> None:
    echo_config["storage"] = {"kvstore": {"db_path": str(tmp_path / "kv.db")}}
    async with await Stack.from_config(echo_config, host=host) as stack:
        with pytest.raises(
            NotImplementedByProviderError, match=r"does not enable the batches API.*needs files, inference"
        ):
            await stack.batches.list_batches()
