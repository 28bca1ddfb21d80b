"""Files: upload, list, read and delete files (OpenAI ``/v1/files``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.files.provider import Files
    from plugstack.apis.files.types import (
        FileDeleted,
        FileList,
        FileObject,
        FilePurpose,
    )

__all__ = ["API", "FileDeleted", "FileList", "FileObject", "FilePurpose", "Files"]

API = ApiDefinition(
    name="files",
    description="file upload, listing, content and deletion",
    hookspecs="plugstack.apis.files.hookspec",
    registration_hook="plugstack_files_providers",
    protocol="plugstack.apis.files.provider:Files",
    router="plugstack.apis.files.router:build_routers",
    routes="plugstack.apis.files.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
