"""Files: upload, list, read and delete files (OpenAI ``/v1/files``).

Shape only so far: the types and the provider Protocol that a files provider
(``inline::localfs``, ``remote::s3``) implements.
"""

from __future__ import annotations

import time
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FileList", "FileObject", "Files"]

FilePurpose = Literal["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]


class FileObject(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int = Field(default_factory=lambda: int(time.time()))
    filename: str
    purpose: FilePurpose
    expires_at: int | None = None


class FileList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FileObject]
    has_more: bool = False


class FileDeleted(BaseModel):
    id: str
    object: Literal["file"] = "file"
    deleted: bool = True


class Files(Protocol):
    async def create_file(self, content: bytes, filename: str, purpose: FilePurpose) -> FileObject: ...
    async def list_files(self, purpose: FilePurpose | None = None, limit: int = 10000) -> FileList: ...
    async def retrieve_file(self, file_id: str) -> FileObject: ...
    async def file_content(self, file_id: str) -> bytes: ...
    async def delete_file(self, file_id: str) -> None: ...
