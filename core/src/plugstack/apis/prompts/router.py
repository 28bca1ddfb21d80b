"""The prompts router: what ``stack.prompts`` is, in library and server mode alike.

A registry of versioned prompt templates, kept in the SQL store (:mod:`.records`).
Creating a prompt makes version 1, its default; each update makes the next version, and
must name the version it updates: an update from any other (stale) version is a 409, so
of concurrent editors who started from the same version exactly one wins and the others
are told to reload. The default version is the one served when none is named, and can be
moved to any version; every version is kept until the prompt is deleted.

Other APIs use prompts in-process through :meth:`PromptsRouter.render`, the Responses API
for its ``prompt`` parameter (``{"id": "pmpt_...", "version": "2", "variables": {...}}``)::

    text = await context.routers["prompts"].render(prompt["id"], prompt.get("version"), prompt.get("variables"))

The SQL store is opened on first use, not when the stack starts: the API needs nothing,
so it is enabled in every stack, and one that never uses it creates no database.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from plugstack.apis.definition import RouterContext
from plugstack.apis.prompts.records import PromptRecords, PromptVersion
from plugstack.apis.prompts.template import VariableValue, check_variables, render_template
from plugstack.apis.prompts.types import (
    CreatePromptRequest,
    ListPromptsResponse,
    Prompt,
    PromptDeleted,
    UpdatePromptRequest,
)
from plugstack.errors import BadRequestError, ConflictError, NotFoundError
from plugstack.storage import SqlStore
from plugstack.storage.first_use import FirstUse
from plugstack.validation import validate_request

__all__ = ["PromptsRouter", "build_routers"]

_PROMPT_ID = re.compile(r"pmpt_[0-9a-f]{48}")


async def build_routers(context: RouterContext) -> dict[str, object]:
    return {"prompts": PromptsRouter(context.sqlstore)}


class PromptsRouter:
    def __init__(self, sqlstore: Callable[[], Awaitable[SqlStore]]) -> None:
        self._open_sqlstore = sqlstore
        self._store = FirstUse(self._open)

    async def _open(self) -> PromptRecords:
        records = PromptRecords(await self._open_sqlstore())
        await records.initialize()
        return records

    # -- prompts ------------------------------------------------------------------------------

    async def create_prompt(self, request: CreatePromptRequest | None = None, /, **params: Any) -> Prompt:
        """Version 1 of a new prompt, its default."""
        request = validate_request(CreatePromptRequest, request, params)
        first = PromptVersion(
            prompt_id=f"pmpt_{secrets.token_hex(24)}",
            version=1,
            prompt=_checked_text(request.prompt),
            variables=check_variables(request.prompt, request.variables),
            created_at=int(time.time()),
        )
        await (await self._store()).create(first)
        return _prompt(first, default_version=1)

    async def list_prompts(self) -> ListPromptsResponse:
        """The default version of every prompt, oldest prompt first."""
        records = await self._store()
        prompts = []
        for prompt_id, default_version in await records.default_versions():
            version = await records.get(prompt_id, default_version)
            if version is not None:  # None: deleted meanwhile
                prompts.append(_prompt(version, default_version))
        return ListPromptsResponse(data=prompts)

    async def get_prompt(self, prompt_id: str, version: int | None = None) -> Prompt:
        """The named version of the prompt, or its default version."""
        records = await self._store()
        default_version = await self._default_version(records, prompt_id)
        wanted = default_version if version is None else version
        found = await records.get(prompt_id, wanted)
        if found is None:
            raise NotFoundError(f"prompt {prompt_id!r} has no version {wanted}", param="version")
        return _prompt(found, default_version)

    async def update_prompt(
        self, prompt_id: str, request: UpdatePromptRequest | None = None, /, **params: Any
    ) -> Prompt:
        """The next version of the prompt, made from ``request.version``, which must be the latest: 409 if not."""
        request = validate_request(UpdatePromptRequest, request, params)
        text = _checked_text(request.prompt)
        variables = check_variables(text, request.variables)
        records = await self._store()
        default_version = await self._default_version(records, prompt_id)
        latest = await records.latest(prompt_id)
        if latest is None:
            raise _not_found(prompt_id)  # deleted meanwhile
        if request.version != latest.version:
            raise ConflictError(
                f"prompt {prompt_id!r} is at version {latest.version}, not {request.version}: "
                "get the latest version and update from it",
                param="version",
            )
        new = PromptVersion(
            prompt_id=prompt_id,
            version=latest.version + 1,
            prompt=text,
            variables=variables,
            created_at=int(time.time()),
        )
        if not await records.add_version(new):
            raise ConflictError(
                f"prompt {prompt_id!r} was updated from version {latest.version} by another request first: "
                "get the latest version and update from it",
                param="version",
            )
        if request.set_as_default:
            default_version = new.version
            still_there = await records.set_default(prompt_id, new.version)
        else:
            still_there = await records.default_version(prompt_id) is not None
        if not still_there:  # deleted while this version was written: take it back out
            await records.delete(prompt_id)
            raise _not_found(prompt_id)
        return _prompt(new, default_version)

    async def delete_prompt(self, prompt_id: str) -> PromptDeleted:
        """Delete the prompt with all its versions."""
        if not _PROMPT_ID.fullmatch(prompt_id) or not await (await self._store()).delete(prompt_id):
            raise _not_found(prompt_id)
        return PromptDeleted(id=prompt_id)

    # -- versions -----------------------------------------------------------------------------

    async def list_prompt_versions(self, prompt_id: str) -> ListPromptsResponse:
        """Every version of the prompt, oldest first."""
        records = await self._store()
        default_version = await self._default_version(records, prompt_id)
        return ListPromptsResponse(
            data=[_prompt(version, default_version) for version in await records.versions(prompt_id)]
        )

    async def set_default_version(self, prompt_id: str, version: int) -> Prompt:
        """Make ``version`` the one served when none is named."""
        records = await self._store()
        await self._default_version(records, prompt_id)
        found = await records.get(prompt_id, version)
        if found is None:
            raise NotFoundError(f"prompt {prompt_id!r} has no version {version}", param="version")
        if not await records.set_default(prompt_id, version):
            raise _not_found(prompt_id)
        return _prompt(found, default_version=version)

    # -- use ----------------------------------------------------------------------------------

    async def render(
        self,
        prompt_id: str,
        version: int | str | None = None,
        variables: Mapping[str, VariableValue] | None = None,
    ) -> str:
        """The prompt's text with its variables substituted: the default version unless ``version`` names one.

        ``version`` may be a string of digits, as OpenAI's ``prompt.version`` is; each
        value a string or an ``input_text`` part. A 400 naming the variable when one the
        prompt declares has no value, or a value names no variable of the prompt; a 404
        for an unknown prompt or version.
        """
        prompt = await self.get_prompt(prompt_id, _version_number(version))
        return render_template(prompt.prompt, prompt.variables, variables or {})

    # -- lookups ------------------------------------------------------------------------------

    @staticmethod
    async def _default_version(records: PromptRecords, prompt_id: str) -> int:
        found = await records.default_version(prompt_id) if _PROMPT_ID.fullmatch(prompt_id) else None
        if found is None:
            raise _not_found(prompt_id)
        return found


def _prompt(version: PromptVersion, default_version: int) -> Prompt:
    return Prompt(
        prompt_id=version.prompt_id,
        prompt=version.prompt,
        version=version.version,
        variables=version.variables,
        is_default=version.version == default_version,
        created_at=version.created_at,
    )


def _checked_text(prompt: str) -> str:
    """``prompt`` unless it holds a NUL character, which PostgreSQL cannot store in text."""
    if "\x00" in prompt:
        raise BadRequestError("prompt: must not contain NUL characters", param="prompt")
    return prompt


def _version_number(version: int | str | None) -> int | None:
    if version is None or (isinstance(version, int) and not isinstance(version, bool)):
        return version
    if isinstance(version, str) and version.isascii() and version.isdigit():
        return int(version)
    raise BadRequestError(f"version: must be a version number, got {version!r}", param="version")


def _not_found(prompt_id: str) -> NotFoundError:
    return NotFoundError(f"prompt {prompt_id!r} not found", param="prompt_id")
