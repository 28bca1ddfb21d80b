"""``remote::s3`` against moto's S3 server on 127.0.0.1 (a real HTTP S3 API; no AWS account here).

boto3 talks HTTP to the server exactly as it would to AWS; only the far end is an emulator.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import plugstack_s3
import pytest
from moto.server import ThreadedMotoServer

from plugstack.errors import BadRequestError, NotFoundError, ProviderError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack

CREDENTIALS = {"aws_access_key_id": "testing-key-id", "aws_secret_access_key": "testing-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def config(tmp_path: Path, endpoint: str, bucket: str, **extra: Any) -> dict[str, Any]:
    s3 = {
        "bucket": bucket,
        "region": "us-east-1",
        "endpoint_url": endpoint,
        "create_bucket": True,
        "metadata_store": {"db_path": str(tmp_path / "records.db")},
        **CREDENTIALS,
        **extra,
    }
    return {
        "distribution_name": "s3-test",
        "providers": {"files": [{"provider_id": "s3", "provider_type": "remote::s3", "config": s3}]},
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }


@pytest.fixture
async def stack(tmp_path: Path, s3_endpoint: str, request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    host = new_plugin_host()
    assert host.register(plugstack_s3, name="s3")
    bucket = f"bucket-{request.node.name.replace('_', '-')[:40].lower()}"
    async with await Stack.from_config(config(tmp_path, s3_endpoint, bucket, max_file_size_bytes=64), host=host) as s:
        yield s


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


async def test_round_trip_through_the_bucket(stack: Stack, s3_endpoint: str) -> None:
    bucket = stack.files.providers["s3"].config.bucket
    created = await stack.files.create_file(b"stored in s3", "s3.txt", "assistants")
    assert bucket_keys(s3_endpoint, bucket) == [f"plugstack/files/{created.id}"]
    assert await stack.files.retrieve_file(created.id) == created
    assert await stack.files.file_content(created.id) == b"stored in s3"
    assert [f.id for f in (await stack.files.list_files()).data] == [created.id]
    await stack.files.delete_file(created.id)
    assert bucket_keys(s3_endpoint, bucket) == []
    with pytest.raises(NotFoundError):
        await stack.files.file_content(created.id)


async def test_size_limit_and_health(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="the limit is 64 bytes"):
        await stack.files.create_file(b"x" * 65, "big.bin", "assistants")
    [report] = await stack.provider_health()
    assert report["health"] == {"status": "OK"}


async def test_errors_name_no_secret(tmp_path: Path, s3_endpoint: str) -> None:
    host = new_plugin_host()
    assert host.register(plugstack_s3, name="s3")
    missing = config(tmp_path, s3_endpoint, "no-such-bucket", create_bucket=False)
    async with await Stack.from_config(missing, host=host) as stack:
        [report] = await stack.provider_health()
        assert report["health"]["status"] == "Error" and "head_bucket" in report["health"]["message"]
        with pytest.raises(ProviderError, match="NoSuchBucket") as info:
            await stack.files.create_file(b"x", "a.txt", "assistants")
        assert info.value.status_code == 404
        assert CREDENTIALS["aws_secret_access_key"] not in str(info.value)


async def test_two_s3_providers_name_their_own_provider_id_in_errors(tmp_path: Path, s3_endpoint: str) -> None:
    """Two ``remote::s3`` entries of one run config, both on missing buckets: each error says which one failed."""
    host = new_plugin_host()
    assert host.register(plugstack_s3, name="s3")
    run_config = config(tmp_path, s3_endpoint, "unused")
    run_config["providers"]["files"] = [
        {
            "provider_id": provider_id,
            "provider_type": "remote::s3",
            "config": {
                "bucket": f"no-such-bucket-{provider_id}",
                "region": "us-east-1",
                "endpoint_url": s3_endpoint,
                "metadata_store": {"db_path": str(tmp_path / f"{provider_id}.db")},
                **CREDENTIALS,
            },
        }
        for provider_id in ("s3-archive", "s3-uploads")
    ]
    async with await Stack.from_config(run_config, host=host) as stack:
        providers = {instance.provider_id: instance.impl for instance in stack.providers}
        for provider_id in ("s3-archive", "s3-uploads"):
            with pytest.raises(ProviderError, match="NoSuchBucket") as info:
                await providers[provider_id].create_file(b"x", "a.txt", "assistants")
            assert info.value.provider_id == provider_id and info.value.status_code == 404
            assert f"provider {provider_id!r}" in info.value.message
