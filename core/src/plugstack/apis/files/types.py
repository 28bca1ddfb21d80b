"""The files API's types, in the OpenAI wire format of ``/v1/files``."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FileDeleted", "FileList", "FileObject", "FilePurpose"]

FilePurpose = Literal["assistants", "batch", "batch_output", "fine-tune", "vision", "user_data", "evals"]


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
