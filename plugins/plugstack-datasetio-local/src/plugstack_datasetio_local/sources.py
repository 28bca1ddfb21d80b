"""Where a dataset's rows are: a local file the config allows, a file of the files API, never the network."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from plugstack.errors import BadRequestError

__all__ = ["local_path", "refuse_network"]


def refuse_network(dataset_id: str, uri: str) -> None:
    """A 400 for an ``http(s)://`` source: this provider reads no network (the URL is not echoed: it may be signed)."""
    if uri.startswith(("http://", "https://")):
        scheme = uri.split(":", 1)[0]
        raise BadRequestError(
            f"dataset {dataset_id!r}: inline::localfs does not fetch {scheme}:// URLs (it reads no network); "
            "upload the file through the files API and use its file-... id, or give a file:/// path",
            param="source.uri",
        )


def local_path(dataset_id: str, uri: str, allowed_dirs: Sequence[str]) -> Path:
    """The file a ``file://`` URI names, if it lies under one of ``allowed_dirs`` (symlinks resolved)."""
    parsed = urlparse(uri)
    if parsed.netloc not in ("", "localhost") or not parsed.path.startswith("/"):
        raise BadRequestError(
            f"dataset {dataset_id!r}: a file URI is file:///absolute/path, got {uri!r}", param="source.uri"
        )
    path = Path(unquote(parsed.path)).resolve()
    roots = [Path(d).expanduser().resolve() for d in allowed_dirs]
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots) or "none are configured"
        raise BadRequestError(
            f"dataset {dataset_id!r}: {path} is outside the directories this provider may read "
            f"(its config's allowed_dirs: {allowed})",
            param="source.uri",
        )
    if not path.is_file():
        raise BadRequestError(f"dataset {dataset_id!r}: no file at {path}", param="source.uri")
    return path
