"""The ``remote::s3`` provider: boto3 for the contents, :class:`FileMetadataStore` for the records.

The object is written before its record, and the record deleted before its object, so a
failure half-way leaves at worst an unlisted object, never a listed file without content.
boto3 is synchronous: each call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from plugstack.apis.files import FileList, FileObject
from plugstack.apis.files.metadata_store import FileMetadataStore, check_file_size
from plugstack.errors import ConfigError, ProviderError
from plugstack.provider_context import ProviderContext
from plugstack.run_config import StoreConfig, plugstack_home
from plugstack.storage import SqlStore, create_engine_for
from plugstack_s3.config import S3FilesConfig

__all__ = ["S3Files", "create_provider"]


def create_provider(config: S3FilesConfig, context: ProviderContext) -> S3Files:
    return S3Files(config, provider_id=context.provider_id)


class S3Files:
    """``provider_id`` is the provider's id in the run config; its errors name it."""

    def __init__(self, config: S3FilesConfig, *, provider_id: str) -> None:
        self.config = config
        self.provider_id = provider_id
        secret = config.aws_secret_access_key
        key_id = config.aws_access_key_id
        self.client = boto3.session.Session().client(
            "s3",
            region_name=config.region,
            endpoint_url=config.endpoint_url,
            aws_access_key_id=key_id.get_secret_value() if key_id else None,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )
        self._engine: Any = None
        self._records: FileMetadataStore | None = None

    async def initialize(self) -> None:
        default = plugstack_home() / "files" / f"s3-{self.config.bucket}.db"
        self._engine = create_engine_for(self.config.metadata_store or StoreConfig(), default)
        self._records = FileMetadataStore(SqlStore(self._engine), "s3_files")
        await self._records.initialize()
        if self.config.create_bucket:
            await self._ensure_bucket()

    async def shutdown(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self.client.close()

    async def health(self) -> dict[str, Any]:
        try:
            await self._s3("head_bucket", Bucket=self.config.bucket)
        except ProviderError as exc:
            return {"status": "Error", "message": exc.message}
        return {"status": "OK"}

    async def create_file(self, content: bytes, filename: str, purpose: str) -> FileObject:
        check_file_size(filename, len(content), self.config.max_file_size_bytes)
        file = FileMetadataStore.new(filename, purpose, len(content))
        await self._s3("put_object", Bucket=self.config.bucket, Key=self._key(file.id), Body=content)
        await self.records.add(file)
        return file

    async def list_files(self, purpose: str | None = None, limit: int = 10000) -> FileList:
        return await self.records.list(purpose, limit)

    async def retrieve_file(self, file_id: str) -> FileObject:
        return await self.records.get(file_id)

    async def file_content(self, file_id: str) -> bytes:
        await self.records.get(file_id)
        response = await self._s3("get_object", Bucket=self.config.bucket, Key=self._key(file_id))
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body

    async def delete_file(self, file_id: str) -> None:
        await self.records.get(file_id)
        await self.records.remove(file_id)
        await self._s3("delete_object", Bucket=self.config.bucket, Key=self._key(file_id))

    @property
    def records(self) -> FileMetadataStore:
        if self._records is None:
            raise RuntimeError(f"provider {self.provider_id!r} (remote::s3) used before initialize()")
        return self._records

    def _key(self, file_id: str) -> str:
        return self.config.prefix + file_id

    async def _ensure_bucket(self) -> None:
        try:
            await self._s3("head_bucket", Bucket=self.config.bucket)
        except ProviderError as exc:
            if exc.status_code != 404:
                raise ConfigError(
                    f"provider {self.provider_id!r} (remote::s3): cannot use bucket {self.config.bucket!r}: {exc.message}"
                ) from None
            location = {}
            if self.config.region and self.config.region != "us-east-1":
                location = {"CreateBucketConfiguration": {"LocationConstraint": self.config.region}}
            await self._s3("create_bucket", Bucket=self.config.bucket, **location)

    async def _s3(self, operation: str, **params: Any) -> Any:
        """One boto3 call in a worker thread; its failures as :class:`ProviderError`."""
        try:
            return await asyncio.to_thread(getattr(self.client, operation), **params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 502)
            message = f"S3 {operation} failed: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
            raise ProviderError(message, provider_id=self.provider_id, status_code=status) from None
        except BotoCoreError as exc:
            raise ProviderError(f"S3 {operation} failed: {exc}", provider_id=self.provider_id) from None
