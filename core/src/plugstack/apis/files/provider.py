"""What a files provider (``inline::localfs``, ``remote::s3``) implements."""

from __future__ import annotations

from typing import Protocol

from plugstack.apis.files.types import FileList, FileObject, FilePurpose

__all__ = ["Files"]


class Files(Protocol):
    async def create_file(self, content: bytes, filename: str, purpose: FilePurpose) -> FileObject: ...
    async def list_files(self, purpose: FilePurpose | None = None, limit: int = 10000) -> FileList: ...
    async def retrieve_file(self, file_id: str) -> FileObject: ...
    async def file_content(self, file_id: str) -> bytes: ...
    async def delete_file(self, file_id: str) -> None: ...
