"""Datasets, in Llama Stack's shape: a purpose, a source (a URI or inline rows) and metadata."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

__all__ = [
    "DataSource",
    "Dataset",
    "DatasetList",
    "DatasetPurpose",
    "RegisterDatasetRequest",
    "RowsDataSource",
    "URIDataSource",
]

DatasetPurpose = Literal["eval/question-answer", "eval/messages-answer", "post-training/messages"]
"""What the rows are for, and so which columns they carry (as Llama Stack defines them):
``eval/question-answer`` rows have ``question`` and ``answer``; ``eval/messages-answer``
rows have ``messages`` (a chat) and ``answer``; ``post-training/messages`` rows have
``messages``. The columns are not enforced here: the scoring function that reads a row
names the one it misses."""

_URI_SCHEMES = ("file-", "file://", "http://", "https://")


class URIDataSource(BaseModel):
    """Rows in a file: ``file-…`` (a file of the files API), ``file:///abs/path.jsonl``, or ``https://…``.

    Which of them a provider reads is its own business (``inline::localfs`` reads no
    network URI); the shape is checked here, so that every provider refuses a typo alike.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["uri"] = "uri"
    uri: str = Field(min_length=1)

    @field_validator("uri")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(_URI_SCHEMES):
            raise ValueError("must be a files-API id (file-...), a file:/// path or an http(s):// URL")
        return value


class RowsDataSource(BaseModel):
    """Rows given inline: each a JSON object."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["rows"] = "rows"
    rows: list[dict[str, Any]]


def _source_kind(value: Any) -> str | None:
    """The union member a source's ``type`` names, capitalised so that errors name the field, not the member."""
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return {"uri": "URI", "rows": "Rows"}.get(kind) if isinstance(kind, str) else None


DataSource = Annotated[
    Union[Annotated[URIDataSource, Tag("URI")], Annotated[RowsDataSource, Tag("Rows")]],  # noqa: UP007
    Discriminator(
        _source_kind, custom_error_type="invalid_source", custom_error_message="type must be 'uri' or 'rows'"
    ),
]


class Dataset(BaseModel):
    """A dataset as ``GET /v1/datasets`` lists it: rows served by one datasetio provider.

    ``metadata`` is the caller's, passed to the provider (``inline::localfs`` reads
    ``metadata.format`` when a file's name does not say it).
    """

    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["dataset"] = "dataset"
    provider_id: str = ""
    provider_resource_id: str = ""
    purpose: DatasetPurpose
    source: DataSource
    metadata: dict[str, Any] = Field(default_factory=dict)


class DatasetList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Dataset]


class RegisterDatasetRequest(BaseModel):
    """``POST /v1/datasets``; without ``dataset_id``, the dataset gets a new ``dataset-…`` id."""

    model_config = ConfigDict(extra="forbid")

    purpose: DatasetPurpose
    source: DataSource
    metadata: dict[str, Any] = Field(default_factory=dict)
    dataset_id: str | None = Field(default=None, min_length=1)
    provider_id: str | None = None
    provider_dataset_id: str | None = None
