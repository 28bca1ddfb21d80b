"""The files router: what ``stack.files`` is, in library and server mode alike.

It checks what every files provider would otherwise check alike (the purpose, an empty
upload), stores new files with the first files provider of the run config, and finds an
existing file by asking each provider in turn (ids are unique across providers: each
provider makes its own random ids). Listing merges all providers, newest first, with
OpenAI's cursor pagination. Deleting a file tells the listeners (the vector stores
router), so that its chunks leave every vector store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, get_args

import pluggy

from plugstack.api_call import call_api
from plugstack.apis.definition import RouterContext
from plugstack.apis.files.types import FileDeleted, FileList, FileObject, FilePurpose
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.pagination import paginate

__all__ = ["FilesRouter", "build_routers"]

_PURPOSES: tuple[str, ...] = get_args(FilePurpose)
FileDeletedListener = Callable[[str], Awaitable[None]]


def build_routers(context: RouterContext) -> dict[str, object]:
    return {"files": FilesRouter(context.providers, context.pm)}


class FilesRouter:
    def __init__(self, providers: Mapping[str, Any], pm: pluggy.PluginManager) -> None:
        if not providers:
            raise ValueError("the files router needs at least one files provider")
        self.providers = dict(providers)
        self.pm = pm
        self._deleted_listeners: list[FileDeletedListener] = []

    def add_deleted_listener(self, listener: FileDeletedListener) -> None:
        """Call ``listener(file_id)`` after each file is deleted."""
        self._deleted_listeners.append(listener)

    async def create_file(self, content: bytes, filename: str, purpose: str) -> FileObject:
        if purpose not in _PURPOSES:
            raise BadRequestError(
                f"invalid purpose {purpose!r}; expected one of: {', '.join(_PURPOSES)}", param="purpose"
            )
        if not content:
            raise BadRequestError(f"file {filename!r} is empty", param="file", code="empty_file")
        if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
            raise BadRequestError(f"invalid filename {filename!r}", param="file")
        provider = next(iter(self.providers.values()))
        file: FileObject = await self._call(
            provider.create_file, "create_file", content=content, filename=filename, purpose=purpose
        )
        return file

    async def list_files(
        self,
        purpose: str | None = None,
        limit: int = 10000,
        order: Literal["asc", "desc"] = "desc",
        after: str | None = None,
    ) -> FileList:
        files: list[FileObject] = []
        for provider in self.providers.values():
            listed: FileList = await self._call(provider.list_files, "list_files", purpose=purpose)
            files.extend(listed.data)
        page, has_more = paginate(files, limit=limit, order=order, after=after, before=None, max_limit=10000)
        return FileList(data=page, has_more=has_more)

    async def retrieve_file(self, file_id: str) -> FileObject:
        provider = await self._owner(file_id)
        file: FileObject = await self._call(provider.retrieve_file, "retrieve_file", file_id=file_id)
        return file

    async def file_content(self, file_id: str) -> bytes:
        provider = await self._owner(file_id)
        content: bytes = await self._call(provider.file_content, "file_content", file_id=file_id)
        return content

    async def delete_file(self, file_id: str) -> FileDeleted:
        provider = await self._owner(file_id)
        for listener in self._deleted_listeners:
            await listener(file_id)
        await self._call(provider.delete_file, "delete_file", file_id=file_id)
        return FileDeleted(id=file_id)

    async def _owner(self, file_id: str) -> Any:
        for provider in self.providers.values():
            try:
                await provider.retrieve_file(file_id)
            except NotFoundError:
                continue
            return provider
        raise NotFoundError(f"file {file_id!r} not found", param="file_id", code="file_not_found")

    async def _call(self, target: Callable[..., Awaitable[Any]], method: str, **params: Any) -> Any:
        return await call_api(self.pm, "files", method, target, **params)
