"""Configuration of ``remote::s3``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from plugstack.run_config import StoreConfig

__all__ = ["S3FilesConfig"]


class S3FilesConfig(BaseModel):
    """Objects go to ``s3://<bucket>/<prefix><file id>``.

    Credentials left empty come from boto3's usual chain (environment, profile, instance
    role). ``endpoint_url`` points at an S3-compatible server (MinIO, Ceph, moto).
    ``metadata_store`` holds the file records; by default SQLite under ``$PLUGSTACK_HOME``.
    """

    model_config = ConfigDict(extra="forbid")

    bucket: str = Field(min_length=3)
    prefix: str = "plugstack/files/"
    region: str | None = None
    endpoint_url: str | None = None
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    create_bucket: bool = Field(default=False, description="create the bucket at start-up if it does not exist")
    metadata_store: StoreConfig | None = None
    max_file_size_bytes: int = Field(default=512 * 1024 * 1024, ge=1)

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"bucket": "${env.PLUGSTACK_S3_BUCKET}", "region": "${env.AWS_REGION:=us-east-1}"}
