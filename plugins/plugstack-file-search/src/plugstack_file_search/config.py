"""Configuration of ``inline::file-search``, and the args of the tool groups it serves.

A group's ``args`` (``registered_resources.tool_groups[].args`` or ``POST /v1/toolgroups``)
are :class:`FileSearchArgs`. The provider config holds the same fields: they are the
defaults of every group this provider serves, and exactly the args of the group it lists
without registration (``toolgroup_id``), so a deployment sets ``max_chars_per_result`` once.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plugstack.apis.vector_io import SearchMode
from plugstack.errors import BadRequestError
from plugstack.validation import bad_request_from

__all__ = ["DEFAULT_TOOLGROUP_ID", "FileSearchArgs", "FileSearchConfig", "group_args"]

DEFAULT_TOOLGROUP_ID = "builtin::file_search"


class FileSearchArgs(BaseModel):
    """How one tool group searches.

    ``vector_store_ids``: the stores searched when a call names none (a call may name
    others); when empty, every call must name its stores. ``max_num_results``: results
    per call unless the call asks for another number. ``max_chars_per_result``: the text
    of each result shown to the model is cut to this many characters (the structured
    results in ``metadata`` keep whole chunks); empty: whole chunks. ``tool_name``: the
    name the group's tool is listed and invoked by, so that several file-search groups
    (each with its own stores) can be served at once.
    """

    model_config = ConfigDict(extra="forbid")

    vector_store_ids: list[str] = Field(default_factory=list)
    max_num_results: int = Field(default=10, ge=1, le=50)
    max_chars_per_result: int | None = Field(default=None, ge=1)
    search_mode: SearchMode = "vector"
    tool_name: str = Field(default="file_search", pattern=r"^[A-Za-z0-9_-]{1,64}$")

    @field_validator("vector_store_ids")
    @classmethod
    def _no_empty_ids(cls, ids: list[str]) -> list[str]:
        if any(not store_id.strip() for store_id in ids):
            raise ValueError("vector store ids must not be empty")
        return list(dict.fromkeys(ids))  # searching a store twice would duplicate its results


class FileSearchConfig(FileSearchArgs):
    """The defaults of every group, plus ``toolgroup_id``: the group served without
    registration (listed by ``GET /v1/toolgroups`` from the start); empty: none, groups
    are then registered in the run config or through the API."""

    toolgroup_id: str | None = DEFAULT_TOOLGROUP_ID

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {
            "toolgroup_id": "${env.PLUGSTACK_FILE_SEARCH_TOOLGROUP:=builtin::file_search}",
            "max_num_results": 5,
            "max_chars_per_result": 2000,
        }

    def defaults(self) -> dict[str, Any]:
        """The group args this config sets (every field but ``toolgroup_id``)."""
        return self.model_dump(exclude={"toolgroup_id"})


def group_args(config: FileSearchConfig, args: dict[str, Any], *, toolgroup_id: str) -> FileSearchArgs:
    """``args`` over the config's defaults; a 400 naming the group and the field if invalid."""
    try:
        return FileSearchArgs.model_validate({**config.defaults(), **args})
    except ValidationError as exc:
        problems = bad_request_from(exc).message.removeprefix("invalid request: ")
        raise BadRequestError(f"args of tool group {toolgroup_id!r}: {problems}", param="args") from None
