"""How prompts are kept: two tables in the stack's SQL store (``storage.sqlstore``).

``plugstack_prompts`` has one row per prompt, naming its default version;
``plugstack_prompt_versions`` one row per version, never changed once written. A
version's primary key is ``<prompt_id>/<version>``, so of two writers that both make
version N+1 the database lets exactly one in, on SQLite and PostgreSQL alike, with no
lock held between reading the latest version and writing the next.

A new prompt's first version is written before its row, and a deleted prompt's row goes
before its versions: a reader who finds the row finds its versions too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from plugstack.storage import SqlStore

__all__ = ["PromptRecords", "PromptVersion"]

_PROMPTS = "plugstack_prompts"
_VERSIONS = "plugstack_prompt_versions"


@dataclass(frozen=True)
class PromptVersion:
    prompt_id: str
    version: int
    prompt: str
    variables: list[str]
    created_at: int


class PromptRecords:
    def __init__(self, sql: SqlStore) -> None:
        self.sql = sql

    async def initialize(self) -> None:
        await self.sql.create_table(
            _PROMPTS, {"prompt_id": "string", "default_version": "integer", "created_at": "float"}, "prompt_id"
        )
        await self.sql.create_table(
            _VERSIONS,
            {
                "key": "string",
                "prompt_id": "string",
                "version": "integer",
                "prompt": "text",
                "variables": "json",
                "created_at": "integer",
            },
            "key",
        )

    async def create(self, first: PromptVersion) -> None:
        await self.sql.insert(_VERSIONS, _row(first))
        await self.sql.insert(
            _PROMPTS, {"prompt_id": first.prompt_id, "default_version": first.version, "created_at": time.time()}
        )

    async def default_versions(self) -> list[tuple[str, int]]:
        """``(prompt_id, default version)`` of every prompt, oldest prompt first."""
        rows = await self.sql.fetch_all(_PROMPTS, order_by="created_at")
        return [(row["prompt_id"], row["default_version"]) for row in rows]

    async def default_version(self, prompt_id: str) -> int | None:
        """The prompt's default version; ``None`` when there is no such prompt."""
        row = await self.sql.fetch_one(_PROMPTS, {"prompt_id": prompt_id})
        return None if row is None else int(row["default_version"])

    async def get(self, prompt_id: str, version: int) -> PromptVersion | None:
        row = await self.sql.fetch_one(_VERSIONS, {"key": _key(prompt_id, version)})
        return None if row is None else _version(row)

    async def latest(self, prompt_id: str) -> PromptVersion | None:
        rows = await self.sql.fetch_all(
            _VERSIONS, {"prompt_id": prompt_id}, order_by="version", descending=True, limit=1
        )
        return _version(rows[0]) if rows else None

    async def versions(self, prompt_id: str) -> list[PromptVersion]:
        return [
            _version(row) for row in await self.sql.fetch_all(_VERSIONS, {"prompt_id": prompt_id}, order_by="version")
        ]

    async def add_version(self, version: PromptVersion) -> bool:
        """Write a new version; ``False`` when another writer made that version first."""
        try:
            await self.sql.insert(_VERSIONS, _row(version))
        except IntegrityError:
            return False
        return True

    async def set_default(self, prompt_id: str, version: int) -> bool:
        """``False`` when the prompt is gone."""
        return await self.sql.update(_PROMPTS, {"default_version": version}, {"prompt_id": prompt_id}) > 0

    async def delete(self, prompt_id: str) -> bool:
        """Delete the prompt and all its versions; ``False`` when there was no such prompt."""
        existed = await self.sql.delete(_PROMPTS, {"prompt_id": prompt_id}) > 0
        await self.sql.delete(_VERSIONS, {"prompt_id": prompt_id})
        return existed


def _key(prompt_id: str, version: int) -> str:
    return f"{prompt_id}/{version}"


def _row(version: PromptVersion) -> dict[str, Any]:
    return {
        "key": _key(version.prompt_id, version.version),
        "prompt_id": version.prompt_id,
        "version": version.version,
        "prompt": version.prompt,
        "variables": version.variables,
        "created_at": version.created_at,
    }


def _version(row: dict[str, Any]) -> PromptVersion:
    return PromptVersion(
        prompt_id=row["prompt_id"],
        version=int(row["version"]),
        prompt=row["prompt"],
        variables=list(row["variables"] or []),
        created_at=int(row["created_at"]),
    )
